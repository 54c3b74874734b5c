"""The outbox of notifications the metrics service owes people (cycle opened, KPI stale, import finished/failed)."""
