"""The JSONPath subset generic JSON connectors use."""

from __future__ import annotations

import pytest

from services.metrics.connectors.kinds.jsonpath import PathError, find, first

DATA = {"data": [{"day": "2026-03-01", "n": {"v": 1}}, {"day": "2026-03-02", "n": {"v": 2}}], "a-b": {"x": 3}}


@pytest.mark.parametrize(
    "path, found",
    [
        ("$", [DATA]),
        ("$.data[*].day", ["2026-03-01", "2026-03-02"]),
        ("$.data[1].n.v", [2]),
        ("$.data[-1]['n'][\"v\"]", [2]),
        ("$['a-b'].x", [3]),
        ("$.a-b.*", [3]),
        ("$.data[5].day", []),
        ("$.missing.deeper", []),
        ("$.data.day", []),
    ],
)
def test_paths(path, found):
    assert find(DATA, path) == found


def test_first_and_bad_paths():
    assert first(DATA, "$.data[*].n.v") == 1 and first(DATA, "$.nope") is None
    for bad in ("data.day", "$..day", "$.data[?(@.n)]", "$.data[0:2]"):
        with pytest.raises(PathError):
            find(DATA, bad)
