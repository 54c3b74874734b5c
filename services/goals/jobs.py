"""arq jobs of the goals service."""

from kit.queue import make_heartbeat

record_heartbeat = make_heartbeat("goals")

FUNCTIONS = [record_heartbeat]
