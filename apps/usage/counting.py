"""API requests counted in Redis, one HINCRBY a request, taken out in batches by the flush.

Every request adds 1 to the field `<day>:<tenant id>` of one hash (LIVE). The flush renames
the hash to TAKEN (atomic: a request counted a moment later starts a new LIVE), names the
batch with an id stored in the hash itself, adds it to PostgreSQL with that id in the same
transaction, and only then deletes TAKEN if it still holds that batch. A flush that stops
anywhere leaves TAKEN behind; the next one finishes it, and the recorded id keeps it from
being added twice.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django_redis import get_redis_connection
from redis import Redis
from redis.exceptions import ResponseError

LIVE = "kura:usage:requests"
TAKEN = "kura:usage:requests:taken"
BATCH_FIELD = "batch"

# Deletes TAKEN only if it is still the batch that was added (a slower flush running
# beside this one must not delete a newer batch before it is added).
FORGET = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _redis() -> Redis:
    return get_redis_connection("default")


def request_count(*, tenant_id: int, day: date) -> None:
    """One API request of `tenant_id` on `day`: one round trip."""
    _redis().hincrby(LIVE, f"{day.isoformat()}:{tenant_id}", 1)


@dataclass(frozen=True)
class Batch:
    id: uuid.UUID
    counts: dict[tuple[int, date], int]  # (tenant id, day) -> requests


def batch_take() -> Batch | None:
    """The batch left by a flush that stopped, or else the counters counted so far; None
    when nothing was counted."""
    redis = _redis()
    if not redis.exists(TAKEN):
        try:
            redis.renamenx(LIVE, TAKEN)  # 0 when another flush took it meanwhile: finish that
        except ResponseError:  # no LIVE: nothing counted since the last flush
            return None
    # The id is set once, by whichever flush gets there first, and read back with the
    # counters in one transaction.
    with redis.pipeline(transaction=True) as pipe:
        pipe.hsetnx(TAKEN, BATCH_FIELD, str(uuid.uuid4()))
        pipe.hgetall(TAKEN)
        _set, fields = pipe.execute()
    batch_id = uuid.UUID(fields.pop(BATCH_FIELD.encode()).decode())
    if not fields:  # another flush finished it between our two looks: only our id is left
        batch_forget(batch_id)
        return None
    counts: dict[tuple[int, date], int] = {}
    for key, value in fields.items():
        day, _colon, tenant_id = key.decode().partition(":")
        counts[(int(tenant_id), date.fromisoformat(day))] = int(value)
    return Batch(id=batch_id, counts=counts)


def batch_forget(batch_id: uuid.UUID) -> None:
    """Delete the batch from Redis once PostgreSQL holds it."""
    _redis().eval(FORGET, 1, TAKEN, BATCH_FIELD, str(batch_id))
