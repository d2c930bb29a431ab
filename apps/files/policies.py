"""Who may do what with files: the company's files are seen by everyone in it; an upload
is its uploader's (the person or API key that began it); uploaders and admins delete."""

from apps.accounts.policies import acts_for, can_change_authored, can_read, can_write
from apps.accounts.principal import Actor
from apps.files.models import File


def can_upload(actor: Actor | None) -> bool:
    """Roles and keys that may write upload (not viewers, not read-only keys)."""
    return can_write(actor)


def can_see_file(actor: Actor | None, file: File) -> bool:
    return can_read(actor)


def is_uploader(actor: Actor | None, file: File) -> bool:
    """The API key or the person that began the upload (or the system, acting for either)."""
    if actor is None:
        return False
    if actor.api_key is not None:
        return file.api_key_id is not None and file.api_key_id == actor.api_key.pk
    return acts_for(actor, file.uploader_id)


def can_continue_upload(actor: Actor | None, file: File) -> bool:
    """Part URLs, the parts list, completing and aborting: the uploader, while allowed to
    write."""
    return can_upload(actor) and is_uploader(actor, file)


def can_delete_file(actor: Actor | None, file: File) -> bool:
    """Like any authored thing: its uploader or a manager (and an API key its own upload)."""
    return can_change_authored(actor, file.uploader_id) or (
        can_write(actor) and is_uploader(actor, file)
    )
