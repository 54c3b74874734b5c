"""The frontend finds the service that owns a path by the gateway's map of resources."""

from __future__ import annotations

import pytest

from frontend.backend import service_of


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/surfaces", "goals"),
        ("/api/v1/goals/12/kpis", "goals"),
        ("/api/v1/kpis/library", "metrics"),
        ("/api/v1/cycles/3/findings/4", "metrics"),
        ("/api/v1/imports?page=2", "metrics"),
        ("/api/v1/periods", "tasks"),
    ],
)
def test_the_resource_names_the_service(path, service):
    assert service_of(path) == service


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/kpis", "/internal/metrics/api/v1/kpis", ""])
def test_a_path_no_service_owns_is_a_programming_error(path):
    with pytest.raises(ValueError):
        service_of(path)
