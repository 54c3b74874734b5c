"""Connectors: KPIs that fill themselves from web analytics, newsletters, issue trackers, help desks and CRMs."""
