"""Drafts are written behind the answer: an answer's rerun draws the level so far and ends, and a worker thread keeps
the draft in the Store meanwhile, so the page does not wait for the database (about a tenth of every answer in the
browser, benchmarks/app_answer.py).

Nothing is lost or reordered by that:
- the writes of one account (each of its browser sessions) keep their order, each waiting for the one before it,
  and each holds every answer of its form;
- every full run of a page for that account, in any of its sessions, starts after every write of the account
  already submitted has ended (`settle`): a refresh, another page, saving or discarding the assessment never read
  or overtake a draft still being written. Other accounts do not wait for it: a write held up by the database
  holds up only its own account;
- a write that failed is raised again in its session's next run (`raise_failure`, `settle`), where the page's
  usual handling says it: a reference for a fault, the sign-in page for a session that ended meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

WORKERS = 4  # accounts write side by side; one account's writes still go one after the other

_executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="samrisk-draft")
_lock = threading.Lock()
_last: dict[str, Future[None]] = {}  # each account's newest write
_failures: dict[str, BaseException] = {}  # each session's first failed write not yet said


def write_behind(account: str, session: str, write: Callable[[], object]) -> None:
    """Run `write` (a Store call that keeps a draft of `session`) after the account's earlier writes, in a worker.

    A worker waiting for the account's previous write cannot hold up that write: the previous one was submitted
    first and the pool takes its work in order, so it is running or done."""
    with _lock:
        before = _last.get(account)

        def run() -> None:
            if before is not None:
                wait([before])
            try:
                write()
            except BaseException as e:  # kept for the session's next run, which raises it
                with _lock:
                    _failures.setdefault(session, e)

        done: Future[None] = _executor.submit(run)
        _last[account] = done
    done.add_done_callback(lambda f: _forget(account, f))


def _forget(account: str, done: Future[None]) -> None:
    with _lock:
        if _last.get(account) is done:
            del _last[account]


def raise_failure(session: str) -> None:
    """Raise the session's failed write, if one failed (once); never waits."""
    with _lock:
        failure = _failures.pop(session, None)
    if failure is not None:
        raise failure


def forget_failure(session: str) -> None:
    """Drop the session's failed write, made moot by the assessment saved or the draft thrown away after it."""
    with _lock:
        _failures.pop(session, None)


def settle(account: str | None = None, session: str | None = None) -> None:
    """Wait until every write of `account` submitted so far has ended (of every account where None: the tests);
    then raise `session`'s failed write, if any."""
    with _lock:
        newest = [f for a, f in _last.items() if account is None or a == account]
    if newest:
        wait(newest)  # the newest write of an account ends after all its earlier ones
    if session is not None:
        raise_failure(session)
