"""After commit, once (apps/core/transactions.py), in real PostgreSQL transactions: these
tests run outside the test's wrapping transaction, and write nothing."""

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from apps.core.transactions import on_commit_batch, on_commit_once


class UndoError(Exception):
    pass


@pytest.fixture
def real_transactions(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Database access without a wrapping transaction: `atomic` commits and rolls back."""
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block
        yield
        assert not connection.in_atomic_block


pytestmark = pytest.mark.usefixtures("real_transactions")


def test_registered_once_per_transaction_however_many_calls():
    ran: list[str] = []
    with transaction.atomic():
        answers = [on_commit_once(lambda: ran.append("a"), key="t:once") for _ in range(3)]
        assert ran == []
    assert answers == [True, False, False]
    assert ran == ["a"]


def test_registered_again_in_the_next_transaction():
    ran: list[int] = []
    answers = []
    for n in (1, 2):
        with transaction.atomic():
            answers += [on_commit_once(lambda n=n: ran.append(n), key="t:next") for _ in range(2)]
    assert answers == [True, False, True, False]
    assert ran == [1, 2]


def test_after_a_rollback_the_next_transaction_registers_again():
    ran: list[str] = []
    with contextlib.suppress(UndoError), transaction.atomic():
        assert on_commit_once(lambda: ran.append("undone"), key="t:rollback")
        raise UndoError
    with transaction.atomic():
        assert on_commit_once(lambda: ran.append("kept"), key="t:rollback")
        assert not on_commit_once(lambda: ran.append("again"), key="t:rollback")
    assert ran == ["kept"]


def test_a_rolled_back_savepoint_takes_its_registration_with_it():
    ran: list[str] = []
    with transaction.atomic():
        with contextlib.suppress(UndoError), transaction.atomic():
            assert on_commit_once(lambda: ran.append("savepoint"), key="t:savepoint")
            raise UndoError
        assert on_commit_once(lambda: ran.append("outer"), key="t:savepoint")
        assert not on_commit_once(lambda: ran.append("again"), key="t:savepoint")
    assert ran == ["outer"]


def test_a_registration_outlives_a_savepoint_rolled_back_after_it():
    ran: list[str] = []
    with transaction.atomic():
        assert on_commit_once(lambda: ran.append("outer"), key="t:outer")
        with contextlib.suppress(UndoError), transaction.atomic():
            assert not on_commit_once(lambda: ran.append("savepoint"), key="t:outer")
            raise UndoError
        assert not on_commit_once(lambda: ran.append("again"), key="t:outer")
    assert ran == ["outer"]


def test_a_released_savepoint_keeps_its_registration():
    ran: list[str] = []
    with transaction.atomic():
        with transaction.atomic():
            assert on_commit_once(lambda: ran.append("inner"), key="t:released")
        assert not on_commit_once(lambda: ran.append("outer"), key="t:released")
    assert ran == ["inner"]


def test_outside_a_transaction_it_runs_at_once_each_time():
    ran: list[int] = []
    assert on_commit_once(lambda: ran.append(1), key="t:autocommit")
    assert ran == [1]
    assert on_commit_once(lambda: ran.append(2), key="t:autocommit")
    assert ran == [1, 2]


def test_keys_are_registered_apart():
    ran: list[str] = []
    with transaction.atomic():
        assert on_commit_once(lambda: ran.append("a"), key="t:a")
        assert on_commit_once(lambda: ran.append("b"), key="t:b")
        assert not on_commit_once(lambda: ran.append("a again"), key="t:a")
    assert ran == ["a", "b"]


def test_a_batch_gets_the_items_of_every_call_of_its_transaction():
    batches: list[list[int]] = []
    with transaction.atomic():
        assert on_commit_batch(batches.append, [1, 2], key="t:batch")
        assert not on_commit_batch(batches.append, iter([3]), key="t:batch")
        with transaction.atomic():
            assert not on_commit_batch(batches.append, [4], key="t:batch")
        assert batches == []
    with transaction.atomic():
        assert on_commit_batch(batches.append, [5], key="t:batch")
    assert batches == [[1, 2, 3, 4], [5]]


def test_a_batch_registered_in_a_rolled_back_savepoint_is_dropped_with_its_items():
    batches: list[list[str]] = []
    with transaction.atomic():
        with contextlib.suppress(UndoError), transaction.atomic():
            on_commit_batch(batches.append, ["never existed"], key="t:batch-savepoint")
            raise UndoError
        assert on_commit_batch(batches.append, ["kept"], key="t:batch-savepoint")
    assert batches == [["kept"]]


def test_a_callback_that_asks_again_while_running_is_run_again():
    """The callback forgets its registration before it runs: what it asks for is new."""
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        with transaction.atomic():
            assert on_commit_once(lambda: ran.append("second"), key="t:nested")

    with transaction.atomic():
        on_commit_once(first, key="t:nested")
    assert ran == ["first", "second"]


def test_a_robust_callback_that_fails_is_logged_by_its_own_name(caplog):
    def drain_soon() -> None:
        raise RuntimeError("broker down")

    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        with transaction.atomic():
            on_commit_once(drain_soon, key="t:robust", robust=True)
        with transaction.atomic():  # and it was forgotten: the next transaction asks again
            assert on_commit_once(drain_soon, key="t:robust", robust=True)
    message = (
        "Error calling test_a_robust_callback_that_fails_is_logged_by_its_own_name.<locals>"
        ".drain_soon in on_commit() during transaction (broker down)."
    )
    assert [r.getMessage() for r in caplog.records] == [message, message]


def test_no_app_reads_djangos_private_list_of_callbacks():
    apps = Path(__file__).resolve().parents[2] / "apps"
    readers = [
        path.relative_to(apps).as_posix()
        for path in apps.rglob("*.py")
        if "run_on_commit" in path.read_text()
    ]
    assert readers == []
