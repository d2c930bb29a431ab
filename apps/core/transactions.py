"""Work to do once the current transaction commits, once however often it is asked for.

`transaction.on_commit` runs a callback each time it is registered; a write that many
changes in one transaction ask to follow (queue a search drain, wake the job workers) wants
it once, after the last of them. `on_commit_once(func, key=...)` registers `func` the first
time `key` is asked for in a transaction and not again until it has run; `on_commit_batch`
does the same and hands the callback everything each call added (the jobs to publish).

Only Django's public API: whether the callback is still to run is whether Django still
holds it. The registry keeps a weak reference to it; Django drops its callbacks when a
transaction or the savepoint they were registered in rolls back (and after running them),
and with Django's reference gone the callback is gone, so the next call registers again.
The callback forgets its own entry when it runs. Outside a transaction the callback runs at
once, as `on_commit` does.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

T = TypeVar("T")


@dataclass
class _Registration:
    callback: weakref.ref[Callable[[], None]]
    items: list[Any] = field(default_factory=list)


# Per connection (a thread's, or an async context's), the registrations by key.
_registered: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[Hashable, _Registration]] = (
    weakref.WeakKeyDictionary()
)


def on_commit_batch(
    func: Callable[[list[T]], object],
    items: Iterable[T],
    *,
    key: Hashable,
    using: str | None = None,
    robust: bool = False,
) -> bool:
    """`func(batch)` once the transaction on `using` commits, `batch` being the items of
    every call with `key` in it (at once outside a transaction). True when this call
    registered it; False when an earlier call of this transaction did (its batch grew)."""
    connection = transaction.get_connection(using)
    registrations = _registered.setdefault(connection, {})
    earlier = registrations.get(key)
    if earlier is not None and earlier.callback() is not None:
        earlier.items.extend(items)
        return False
    batch = list(items)

    @functools.wraps(func)  # Django logs a robust callback's failure by its name
    def run() -> None:
        if registrations.get(key) is registration:
            del registrations[key]
        func(batch)

    # The callback holds its registration, never the other way round: Django's list is
    # what keeps it alive.
    registration = _Registration(weakref.ref(run), batch)
    registrations[key] = registration
    transaction.on_commit(run, using=using, robust=robust)
    return True


def on_commit_once(
    func: Callable[[], object],
    *,
    key: Hashable,
    using: str | None = None,
    robust: bool = False,
) -> bool:
    """`func()` once the transaction on `using` commits, however many calls with `key` ask
    for it in that transaction (at once outside one). True when this call registered it."""

    @functools.wraps(func)
    def call(_batch: list[Any]) -> None:
        func()

    return on_commit_batch(call, (), key=key, using=using, robust=robust)
