"""The scorecard: a period's KPIs as inputs, activities and results."""
