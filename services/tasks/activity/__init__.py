"""Activity data the tasks service publishes to metrics: runs finished, tasks done and on time, hours, costs."""
