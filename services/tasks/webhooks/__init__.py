"""Webhooks: a workspace's outgoing endpoints (Standard Webhooks, Slack, Teams) and their deliveries."""
