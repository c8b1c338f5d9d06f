"""How many concurrent users the audit chain allows: 50 simulated users reading and saving, with and without audit.

usage: python benchmarks/audit_concurrency.py [DATABASE_URL] [--users 50] [--seconds 10] [--save-share 0.2]
Default: a fresh database on the PostgreSQL server at 127.0.0.1:5432 (user postgres), dropped afterwards.

Each user is a thread with a case of its own (as in the app, one process with one thread per session, sharing one
connection pool), looping for a fixed time: open the case (get_case), or with probability `save-share` save a new
version of its assessment. The same load runs five ways in one run, so the figures are comparable:
  audit      every call appends to the keyed chain (the Store as shipped: reads in batches, see base.py)
  reads-only audit on, no saves
  locked     as before group commit: each read appends in its own transaction, holding the head lock to its end
  locked-ro  the same, no saves
  no-audit   the same calls as `audit` with the audit append replaced by nothing (the baseline; run last, since
             the trail no longer accounts for what it saves)
Prints calls per second and median / p95 latency per kind of call. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from risk.storage import ConflictError, Store, UserInfo
from risk.storage.audit import AuditKey

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASS = "a long passphrase"


def run(store: Store, users: list[tuple[UserInfo, int]], seconds: float, save_share: float) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {"get_case": [], "save_assessment": []}
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(users) + 1)
    deadline = 0.0

    def user_loop(n: int, user: UserInfo, case_id: int) -> None:
        rng = random.Random(n)
        version = store.get_case(user, case_id)["assessments"][0]["version"]
        mine: dict[str, list[float]] = {"get_case": [], "save_assessment": []}
        start.wait()
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                if rng.random() < save_share:
                    answers = {"dv.stalking": rng.choice(["yes", "no"]), "dv.strangulation": rng.choice(["yes", "no"])}
                    try:
                        version = store.save_assessment(
                            user,
                            case_id,
                            {"checklist": "domestic_violence", "subject": "v1", "answers": answers},
                            base_version=version,
                        )
                    except ConflictError as e:
                        version = e.latest_version
                    mine["save_assessment"].append(time.perf_counter() - t0)
                else:
                    store.get_case(user, case_id)
                    mine["get_case"].append(time.perf_counter() - t0)
        except BaseException as e:  # reported below
            errors.append(e)
        with lock:
            for k, v in mine.items():
                latencies[k].extend(v)

    threads = [threading.Thread(target=user_loop, args=(n, u, c)) for n, (u, c) in enumerate(users)]
    for t in threads:
        t.start()
    deadline = time.perf_counter() + seconds + 0.5
    start.wait()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return latencies


def report(name: str, latencies: dict[str, list[float]], seconds: float) -> None:
    total = sum(len(v) for v in latencies.values())
    parts = [f"{name:<11} {total / seconds:7.1f} calls/s"]
    for kind, values in latencies.items():
        if values:
            values = sorted(values)
            p95 = values[int(0.95 * (len(values) - 1))]
            parts.append(
                f"{kind} {len(values) / seconds:6.1f}/s median {statistics.median(values) * 1000:6.1f} ms "
                f"p95 {p95 * 1000:6.1f} ms"
            )
    print("  ".join(parts), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("url", nargs="?", help="SQLAlchemy URL of an empty database (default: a fresh PostgreSQL one)")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=float, default=10.0, help="per mode; five modes run")
    p.add_argument("--save-share", type=float, default=0.2)
    args = p.parse_args()

    created = None
    url = args.url
    if url is None:
        created = f"samrisk_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(DEFAULT_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{created}"'))
        url = make_url(DEFAULT_SERVER).set(database=created).render_as_string(hide_password=False)
    tmp = tempfile.mkdtemp()
    key = AuditKey(secrets.token_bytes(32), "benchmark")
    try:
        store = Store.open(url, fast_hashing=True, audit_key=key, anchor_path=Path(tmp) / "anchor.json")
        users = []
        for n in range(args.users):
            store.add_user(f"user{n}", PASS, agency="police", role="officer")
            user = store.authenticate(f"user{n}", PASS)
            cid = store.create_case(user, reference=f"B-{n}")
            store.add_person(user, cid, {"id": "v1", "role": "victim", "age": 30})
            store.save_assessment(user, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": {}})
            users.append((user, cid))
        print(
            f"{args.users} users, {args.seconds:.0f} s per mode, {args.save_share:.0%} saves, "
            f"{make_url(url).get_backend_name()}, pool {store.engine.pool.status()}",
            flush=True,
        )
        report("audit", run(store, users, args.seconds, args.save_share), args.seconds)
        report("reads-only", run(store, users, args.seconds, 0.0), args.seconds)
        batched = store._audit_read
        store._audit_read = store._audit  # type: ignore[method-assign]
        report("locked", run(store, users, args.seconds, args.save_share), args.seconds)
        report("locked-ro", run(store, users, args.seconds, 0.0), args.seconds)
        store._audit_read = batched  # type: ignore[method-assign]
        t0 = time.perf_counter()
        problems = store.verify_audit()
        print(
            f"audit trail after the run: {'intact' if not problems else problems[:3]} "
            f"(verified in {time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
        store._audit = lambda *a, **k: None  # type: ignore[method-assign]
        report("no-audit", run(store, users, args.seconds, args.save_share), args.seconds)
        store.close()
    finally:
        if created is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))
            admin.dispose()
        for f in Path(tmp).glob("*"):
            f.unlink()
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
