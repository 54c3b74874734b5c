"""Feedback and complaints as data: items, channel targets, categories, handling history, dissatisfaction KPIs."""
