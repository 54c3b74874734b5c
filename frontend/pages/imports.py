"""Importing observations from CSV and XLSX files: mapping, preview, report, progress."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
