"""The limits an uploaded file is held to, checked before it is parsed or stored: each refusal names its limit.

A file is refused whole, and nothing of it is kept, when it is larger than MAX_FILE_BYTES, when a line is longer
than MAX_LINE_BYTES, when its header has more than MAX_COLUMNS columns, or (an XLSX, which is a zip) when a part
of it would expand beyond MAX_PART_BYTES, all parts beyond MAX_EXPANDED_BYTES, or a large part more than
MAX_EXPANSION times its compressed size. An 860 KB "zip bomb" that expands into a 294 MB sheet held the service
for 20 s and 500 MB; a 50 MB line, or a million columns, were parsed in full before.

The checks read sizes from the zip's directory and look for newlines in windows of the raw bytes: they take
milliseconds and no memory beyond the file itself.
"""

from __future__ import annotations

import io
import zipfile

from kit.errors import Invalid, TooLarge, field_error
from services.metrics.imports.models import MAX_FILE_BYTES

MB = 1024 * 1024
MAX_LINE_BYTES = 1 * MB
MAX_COLUMNS = 200
MAX_PART_BYTES = 256 * MB  # one sheet (or the shared strings) as XML
MAX_EXPANDED_BYTES = 512 * MB
MAX_EXPANSION = 100  # real sheets compress 5 to 30 times
EXPANSION_FROM = 8 * MB  # small parts may compress as well as they like
HEAD_BYTES = 4 * MB  # what the preview reads: the header and the first lines, whole


def _too_large(detail: str, limit: str) -> TooLarge:
    return TooLarge(detail, errors=[field_error("file", limit)])


def check_size(size: int) -> None:
    """MAX_FILE_BYTES."""
    if size > MAX_FILE_BYTES:
        raise _too_large(
            f"The file is larger than {MAX_FILE_BYTES // MB} MB; split it into smaller files.",
            f"at most {MAX_FILE_BYTES // MB} MB",
        )


def check_header_width(data: bytes) -> None:
    """A header line too long to read is judged by its separators first: a million columns says so."""
    if data.find(b"\n", 0, MAX_LINE_BYTES + 1) != -1 or len(data) <= MAX_LINE_BYTES:
        return
    start = data[:MAX_LINE_BYTES]
    separators = max(start.count(d) for d in (b";", b",", b"\t", b"|"))
    if separators >= MAX_COLUMNS:
        raise Invalid(
            f"The header has more than {separators:,} columns; an import takes at most {MAX_COLUMNS}.",
            errors=[field_error("file", f"at most {MAX_COLUMNS} columns")],
        )


def check_lines(data: bytes) -> None:
    """No line longer than MAX_LINE_BYTES: each step jumps to the last newline within the next window."""
    check_header_width(data)
    pos, size = 0, len(data)
    while size - pos > MAX_LINE_BYTES:
        end = data.rfind(b"\n", pos, pos + MAX_LINE_BYTES + 1)
        if end == -1:
            line = data.count(b"\n", 0, pos) + 1
            raise Invalid(
                f"Line {line} is longer than {MAX_LINE_BYTES // MB} MB; no real line of values is.",
                errors=[field_error("file", f"lines of at most {MAX_LINE_BYTES // MB} MB")],
            )
        pos = end + 1


def check_columns(columns: list[str]) -> None:
    """At most MAX_COLUMNS named columns (empty ones at the end do not count)."""
    named = len(columns)
    while named and not columns[named - 1]:
        named -= 1
    if named > MAX_COLUMNS:
        raise Invalid(
            f"The header has {named:,} columns; an import takes at most {MAX_COLUMNS}.",
            errors=[field_error("file", f"at most {MAX_COLUMNS} columns")],
        )


def check_xlsx(data: bytes) -> None:
    """What the zip's parts would expand to, from its directory, before anything is unpacked."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Invalid.field("file", "the file cannot be read as XLSX: it is not a whole zip file") from None
    total = sum(p.file_size for p in parts)
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            raise _too_large(
                f"The XLSX part {part.filename} expands to {part.file_size // MB} MB; at most {MAX_PART_BYTES // MB}"
                " MB per sheet. Split the workbook, or save the sheet as CSV.",
                f"sheets of at most {MAX_PART_BYTES // MB} MB unpacked",
            )
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > EXPANSION_FROM and ratio > MAX_EXPANSION:
            raise _too_large(
                f"The XLSX part {part.filename} expands {ratio:,.0f} times; real sheets expand at most"
                f" {MAX_EXPANSION} times.",
                f"expansion of at most {MAX_EXPANSION} times",
            )
    if total > MAX_EXPANDED_BYTES:
        raise _too_large(
            f"The XLSX expands to {total // MB} MB; at most {MAX_EXPANDED_BYTES // MB} MB.",
            f"at most {MAX_EXPANDED_BYTES // MB} MB unpacked",
        )


def check_file(fmt: str, data: bytes) -> None:
    """Every limit a whole file can be checked against without parsing it."""
    check_size(len(data))
    if fmt == "xlsx":
        check_xlsx(data)
    else:
        check_lines(data)


def head_bytes(data: bytes) -> bytes:
    """The start of a CSV the preview needs, ending at a newline (so no character or line is cut)."""
    if len(data) <= HEAD_BYTES:
        return data
    end = data.rfind(b"\n", 0, HEAD_BYTES)
    return data[: end + 1] if end > 0 else data[: HEAD_BYTES + MAX_LINE_BYTES]
