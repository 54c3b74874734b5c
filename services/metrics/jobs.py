"""arq jobs of the metrics service."""

from kit.queue import make_heartbeat
from services.metrics.cycle_jobs import open_cycle
from services.metrics.import_jobs import IMPORT_JOB

record_heartbeat = make_heartbeat("metrics")

FUNCTIONS = [record_heartbeat, open_cycle, IMPORT_JOB]
