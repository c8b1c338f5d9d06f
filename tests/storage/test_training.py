"""Training results per person and unit, and assignments, on SQLite and PostgreSQL: a trainee sees their own
results, a trainer (supervisor) their unit's and its sub-units', nobody else's; an attempt is never a case."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from risk.errors import InputError
from risk.storage import PermissionDenied, UserInfo
from risk.storage import schema as db
from risk.training import TraineeWork, default_training, expert_work
from tests.storage.conftest import Clock, Store
from tests.storage.test_audit_reads_and_roles import app_role  # noqa: F401  (the fixture)

PASS = "a long passphrase"
CASE = "police_strangulation_children"


def world(store: Store) -> dict[str, UserInfo]:
    store.add_organisation("polis_syd", "Polisregion Syd", "police")
    store.add_organisation("polis_syd.malmo", "Lokalpolisområde Malmö", "police", parent="polis_syd")
    store.add_organisation("polis_syd.lund", "Lokalpolisområde Lund", "police", parent="polis_syd")
    return {
        "anna": store.add_user("anna", PASS, "police", "officer", organisation="polis_syd.malmo"),
        "bo": store.add_user("bo", PASS, "police", "officer", organisation="polis_syd.malmo"),
        "cia": store.add_user("cia", PASS, "police", "officer", organisation="polis_syd.lund"),
        "trainer": store.add_user("trainer", PASS, "police", "supervisor", organisation="polis_syd.malmo"),
        "region": store.add_user("region", PASS, "police", "supervisor", organisation="polis_syd"),
        "admin": store.add_user("admin", PASS, "police", "admin", organisation="polis_syd"),
    }


def counts(store: Store) -> dict[str, int]:
    with store._tx() as s:
        return {
            t.__tablename__: int(s.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (db.Case, db.Person, db.Assessment, db.Override, db.Consent)
        }


def test_attempts_are_kept_per_person_and_unit_and_never_as_cases(store: Store) -> None:
    u = world(store)
    before = counts(store)
    case = default_training().cases[CASE]
    full = store.save_training_attempt(u["anna"], CASE, expert_work(case), datetime(2026, 11, 27, 8, 0))
    half = store.save_training_attempt(u["bo"], CASE, TraineeWork(sharing="none"), datetime(2026, 11, 27, 8, 0))
    store.save_training_attempt(u["cia"], CASE, TraineeWork(), datetime(2026, 11, 27, 8, 0))
    assert counts(store) == before  # no case, person, assessment, override or consent was made
    assert full.score == 100 and half.score < 50 and full.unit == "polis_syd.malmo"
    assert full.feedback.case_id == CASE and full.started_at < full.finished_at

    assert [a.username for a in store.training_attempts(u["anna"])] == ["anna"]
    assert [a.username for a in store.training_attempts(u["bo"])] == ["bo"]
    unit = store.training_attempts(u["trainer"], unit="polis_syd.malmo")
    assert sorted(a.username for a in unit) == ["anna", "bo"]
    region = store.training_attempts(u["region"], unit="polis_syd")
    assert sorted(a.username for a in region) == ["anna", "bo", "cia"]
    assert [a.username for a in store.training_attempts(u["region"], unit="polis_syd.lund")] == ["cia"]
    for who, unit_key in (("anna", "polis_syd.malmo"), ("trainer", "polis_syd.lund"), ("trainer", "polis_syd")):
        with pytest.raises(PermissionDenied):
            store.training_attempts(u[who], unit=unit_key)
    with pytest.raises(PermissionDenied):
        store.save_training_attempt(u["admin"], CASE, TraineeWork(), datetime(2026, 11, 27, 8, 0))
    with pytest.raises(InputError):
        store.save_training_attempt(u["anna"], "no_such_case", TraineeWork(), datetime(2026, 11, 27, 8, 0))
    actions = [e["action"] for e in store.audit_entries(u["admin"], limit=500)]
    assert actions.count("training_attempt") == 3
    assert "read_training_results" in actions and "training_results_refused" in actions
    assert store.verify_audit() == []


def test_a_trainer_assigns_cases_to_their_unit(store: Store) -> None:
    u = world(store)
    other = "police_refuses_to_answer"
    assert store.assign_training(u["trainer"], "polis_syd.malmo", [CASE, other], due=date(2026, 12, 20)) == [
        CASE,
        other,
    ]
    assert store.assign_training(u["trainer"], "polis_syd.malmo", [CASE], due=None) == []  # kept, due updated
    mine = store.training_assignments(u["anna"])
    assert {(a.case_id, a.due) for a in mine} == {(CASE, None), (other, date(2026, 12, 20))}
    assert all(a.assigned_by == "trainer" and a.unit == "polis_syd.malmo" for a in mine)
    assert store.training_assignments(u["cia"]) == []
    store.assign_training(u["region"], "polis_syd", [other])
    assert [a.case_id for a in store.training_assignments(u["cia"])] == [other]  # assigned above Lund: Lund sees it
    assert {a.case_id for a in store.training_assignments(u["region"], unit="polis_syd.malmo")} == {CASE, other}

    with pytest.raises(PermissionDenied):
        store.assign_training(u["anna"], "polis_syd.malmo", [CASE])
    with pytest.raises(PermissionDenied):
        store.assign_training(u["trainer"], "polis_syd.lund", [CASE])  # not their unit
    with pytest.raises(InputError) as e:
        store.assign_training(u["trainer"], "polis_syd.malmo", ["no_such_case"])
    assert "no_such_case" in str(e.value)
    with pytest.raises(InputError):
        store.assign_training(u["trainer"], "no_such_unit", [CASE])
    with pytest.raises(PermissionDenied):
        store.training_assignments(u["cia"], unit="polis_syd.malmo")
    actions = [e["action"] for e in store.audit_entries(u["admin"], limit=500)]
    assert actions.count("assign_training") == 3 and "assign_training_refused" in actions


def test_access_decisions_for_training_are_pure() -> None:
    from risk.storage.access import Org, Viewer, assignment_problems, may_read_attempt, sees_assignments_of

    tree = {1: Org(1, "police"), 2: Org(2, "police", 1), 3: Org(3, "police", 1), 4: Org(4, "healthcare")}
    officer, trainer, regional = (
        Viewer("officer", "police", 2),
        Viewer("supervisor", "police", 2),
        Viewer("supervisor", "police", 1),
    )
    assert may_read_attempt(officer, 10, 10, 2, tree) and not may_read_attempt(officer, 10, 11, 2, tree)
    assert may_read_attempt(trainer, 20, 11, 2, tree) and not may_read_attempt(trainer, 20, 12, 3, tree)
    assert may_read_attempt(regional, 30, 12, 3, tree) and not may_read_attempt(regional, 30, 13, 4, tree)
    assert assignment_problems(trainer, 2, tree) == [] and assignment_problems(regional, 3, tree) == []
    assert assignment_problems(trainer, 3, tree) and assignment_problems(officer, 2, tree)
    assert assignment_problems(trainer, None, tree) and assignment_problems(trainer, 99, tree)
    assert sees_assignments_of(officer, 1, tree) and sees_assignments_of(officer, 2, tree)
    assert not sees_assignments_of(officer, 3, tree) and sees_assignments_of(regional, 3, tree)


def test_a_trainer_is_offered_their_own_units(store: Store) -> None:
    u = world(store)
    assert store.training_units(u["trainer"]) == ["polis_syd.malmo"]
    assert store.training_units(u["region"]) == ["polis_syd", "polis_syd.lund", "polis_syd.malmo"]
    assert store.training_units(u["anna"]) == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_app_role_keeps_training_but_cannot_change_an_attempt(app_role: str) -> None:  # noqa: F811
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ProgrammingError

    from tests.storage.conftest import Clock

    store = Store.open(app_role, clock=Clock(), fast_hashing=True)
    store.add_user("anna", PASS, agency="police", role="officer")
    store.add_user("boss", PASS, agency="police", role="supervisor")
    anna, boss = store.authenticate("anna", PASS), store.authenticate("boss", PASS)
    store.save_training_attempt(anna, CASE, TraineeWork(), datetime(2026, 11, 27, 8, 0))
    store.assign_training(boss, "police", [CASE])
    store.assign_training(boss, "police", [CASE], due=date(2026, 12, 24))  # an assignment's due date may change
    assert [a.due for a in store.training_assignments(anna)] == [date(2026, 12, 24)]
    engine = create_engine(app_role)
    for attempt in ("DELETE FROM training_attempts", "UPDATE training_attempts SET score = 100"):
        with engine.connect() as c, pytest.raises(ProgrammingError, match="permission denied"):
            c.execute(text(attempt))
    engine.dispose()
    store.close()


def test_retention_deletes_old_practice_attempts_and_assignments(store: Store, clock: Clock) -> None:
    """Attempts are personal data about staff: retention deletes those older than its period (the cases' period, or
    `training_days`), and assignments due (or, without a due date, made) that long ago; newer ones stay."""
    u = world(store)
    case = default_training().cases[CASE]
    other = "police_refuses_to_answer"
    store.save_training_attempt(u["anna"], CASE, expert_work(case), clock.now)
    store.assign_training(u["trainer"], "polis_syd.malmo", [CASE])  # no due date: made now
    store.assign_training(u["region"], "polis_syd.lund", [other], due=(clock.now + timedelta(days=200)).date())
    clock.advance(days=100)
    store.save_training_attempt(u["bo"], CASE, TraineeWork(), clock.now)

    done = store.apply_retention(365)  # nothing is a year old yet
    assert (done, done.training_attempts, done.training_assignments) == ([], 0, 0)
    clock.advance(days=300)  # anna's attempt and the undated assignment are 400 days old; bo's 300; Lund's due 200
    done = store.apply_retention(365)
    assert (done.training_attempts, done.training_assignments) == (1, 1)
    assert [a.username for a in store.training_attempts(u["region"], unit="polis_syd")] == ["bo"]
    assert [a.case_id for a in store.training_assignments(u["region"], unit="polis_syd.lund")] == [other]
    assert store.training_assignments(u["region"], unit="polis_syd.malmo") == []

    assert store.apply_training_retention(150) == (1, 1)  # a shorter period for training alone
    assert store.training_attempts(u["region"], unit="polis_syd") == []
    assert store.training_assignments(u["region"], unit="polis_syd.lund") == []
    entries = [e for e in store.audit_entries(u["admin"], limit=500) if e["action"] == "retention_training"]
    assert len(entries) == 3
    assert store.verify_audit() == []
    with pytest.raises(PermissionDenied):
        store.apply_training_retention(30, by=u["trainer"])
    with pytest.raises(InputError):
        store.apply_training_retention(0)


def test_retention_on_the_command_line_names_the_training_rows(backend: str) -> None:
    from tests.conftest import run_cli

    done = run_cli("retention", "apply", "--days", "1095", "--training-days", "730", "--database", backend)
    assert done.returncode == 0, done.stderr
    assert "0 practice attempt(s) and 0 training assignment(s) older than 730 days" in done.stdout
