"""Observations: the values pushed, typed or imported for a KPI per period and source."""
