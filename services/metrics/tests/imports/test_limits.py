"""The limits an upload is held to: each refused with the limit named, quickly, before anything is parsed."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from kit.errors import Invalid, TooLarge
from services.metrics.imports import limits


def bomb(expanded: int) -> bytes:
    """An XLSX-shaped zip whose sheet expands from a few hundred KB to `expanded` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            row = b"<row><c><v>1</v></c></row>" * 40_000
            for _ in range(expanded // len(row)):
                sheet.write(row)
    return out.getvalue()


def test_an_xlsx_that_expands_too_much_is_refused_from_its_directory():
    data = bomb(300 * limits.MB)
    assert len(data) < 2 * limits.MB
    started = time.perf_counter()
    with pytest.raises(TooLarge) as refused:
        limits.check_file("xlsx", data)
    assert time.perf_counter() - started < 0.5
    assert refused.value.errors[0]["field"] == "file" and "unpacked" in refused.value.errors[0]["detail"]
    with pytest.raises(TooLarge) as ratio:
        limits.check_file("xlsx", bomb(20 * limits.MB))
    assert "expansion" in ratio.value.errors[0]["detail"]


def test_a_long_line_is_found_without_reading_line_by_line():
    ok = b"date,value\n" + b"2026-01-01,1\n" * 2_000_000  # 26 MB of short lines
    started = time.perf_counter()
    limits.check_lines(ok)
    assert time.perf_counter() - started < 0.5
    with pytest.raises(Invalid) as refused:
        limits.check_lines(b"date,value\n2026-01-01,1\n" + b"9" * (50 * limits.MB) + b"\n")
    assert "Line 3" in refused.value.detail and refused.value.errors[0]["field"] == "file"


def test_columns_and_size():
    limits.check_columns(["a"] * limits.MAX_COLUMNS + [""] * 10_000)  # empty trailing cells of a sheet: fine
    with pytest.raises(Invalid) as refused:
        limits.check_columns(["a"] * 1_000_000)
    assert "1,000,000 columns" in refused.value.detail
    with pytest.raises(TooLarge):
        limits.check_size(limits.MAX_FILE_BYTES + 1)
    with pytest.raises(Invalid) as wide:  # a header too long to read is judged by its separators
        limits.check_lines(b"c," * 1_000_000 + b"\n1,2\n")
    assert "columns" in wide.value.errors[0]["detail"]


def test_the_preview_reads_only_the_start_and_cuts_at_a_newline():
    data = b"date,value\n" + b"2026-01-01,1\n" * 1_000_000
    start = limits.head_bytes(data)
    assert len(start) <= limits.HEAD_BYTES and start.endswith(b"\n") and data.startswith(start)
