"""Shared building blocks for every Effekt service. Never imports a service."""
