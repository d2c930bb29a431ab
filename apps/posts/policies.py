"""Who may do what with posts: everyone in the company reads the feed; people who may
write post (not viewers, not API keys: a post has a person as its author); authors change
and delete their own, owners and admins any; drafts and scheduled posts are their
author's alone until published."""

from apps.accounts.policies import acts_for, can_change_authored, can_read, can_write, is_person
from apps.accounts.principal import Actor
from apps.posts.models import Post


def can_post(actor: Actor | None) -> bool:
    return is_person(actor) and can_write(actor)


def can_see_post(actor: Actor | None, post: Post) -> bool:
    if post.state == Post.State.PUBLISHED:
        return can_read(actor)
    return acts_for(actor, post.author_id)


def can_change_post(actor: Actor | None, post: Post) -> bool:
    """Edit, delete; and for a scheduled post, reschedule or cancel."""
    if post.state != Post.State.PUBLISHED:
        return acts_for(actor, post.author_id) and can_write(actor)
    return can_change_authored(actor, post.author_id)
