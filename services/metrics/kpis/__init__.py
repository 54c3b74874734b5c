"""KPIs: the measured quantities, their formulas, targets, periods, status and figures."""
