"""Who may do what with files: the company's files are seen by everyone in it; an upload
is its uploader's (the person or API key that began it); uploaders and admins delete."""

from apps.accounts.policies import can_change_authored, can_read, can_write
from apps.accounts.principal import Principal
from apps.files.models import File


def can_upload(principal: Principal | None) -> bool:
    """Roles and keys that may write upload (not viewers, not read-only keys)."""
    return can_write(principal)


def can_see_file(principal: Principal | None, file: File) -> bool:
    return can_read(principal)


def is_uploader(principal: Principal | None, file: File) -> bool:
    if principal is None:
        return False
    if principal.membership is not None:
        return file.uploader_id is not None and file.uploader_id == principal.membership.user_id
    return (
        principal.api_key is not None
        and file.api_key_id is not None
        and file.api_key_id == principal.api_key.pk
    )


def can_continue_upload(principal: Principal | None, file: File) -> bool:
    """Part URLs, the parts list, completing and aborting: the uploader, while allowed to
    write."""
    return can_upload(principal) and is_uploader(principal, file)


def can_delete_file(principal: Principal | None, file: File) -> bool:
    """Like any authored thing: its uploader or a manager (and an API key its own upload)."""
    return can_change_authored(principal, file.uploader_id) or (
        can_write(principal) and is_uploader(principal, file)
    )
