"""Drafts are written behind the answer: an answer's rerun draws the level so far and ends, and a worker thread keeps
the draft in the Store meanwhile, so the page does not wait for the database (about a tenth of every answer in the
browser, benchmarks/app_answer.py).

Nothing is lost or reordered by that:
- the writes of one session keep their order (each waits for the one before it) and each holds every answer;
- every full run of any page, in any session, starts after every write already submitted has ended (`settle`): a
  refresh, another page, saving or discarding the assessment never read or overtake a draft still being written;
- a write that failed is raised again in the session's next run (`raise_failure`, `settle`), where the page's usual
  handling says it: a reference for a fault, the sign-in page for a session that ended meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

WORKERS = 4  # sessions write side by side; one session's writes still go one after the other

_executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="samrisk-draft")
_lock = threading.Lock()
_last: dict[str, Future[None]] = {}  # each session's newest write
_failures: dict[str, BaseException] = {}  # each session's first failed write not yet said


def write_behind(session: str, write: Callable[[], object]) -> None:
    """Run `write` (a Store call that keeps a draft) after the session's earlier writes, in a worker thread.

    A worker waiting for its session's previous write cannot hold up that write: the previous one was submitted
    first and the pool takes its work in order, so it is running or done."""
    with _lock:
        before = _last.get(session)

        def run() -> None:
            if before is not None:
                wait([before])
            try:
                write()
            except BaseException as e:  # kept for the session's next run, which raises it
                with _lock:
                    _failures.setdefault(session, e)

        done: Future[None] = _executor.submit(run)
        _last[session] = done
    done.add_done_callback(lambda f: _forget(session, f))


def _forget(session: str, done: Future[None]) -> None:
    with _lock:
        if _last.get(session) is done:
            del _last[session]


def raise_failure(session: str) -> None:
    """Raise the session's failed write, if one failed (once); never waits."""
    with _lock:
        failure = _failures.pop(session, None)
    if failure is not None:
        raise failure


def settle(session: str | None = None) -> None:
    """Wait until every write submitted so far, of every session, has ended; then raise `session`'s failure."""
    with _lock:
        pending = list(_last.values())
    if pending:
        wait(pending)
    if session is not None:
        raise_failure(session)
