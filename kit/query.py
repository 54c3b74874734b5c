"""Lists and look-ups for rule modules: {data, count, limit, offset}, an allow-listed sort, workspace scope.

No FastAPI here; kit.pagination turns query strings into these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Self, TypeVar
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.errors import Invalid, NotFound
from kit.fields import MAX_ID

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    offset: int
    sort: str | None
    url: str | None = None  # this request's path and query, from which the next page's link is made

    def next_url(self, count: int) -> str | None:
        """The same request for the page after this one, or None on the last page."""
        if self.url is None or self.offset + self.limit >= count:
            return None
        path, _, query = self.url.partition("?")
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in ("offset", "limit")]
        return f"{path}?{urlencode([*pairs, ('limit', self.limit), ('offset', self.offset + self.limit)])}"


class Page(BaseModel, Generic[T]):
    """A list response. Subclass it under a name (`class SurfaceList(Page[SurfacePublic]): pass`):
    used bare, OpenAPI would call the schema `Page_SurfacePublic_`."""

    data: list[T] = Field(description="The rows of this page")
    count: int = Field(description="How many rows match in all")
    limit: int = Field(description="Rows per page, as asked")
    offset: int = Field(description="Rows skipped, as asked")
    next: str | None = Field(default=None, description="The URL of the next page; null on the last one")

    @classmethod
    def of(cls, data: Sequence[T], count: int, params: PageParams, **extra) -> Self:
        return cls(
            data=list(data),
            count=count,
            limit=params.limit,
            offset=params.offset,
            next=params.next_url(count),
            **extra,
        )


def _primary_key(model: type) -> list:
    return list(sa.inspect(model).primary_key)  # the id, or every column of a natural key


def order_by(model: type, sort: str | None, allowed: set[str], default: list) -> list:
    """ORDER BY for `sort` ("name" or "-name"); an unknown field is a 422 naming `sort`.

    Text sorts by lower(): SQLite and PostgreSQL collate case differently. NULLS LAST: they
    also disagree on where NULL goes. The primary key breaks ties so pages never overlap."""
    if not sort:
        return [*default, *_primary_key(model)]
    desc = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in allowed:
        raise Invalid.field("sort", f"unknown sort field; use one of {', '.join(sorted(allowed))}")
    column = col(getattr(model, name))
    if _is_text(column.type):
        column = func.lower(column)
    return [(column.desc() if desc else column.asc()).nulls_last(), *_primary_key(model)]


def select_page(
    session: Session, model: type[T], where: Sequence, order: Sequence, *, limit: int, offset: int
) -> tuple[list[T], int]:
    """One page of the rows that match `where`, and how many match in all."""
    total = session.exec(select(func.count()).select_from(model).where(*where)).one()
    rows = session.exec(select(model).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), total


def _is_text(type_: sa.types.TypeEngine) -> bool:
    return isinstance(getattr(type_, "impl", type_), sa.String) and not isinstance(type_, sa.Enum)


def get_scoped(session: Session, model: type[T], workspace_id: int, record_id: int, label: str) -> T:
    """The record if it belongs to the workspace; NotFound otherwise, exactly as if it did not exist."""
    if not 0 < record_id <= MAX_ID:  # beyond an INTEGER id no record can exist, and the driver would fail
        raise NotFound(f"No {label} {record_id} in this workspace.")
    record = session.get(model, record_id)
    if record is None or record.workspace_id != workspace_id:
        raise NotFound(f"No {label} {record_id} in this workspace.")
    return record
