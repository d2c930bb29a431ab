"""The one place a file's state changes."""

from typing import Any

from apps.files.models import TRANSITIONS, File


def file_transition(file: File, to: str, *, also: list[str] | None = None, **changes: Any) -> File:
    """Move `file` (locked by the caller) to state `to`, with `changes` to other fields, and
    save them and the fields named in `also`. A move TRANSITIONS does not allow is a bug."""
    if to not in TRANSITIONS[file.state]:
        raise ValueError(f"file {file.pk}: {file.state} -> {to} is not a transition")
    file.state = to
    for name, value in changes.items():
        setattr(file, name, value)
    file.save(update_fields=["state", "updated_at", *changes, *(also or [])])
    return file
