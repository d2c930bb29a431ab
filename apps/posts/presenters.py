"""Posts as the feed's pages show them: each post with its attachments' thumbnails and
whether the person may change it, and the files the composer offers to attach."""

from collections.abc import Sequence
from dataclasses import dataclass

from apps.accounts.principal import Principal
from apps.files import selectors as files
from apps.files.models import File
from apps.posts.models import Post
from apps.posts.policies import can_change_post

# The composer offers the company's newest ready files to attach.
PICKER_SIZE = 12


@dataclass(frozen=True)
class Attachment:
    file: File
    thumbnail: str | None


@dataclass(frozen=True)
class Card:
    """A post as a page shows it: its attachments' thumbnails, whether you may change it."""

    post: Post
    attachments: list[Attachment]
    may_change: bool


def _attachment(file: File) -> Attachment:
    return Attachment(file=file, thumbnail=files.image_url(file=file, key=file.thumbnail_key))


def cards(principal: Principal, posts: list[Post]) -> list[Card]:
    return [
        Card(
            post=post,
            attachments=[_attachment(f) for f in post.attachments.all()],
            may_change=can_change_post(principal, post),
        )
        for post in posts
    ]


def picker(principal: Principal, extra: Sequence[File] = ()) -> list[Attachment]:
    """The files the composer offers: the newest ready ones, and those already attached."""
    newest = files.file_ready_newest(actor=principal, limit=PICKER_SIZE)
    offered = {f.pk: f for f in [*extra, *newest]}
    return [_attachment(f) for f in offered.values()]
