"""Notifications: the delivery of event rows to people (in-app inbox, email now and in a daily digest)."""
