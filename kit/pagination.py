"""List responses: {data, count} with limit/offset and an allow-listed sort."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    count: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int
    sort: str | None


def page_params(limit: Annotated[int, Query(ge=1, le=500, description="Rows per page")] = 50,
                offset: Annotated[int, Query(ge=0, description="Rows to skip")] = 0,
                sort: Annotated[str | None, Query(max_length=64, description="Field name; prefix - for descending")] = None,
                ) -> PageParams:
    return PageParams(limit=limit, offset=offset, sort=sort)


PageDep = Annotated[PageParams, Depends(page_params)]
