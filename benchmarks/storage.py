"""How long saving an assessment and opening a case with 50 assessments take, against 100,000 stored cases.

usage: python benchmarks/storage.py [DATABASE_URL] [CASES]
Default: a fresh SQLite file in a temporary folder. Prints figures; not a test.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from risk.storage import Store
from risk.storage import schema as db


def fill(store: Store, user_id: int, cases: int) -> None:
    """Bulk-load synthetic cases straight into the tables (the Store would audit each one)."""
    start = datetime(2024, 1, 1)
    batch = 10_000
    with store.engine.begin() as c:
        for first in range(0, cases, batch):
            rows = [
                {
                    "id": n + 1,
                    "reference": f"SYNT-{n:06d}",
                    "context": "police_intake",
                    "owner_agency": "police",
                    "created_by": user_id,
                    "created_at": start + timedelta(minutes=n),
                    "last_activity": start + timedelta(minutes=n),
                    "synthetic": True,
                }
                for n in range(first, min(first + batch, cases))
            ]
            c.execute(insert(db.Case), rows)
            c.execute(
                insert(db.CaseAgency),
                [
                    {"case_id": r["id"], "agency": "police", "added_by": user_id, "added_at": r["created_at"]}
                    for r in rows
                ],
            )
            c.execute(
                insert(db.Person),
                [
                    {"case_id": r["id"], "key": "v1", "role": "victim", "age": 30 + r["id"] % 40, "gender": "female"}
                    for r in rows
                ],
            )
            c.execute(
                insert(db.Assessment),
                [
                    {
                        "case_id": r["id"],
                        "checklist": "domestic_violence",
                        "subject": "v1",
                        "version": 1,
                        "agency": "police",
                        "context": "police_intake",
                        "answers": {"dv.stalking": "yes"},
                        "result": None,
                        "level": "low",
                        "checklist_version": "bulk",
                        "engine_version": "bulk",
                        "saved_by": user_id,
                        "saved_at": r["created_at"],
                    }
                    for r in rows
                ],
            )
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as c:
            c.exec_driver_sql("SELECT setval('cases_id_seq', (SELECT max(id) FROM cases))")
            c.exec_driver_sql("ANALYZE")


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for n in range(runs):
        t = time.perf_counter()
        fn(n)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and "://" in sys.argv[1] else None
    cases = int(sys.argv[-1]) if sys.argv[-1].isdigit() else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(url or f"sqlite:///{tmp}/bench.sqlite3")
        bench_user = f"bench{time.time_ns()}"
        system = store.system_actor("benchmark")
        store.add_user(bench_user, "a long passphrase", agency="police", role="officer", by=system)
        user = store.authenticate(bench_user, "a long passphrase")
        t = time.perf_counter()
        with store.engine.connect() as c:
            empty = c.exec_driver_sql("SELECT count(*) FROM cases").scalar_one() == 0
        if empty:  # give a fresh database; an existing one is measured as it is
            fill(store, user.id, cases)
        name = store.engine.dialect.name
        print(f"database: {name}; {cases:,} stored cases loaded in {time.perf_counter() - t:.1f} s")
        cid = store.create_case(user, reference="BENCH-50")
        for n in range(10):
            store.add_person(user, cid, {"id": f"p{n}", "role": "victim", "age": 20 + n})
        checklists = ["domestic_violence", "psychiatric", "child_welfare", "criminal_network", "domestic_violence"]
        answers = {
            "domestic_violence": {"dv.strangulation": "yes", "dv.stalking": "unknown"},
            "psychiatric": {"psy.suicidal_thoughts": "yes"},
            "child_welfare": {"child.neglect": "no"},
            "criminal_network": {"cn.involvement": "no"},
        }
        versions: dict[tuple[str, str], int] = {}

        def save(n: int) -> None:
            checklist, subject = checklists[n % 4], f"p{(n // 4) % 10}"
            key = (checklist, subject)
            versions[key] = store.save_assessment(
                user,
                cid,
                {"checklist": checklist, "subject": subject, "answers": answers[checklist]},
                base_version=versions.get(key),
            )

        saves = timed(save, 50)
        opens = timed(lambda n: store.get_case(user, cid), 20)
        lists = timed(lambda n: store.list_cases(user, page=1, page_size=20), 10)
        print(f"save an assessment:            median {statistics.median(saves):6.1f} ms  (max {max(saves):.1f})")
        print(f"open a case with 50 versions:  median {statistics.median(opens):6.1f} ms  (max {max(opens):.1f})")
        print(f"list cases, first page of 20:  median {statistics.median(lists):6.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
