"""Drafts written behind the answer (ui/draft_writer.py): the answer does not wait for the write, one account's
writes keep their order, `settle` waits for the account's writes and not for another's, and a failed write is
raised once, in its own session."""

from __future__ import annotations

import threading
import time

import pytest

from ui.draft_writer import raise_failure, settle, write_behind


def test_the_answer_does_not_wait_for_the_write_and_settle_does() -> None:
    release = threading.Event()
    written: list[str] = []

    def slow() -> None:
        release.wait(5)
        written.append("draft")

    started = time.monotonic()
    write_behind("a-wait", "s-wait", slow)
    assert time.monotonic() - started < 1 and written == []  # handed over, not written yet
    threading.Timer(0.2, release.set).start()
    settle("a-wait")
    assert written == ["draft"]


def test_one_accounts_writes_keep_their_order_whatever_each_takes() -> None:
    order: list[int] = []
    for n in range(8):  # the first writes the slowest: without the chain a later one would land first

        def write(n: int = n) -> None:
            time.sleep(0.05 * (8 - n) / 8)
            order.append(n)

        write_behind("a-order", f"s-order-{n % 2}", write)  # two sessions of one account (a refresh)
    settle("a-order")
    assert order == list(range(8))


def test_an_account_waits_for_its_own_writes_only() -> None:
    release = threading.Event()
    done: list[str] = []
    write_behind("a-stuck", "s-stuck", lambda: (release.wait(5), done.append("stuck")))  # type: ignore[misc]
    write_behind("a-free", "s-free", lambda: (time.sleep(0.1), done.append("free")))  # type: ignore[misc]
    started = time.monotonic()
    settle("a-free", "s-free")
    assert done == ["free"] and time.monotonic() - started < 2  # not held up by the other account's write
    release.set()
    settle()  # every account's: the tests' barrier
    assert sorted(done) == ["free", "stuck"]


def test_a_failed_write_is_raised_once_in_its_own_session_only() -> None:
    def broken() -> None:
        raise RuntimeError("the database went away")

    write_behind("a-broken", "s-broken", broken)
    write_behind("a-broken", "s-other", lambda: None)
    settle("a-broken", "s-other")  # the account's other session: nothing to say
    with pytest.raises(RuntimeError, match="went away"):
        settle("a-broken", "s-broken")
    raise_failure("s-broken")  # said once: the next run goes on


def test_a_failure_does_not_stop_the_accounts_later_writes() -> None:
    kept: list[str] = []

    def broken() -> None:
        raise RuntimeError("locked")

    write_behind("a-later", "s-later", broken)
    write_behind("a-later", "s-later", lambda: kept.append("every answer again"))
    with pytest.raises(RuntimeError):
        settle("a-later", "s-later")
    assert kept == ["every answer again"]
