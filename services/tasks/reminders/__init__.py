"""Reminders: due-date notices written as rows with their deadline, fired exactly once by a sweep."""
