"""KPIs: the list, the KPI page with targets, manual entry and observations, the KPI library."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
