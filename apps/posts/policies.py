"""Who may do what with posts: everyone in the company reads the feed; people who may
write post (not viewers, not API keys: a post has a person as its author); authors change
and delete their own, owners and admins any; drafts and scheduled posts are their
author's alone until published."""

from apps.accounts.policies import can_change_authored, can_read, can_write, is_own, is_person
from apps.accounts.principal import Principal
from apps.posts.models import Post


def can_post(principal: Principal | None) -> bool:
    return is_person(principal) and can_write(principal)


def can_see_post(principal: Principal | None, post: Post) -> bool:
    if post.state == Post.State.PUBLISHED:
        return can_read(principal)
    return is_own(principal, post.author_id)


def can_change_post(principal: Principal | None, post: Post) -> bool:
    """Edit, delete; and for a scheduled post, reschedule or cancel."""
    if post.state != Post.State.PUBLISHED:
        return is_own(principal, post.author_id) and can_write(principal)
    return can_change_authored(principal, post.author_id)
