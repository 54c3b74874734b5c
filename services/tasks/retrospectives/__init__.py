"""Retrospectives."""
