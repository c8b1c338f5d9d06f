"""Drafts written behind the answer (ui/draft_writer.py): the answer does not wait, one session's writes keep their
order, every write submitted is done when `settle` returns, and a failed write is raised once, in its own session."""

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
    write_behind("s-wait", slow)
    assert time.monotonic() - started < 1 and written == []  # handed over, not written yet
    threading.Timer(0.2, release.set).start()
    settle()
    assert written == ["draft"]


def test_one_sessions_writes_keep_their_order_whatever_each_takes() -> None:
    order: list[int] = []
    for n in range(8):  # the first writes the slowest: without the chain a later one would land first

        def write(n: int = n) -> None:
            time.sleep(0.05 * (8 - n) / 8)
            order.append(n)

        write_behind("s-order", write)
    settle()
    assert order == list(range(8))


def test_settle_waits_for_every_sessions_writes() -> None:
    done: list[str] = []
    for name in ("s-a", "s-b", "s-c"):
        write_behind(name, lambda name=name: (time.sleep(0.1), done.append(name)))  # type: ignore[misc]
    settle("s-a")
    assert sorted(done) == ["s-a", "s-b", "s-c"]


def test_a_failed_write_is_raised_once_in_its_own_session_only() -> None:
    def broken() -> None:
        raise RuntimeError("the database went away")

    write_behind("s-broken", broken)
    write_behind("s-other", lambda: None)
    settle("s-other")  # another session's run: nothing to say
    with pytest.raises(RuntimeError, match="went away"):
        settle("s-broken")
    raise_failure("s-broken")  # said once: the next run goes on


def test_a_failure_does_not_stop_the_sessions_later_writes() -> None:
    kept: list[str] = []

    def broken() -> None:
        raise RuntimeError("locked")

    write_behind("s-later", broken)
    write_behind("s-later", lambda: kept.append("every answer again"))
    with pytest.raises(RuntimeError):
        settle("s-later")
    assert kept == ["every answer again"]
