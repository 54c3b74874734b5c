"""arq jobs of the tasks service."""

from kit.queue import make_heartbeat

record_heartbeat = make_heartbeat("tasks")

FUNCTIONS = [record_heartbeat]
