"""Calendars: iCalendar feeds of a person's deadlines and a workspace's anchor dates."""
