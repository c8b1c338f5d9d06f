"""8 threads each save 60 versions of the same assessment: every version is there, only stale saves conflict.

480 saves race for the same version numbers, enough to show lost or doubled versions; 1,600 (the earlier figure)
cost minutes of CI once every save resolved its caller, checked organisations and signed its audit entry.
"""

from __future__ import annotations

import threading

import pytest

from risk.storage import ConflictError
from tests.storage.conftest import KEY, Clock, Store

THREADS, SAVES = 8, 60


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_concurrent_saves(backend: str) -> None:
    store = Store.open(backend, clock=Clock(), fast_hashing=True, key=KEY)
    store.add_user("anna", "a long passphrase", agency="police", role="officer")
    anna = store.authenticate("anna", "a long passphrase")
    cid = store.create_case(anna, reference="K-RACE")
    store.add_person(anna, cid, {"id": "v1", "role": "victim", "age": 30})
    saved: list[int] = []
    conflicts: list[tuple[int | None, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        base: int | None = None
        done = 0
        try:
            while done < SAVES:
                answers = {"dv.stalking": "yes" if (n + done) % 2 else "no"}
                try:
                    version = store.save_assessment(
                        anna,
                        cid,
                        {"checklist": "domestic_violence", "subject": "v1", "answers": answers},
                        base_version=base,
                    )
                except ConflictError as e:
                    with lock:
                        conflicts.append((base, e.latest_version))
                    base = e.latest_version  # re-read and try again, as the app does
                    continue
                with lock:
                    saved.append(version)
                base = version
                done += 1
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(saved) == list(range(1, THREADS * SAVES + 1))  # every version, none twice, no gaps
    history = store.assessment_history(anna, cid, "domestic_violence", "v1")
    assert [h["version"] for h in history] == list(range(1, THREADS * SAVES + 1))
    assert all(base is None or latest > base for base, latest in conflicts)  # only stale saves were refused
    assert len(store.conflicts(anna, cid)) == len(conflicts)  # and each refused save is kept
    assert store.verify_audit() == []
    store.close()
