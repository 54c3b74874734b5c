"""Measurement cycles: the list, a cycle's review page, compare, printable view."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
