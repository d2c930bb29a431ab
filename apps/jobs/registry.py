"""One handler per job kind. Handlers run inside the job's tenant schema, in the same
transaction that marks the job succeeded, so their database effects happen exactly once;
anything outside the database (email) goes in `transaction.on_commit`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apps.jobs.models import Job

Handler = Callable[["Job"], None]


@dataclass(frozen=True)
class Registration:
    run: Handler
    # Called once, in the tenant, when the job is given up (dead).
    on_dead: Handler | None = None


_handlers: dict[str, Registration] = {}


def job_handler(kind: str, *, on_dead: Handler | None = None) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind`."""

    def register(handler: Handler) -> Handler:
        if kind in _handlers and _handlers[kind].run is not handler:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        _handlers[kind] = Registration(run=handler, on_dead=on_dead)
        return handler

    return register


def handler_for(kind: str) -> Registration:
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"no handler for job kind {kind!r}") from None
