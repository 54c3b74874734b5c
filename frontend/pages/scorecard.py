"""The Scorecard page: inputs → activities → results for a period, with sparklines."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
