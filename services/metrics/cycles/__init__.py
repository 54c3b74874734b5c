"""Measurement cycles: a frozen snapshot of a surface's KPIs for a period, reviewed and closed."""
