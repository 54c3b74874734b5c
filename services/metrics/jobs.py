"""arq jobs of the metrics service."""

from kit.queue import make_heartbeat

record_heartbeat = make_heartbeat("metrics")

FUNCTIONS = [record_heartbeat]
