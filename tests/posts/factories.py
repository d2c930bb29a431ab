from datetime import timedelta

from django.db import connection
from django.utils import timezone

from apps.accounts.models import User


def posts_insert(*, author: User, count: int, start=None, step=timedelta(seconds=1)) -> None:
    """`count` published posts by `author` in the current tenant, in one INSERT … SELECT,
    published (and created) `step` apart from `start` on, the newest last; bodies `post 1`
    to `post <count>`."""
    start = start or timezone.now() - step * (count + 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO posts_post (author_id, body, state, published_at, created_at, mentioned)"
            " SELECT %s, 'post ' || g, 'published', %s + g * %s, %s + g * %s, '{}'"
            " FROM generate_series(1, %s) g",
            [author.pk, start, step, start, step, count],
        )
