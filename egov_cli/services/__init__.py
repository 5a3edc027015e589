"""Catalogue rules: functions that take a session and return data. No printing, no commit."""
