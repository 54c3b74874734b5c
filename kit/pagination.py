"""Lists: {data, count, limit, offset}, an allow-listed sort, the archived filter, workspace-scoped look-ups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, Self, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Query
from pydantic import BaseModel, BeforeValidator
from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.errors import Invalid, NotFound
from kit.fields import MAX_ID, Id

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    offset: int
    sort: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Rows to skip")] = 0,
    sort: Annotated[str | None, Query(max_length=64, description="Field name; prefix - for descending")] = None,
) -> PageParams:
    return PageParams(limit=limit, offset=offset, sort=sort)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """A list response. Subclass it under a name (`class SurfaceList(Page[SurfacePublic]): pass`):
    used bare, OpenAPI would call the schema `Page_SurfacePublic_`."""

    data: list[T]
    count: int
    limit: int
    offset: int

    @classmethod
    def of(cls, data: Sequence[T], count: int, params: PageParams) -> Self:
        return cls(data=list(data), count=count, limit=params.limit, offset=params.offset)


def _all_as_none(value: Any) -> Any:
    return None if isinstance(value, str) and value.strip().lower() in ("all", "") else value


# A plain `bool | None = False` can never be None over HTTP; `archived=all` asks for both.
ArchivedQuery = Annotated[
    bool | None, BeforeValidator(_all_as_none), Query(description="false (the default), true, or all")
]

MAX_IDS = 500


def _split_ids(value: Any) -> Any:
    """`ids=1,2&ids=3` → ["1", "2", "3"]; pydantic then checks each is an integer and names its index."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    out = [part.strip() for item in items for part in str(item).split(",") if part.strip()]
    if len(out) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} ids per request")
    return out


# Comma-separated or repeated; ids outside the caller's workspace simply do not come back.
IdsQuery = Annotated[
    list[Id] | None,
    BeforeValidator(_split_ids),
    Query(description=f"Only these ids: comma-separated or repeated, at most {MAX_IDS}"),
]


def order_by(model: type, sort: str | None, allowed: set[str], default: list) -> list:
    """ORDER BY for `sort` ("name" or "-name"); an unknown field is a 422 naming `sort`.

    Text sorts by lower(): SQLite and PostgreSQL collate case differently. NULLS LAST: they
    also disagree on where NULL goes. The id breaks ties so pages never overlap."""
    if not sort:
        return [*default, col(model.id)]
    desc = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in allowed:
        raise Invalid.field("sort", f"unknown sort field; use one of {', '.join(sorted(allowed))}")
    column = col(getattr(model, name))
    if _is_text(column.type):
        column = func.lower(column)
    return [(column.desc() if desc else column.asc()).nulls_last(), col(model.id)]


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
