"""The one rate limiter (apps/core/ratelimit.py), counting in the real Redis."""

import hashlib
import uuid
from collections.abc import Iterator

import pytest
from django_redis import get_redis_connection
from redis import Redis

from apps.core.ratelimit import Counter, Hits, digest, hit, hit_on


@pytest.fixture
def redis() -> Redis:
    return get_redis_connection("default")


@pytest.fixture
def name(redis: Redis) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"kura:test-ratelimit:{uuid.uuid4().hex}"
    yield prefix
    keys = list(redis.scan_iter(f"{prefix}:*"))
    if keys:
        redis.delete(*keys)


def test_a_hit_counts_each_counter_in_its_own_window(name, redis):
    first = Counter.window(f"{name}:a", limit=5, seconds=60)
    second = Counter.window(f"{name}:b", limit=5, seconds=3600)
    assert hit(first, second) == Hits(over=None, counts=(1, 1))
    hits = hit(first, second)
    assert hits == Hits(over=None, counts=(2, 2))
    assert hits.allowed
    assert hits.retry_after == 0
    assert 59_000 < redis.pttl(f"{name}:a") <= 60_000
    assert 3_599_000 < redis.pttl(f"{name}:b") <= 3_600_000


def test_the_first_counter_over_its_limit_stops_the_count(name, redis):
    caller = Counter.window(f"{name}:caller", limit=2, seconds=60)
    company = Counter.window(f"{name}:company", limit=10, seconds=60)
    assert [hit(caller, company).over for _ in range(4)] == [None, None, 0, 0]
    refused = hit(caller, company)
    assert refused.counts == (5,)  # the company's counter was not reached
    assert 59_000 < refused.wait_ms <= 60_000
    assert refused.retry_after == 60
    assert refused.retry_after_minutes == 1
    assert redis.get(f"{name}:caller") == b"5"
    assert redis.get(f"{name}:company") == b"2"


def test_a_later_counter_over_its_limit_is_named_with_its_wait(name):
    network = Counter.window(f"{name}:network", limit=20, seconds=120)
    email = Counter.window(f"{name}:email", limit=1, seconds=3600)
    hit(network, email)
    refused = hit(network, email)
    assert (refused.over, refused.counts) == (1, (2, 2))
    assert refused.retry_after == 3600
    assert refused.retry_after_minutes == 60


def test_a_counter_without_a_limit_only_counts(name):
    counted = Counter.window(f"{name}:n", limit=None, seconds=60)
    assert [hit(counted).counts[0] for _ in range(3)] == [1, 2, 3]
    assert hit(counted).allowed


def test_a_window_is_not_moved_by_later_hits(name, redis):
    counter = Counter.window(f"{name}:w", limit=None, seconds=60)
    hit(counter)
    redis.pexpire(counter.key, 5_000)  # as if most of the window had passed
    hit(counter)
    assert 0 < redis.pttl(counter.key) <= 5_000


def test_a_key_left_without_expiry_gets_its_window_on_the_next_hit(name, redis):
    """A DECR on a gone key (a success taking back its failure) leaves one that never
    expires; the next hit starts its window."""
    redis.decr(f"{name}:address")
    assert redis.pttl(f"{name}:address") == -1
    hits = hit(Counter.window(f"{name}:address", limit=None, seconds=900))
    assert hits.counts == (0,)
    assert 899_000 < redis.pttl(f"{name}:address") <= 900_000


def test_a_window_taken_back_to_zero_keeps_its_end(name, redis):
    """A success takes its failure back (DECR) inside the window: the next failure counts
    in the same window, as EXPIRE NX did."""
    counter = Counter.window(f"{name}:back", limit=None, seconds=900)
    hit(counter)
    redis.decr(counter.key)
    redis.pexpire(counter.key, 5_000)
    assert hit(counter).counts == (1,)
    assert 0 < redis.pttl(counter.key) <= 5_000


def test_a_clock_window_names_its_length_and_number_and_ends_with_it():
    counter = Counter.clock("kura:t:rate:user:1", limit=3, seconds=60, now=120_030.25)
    assert counter == Counter("kura:t:rate:user:1:60:2000", 3, 29_750)
    last_moment = Counter.clock("k", limit=None, seconds=2, now=9.9999)
    assert last_moment == Counter("k:2:4", None, 1)


def test_a_clock_window_refuses_until_the_clock_moves_on(name, redis):
    counter = Counter.clock(f"{name}:c", limit=1, seconds=3600)
    assert hit(counter).allowed
    refused = hit(counter)
    assert refused.over == 0
    assert 0 < refused.wait_ms <= counter.window_ms
    assert 0 < redis.pttl(counter.key) <= counter.window_ms


def test_a_hit_queued_on_a_pipeline_answers_as_one_of_its_own(name, redis):
    counter = Counter.window(f"{name}:p", limit=1, seconds=60)
    pipe = redis.pipeline(transaction=False)
    pipe.set(f"{name}:other", 1)
    hit_on(pipe, counter)
    hit_on(pipe, counter)
    stored, first, second = pipe.execute()
    assert stored is True
    assert Hits.of(first) == Hits(over=None, counts=(1,))
    refused = Hits.of(second)
    assert (refused.over, refused.counts, refused.retry_after) == (0, (2,), 60)


def test_hits_read_from_the_scripts_answer():
    assert Hits.of([0, 0, 4, 2]) == Hits(over=None, counts=(4, 2), wait_ms=0)
    over = Hits.of([b"2", b"1500", b"4", b"9"])
    assert over == Hits(over=1, counts=(4, 9), wait_ms=1500)
    assert (over.retry_after, over.retry_after_minutes) == (2, 1)
    assert Hits(over=0, counts=(3,), wait_ms=1).retry_after == 1
    assert Hits(over=0, counts=(3,), wait_ms=3_540_001).retry_after_minutes == 60


def test_digest_names_what_the_counters_of_sign_in_and_email_links_named_before():
    """The keys keep their names: counters running when this ships keep counting."""
    assert digest("a@example.com") == hashlib.sha256(b"a@example.com").hexdigest()[:32]
    assert (
        digest("a@example.com", "198.51.100.1")
        == hashlib.sha256(b"a@example.com\x00198.51.100.1").hexdigest()[:32]
    )
