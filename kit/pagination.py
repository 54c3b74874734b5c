"""List parameters from the query string: paging, the archived filter, id lists (the web side of kit.query)."""

from __future__ import annotations

import inspect
from enum import StrEnum
from typing import Annotated, Any, Literal, get_type_hints

from fastapi import Depends, Query, Request
from pydantic import AfterValidator, BeforeValidator

from kit.fields import MAX_ID, Id
from kit.query import PageParams


async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Rows to skip")] = 0,
    sort: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Field name; prefix - for descending")
    ] = None,
) -> PageParams:
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return PageParams(limit=limit, offset=offset, sort=sort, url=url)


PageDep = Annotated[PageParams, Depends(page_params)]


class Archived(StrEnum):
    """Which records a list shows: active ones (false, the default), archived ones (true), or all."""

    false = "false"
    true = "true"
    all = "all"


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _as_filter(value: Archived) -> bool | None:
    return {Archived.false: False, Archived.true: True, Archived.all: None}[value]


# The route sees False, True or None (all); the schema lists the three words a caller sends.
ArchivedQuery = Annotated[
    Archived,
    BeforeValidator(_lower),
    AfterValidator(_as_filter),
    Query(description="false (the default): active ones; true: archived ones; all: both"),
]

MAX_IDS = 500


def _split_ids(value: Any) -> Any:
    """`ids=1,2&ids=3` → ["1", "2", "3"]; pydantic then checks each is an integer and names its index.

    An empty part (`ids=`, `ids=1,,2`) stays in, so it is refused as "not an integer" rather than read as
    "no filter": a client that meant some ids and sent none learns of it."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    out = [part.strip() for item in items for part in str(item).split(",")]
    if len(out) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} ids per request")
    return out


# Comma-separated or repeated; ids outside the caller's workspace simply do not come back.
IdsQuery = Annotated[
    list[Id] | None,
    BeforeValidator(_split_ids),
    Query(description=f"Only these ids: comma-separated or repeated, at most {MAX_IDS}"),
]


def sorted_page(*fields: str) -> Any:
    """A PageDep whose `sort` lists its values in the schema: `page: sorted_page("name", "created_at")`.

    Each field sorts ascending, or descending with a leading '-'; any other value is a 422 naming `sort`."""
    values = [*sorted(fields), *(f"-{f}" for f in sorted(fields))]
    sort_type = Literal[tuple(values)]  # type: ignore[valid-type]
    base = inspect.signature(page_params)
    params = [
        p.replace(
            annotation=Annotated[
                sort_type | None, Query(description="Sort by this field; a leading - sorts descending")
            ]
        )
        if p.name == "sort"
        else p.replace(annotation=_resolved[p.name])
        for p in base.parameters.values()
    ]

    async def dep(**kwargs: Any) -> PageParams:
        return await page_params(**kwargs)

    dep.__signature__ = base.replace(parameters=params, return_annotation=PageParams)  # type: ignore[attr-defined]
    return Annotated[PageParams, Depends(dep)]


_resolved = get_type_hints(page_params, include_extras=True)

# The same, where the operation needs ids: required, at least one.
RequiredIdsQuery = Annotated[
    list[Id],
    BeforeValidator(_split_ids),
    Query(min_length=1, description=f"These ids: comma-separated or repeated, 1 to {MAX_IDS}"),
]


# An id filter in the query string: bounded like every id, so PostgreSQL never sees an out-of-range integer.
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only records with this id")]


def search_query(description: str) -> Any:
    """A text filter (`q: search_query("Name contains") = None`): at most 200 characters and no NUL, which
    PostgreSQL text cannot hold (a 422 naming `q`, not a driver error)."""
    return Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$", description=description)]
