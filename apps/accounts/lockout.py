"""Counters that slow password guessing, kept in Redis (windows of apps/core/ratelimit.py).

Every place that checks a password (API and web sign-in, signup with an existing account,
accepting an invitation, the operators' admin) goes through `services.auth_check_password`,
which uses these. What they count:

- **attempts per (email, address)**, counted *before* the slow hash, so parallel requests
  cannot all slip under the limit. After LOGIN_FAILURE_LIMIT the pair is locked, for longer
  each time (LOGIN_LOCK_BASE_SECONDS doubling up to LOGIN_LOCK_SECONDS). Only that pair is
  locked: the person still signs in from their own address, so nobody can lock someone out
  by failing on purpose from elsewhere; an emailed link lifts every lock of the account.
  The email is counted whether or not an account has it, so the answer is the same.
- **failures per address** (LOGIN_IP_FAILURE_LIMIT a window, then 429). An (email,
  address) pair that has signed in successfully before is let through that limit, so a
  busy office behind one address (or a proxy Kura was not told about) is not locked out
  by one person's typos.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django_redis import get_redis_connection

from apps.core.ratelimit import Counter, Hits, digest, hit_on

KNOWN_PAIR_SECONDS = 30 * 24 * 3600
LOCK_LEVEL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Keys:
    email: str
    ip: str

    @property
    def pair(self) -> str:
        return digest(self.email, self.ip)

    @property
    def attempts(self) -> str:
        return f"kura:signin:attempts:{self.pair}"

    @property
    def lock(self) -> str:
        return f"kura:signin:lock:{self.pair}"

    @property
    def level(self) -> str:
        return f"kura:signin:level:{self.pair}"

    @property
    def known(self) -> str:
        return f"kura:signin:known:{self.pair}"

    @property
    def address(self) -> str:
        return f"kura:signin:address:{digest(self.ip)}"

    @property
    def locks_of_email(self) -> str:
        return f"kura:signin:locks-of:{digest(self.email)}"


@dataclass(frozen=True)
class Attempt:
    """What Redis said when an attempt was counted, before any password was checked."""

    locked_for: int  # seconds left on a lock of this (email, address); 0 if none
    attempts: int  # attempts of this pair in the window, this one included
    address_failures: int  # failures from this address in the window, this one included
    known_pair: bool


def attempt_count(keys: Keys) -> Attempt:
    """Count this attempt (one round trip), unless the pair is locked."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    pipe = get_redis_connection("default").pipeline(transaction=True)
    pipe.ttl(keys.lock)
    # Counted only: what passes depends on the lock and on the pair being known.
    hit_on(
        pipe,
        Counter.window(keys.attempts, limit=None, seconds=window),
        Counter.window(keys.address, limit=None, seconds=window),
    )
    pipe.exists(keys.known)
    lock_ttl, counted, known = pipe.execute()
    hits = Hits.of(counted)
    return Attempt(
        locked_for=max(int(lock_ttl), 0),
        attempts=hits.counts[0],
        address_failures=hits.counts[1],
        known_pair=bool(known),
    )


def wait_seconds(keys: Keys) -> int:
    """How long this pair waits: its lock, or (while the lock is being set) its window."""
    pipe = get_redis_connection("default").pipeline(transaction=False)
    pipe.ttl(keys.lock)
    pipe.ttl(keys.attempts)
    lock, attempts = pipe.execute()
    return max(int(lock), int(attempts), 1)


def address_retry_after(keys: Keys) -> int:
    return max(int(get_redis_connection("default").ttl(keys.address)), 1)


def pair_lock(keys: Keys) -> tuple[int, bool]:
    """Lock this (email, address) for longer each time; (seconds, first lock of the level)."""
    redis = get_redis_connection("default")
    level = int(redis.incr(keys.level))
    redis.expire(keys.level, LOCK_LEVEL_SECONDS)
    seconds = min(settings.LOGIN_LOCK_BASE_SECONDS * 2 ** (level - 1), settings.LOGIN_LOCK_SECONDS)
    pipe = redis.pipeline(transaction=True)
    pipe.set(keys.lock, 1, ex=seconds, nx=True)
    pipe.delete(keys.attempts)
    pipe.sadd(keys.locks_of_email, keys.pair)
    pipe.expire(keys.locks_of_email, LOCK_LEVEL_SECONDS)
    newly, *_rest = pipe.execute()
    return seconds, bool(newly)


def success(keys: Keys) -> None:
    """A right password: forget this pair's attempts, take back the address's count, and
    remember the pair as one that signs in from here."""
    pipe = get_redis_connection("default").pipeline(transaction=False)
    pipe.delete(keys.attempts)
    pipe.decr(keys.address)
    pipe.set(keys.known, 1, ex=KNOWN_PAIR_SECONDS)
    pipe.execute()


def locks_clear(email: str) -> int:
    """Lift every lock on `email`, from any address (the emailed unlock link)."""
    redis = get_redis_connection("default")
    pointer = Keys(email=email, ip="").locks_of_email
    pairs = [p.decode() if isinstance(p, bytes) else p for p in redis.smembers(pointer)]
    if not pairs:
        return 0
    names = [f"kura:signin:{kind}:{pair}" for pair in pairs for kind in ("lock", "attempts")]
    return int(redis.delete(*names, pointer))
