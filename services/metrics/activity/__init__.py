"""Activity KPIs: figures the tasks service publishes on the metrics queue, and the KPIs that take them."""
