"""The tasks service: execution — the action list, planning periods, workflows, tasks, reminders."""
