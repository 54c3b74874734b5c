"""The metrics service: measurement — KPIs, observations, imports, connectors, cycles, scorecards."""
