"""What accounts tells a person in a company (their access is back after a suspension) is
shown and emailed by apps.notifications, an app above accounts: it registers its sender here
in its AppConfig.ready(), so accounts does not import it."""

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from apps.accounts.models import User


class Sender(Protocol):
    def __call__(self, *, user: "User", kind: str, title: str, link: str) -> object: ...


# At most one: notifications' notification_create.
_sender: list[Sender] = []


def notice_sender_register(sender: Sender) -> None:
    _sender[:] = [sender]


def notice_send(*, user: "User", kind: str, title: str, link: str) -> None:
    """Tell `user`, in the current company, if an app that tells people is installed."""
    for sender in _sender:
        sender(user=user, kind=kind, title=title, link=link)
