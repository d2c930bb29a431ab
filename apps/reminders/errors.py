"""Refusals of reminders, each with the status and code the API answers."""

from apps.core.errors import ConflictError


class ReminderConflictError(ConflictError):
    """The reminder is not in a state that allows this (already sent, or being sent now)."""
