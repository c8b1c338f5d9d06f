"""The needs analysis (issue 11): what real use shows a unit needs training in, from a fixed number of reads.

Eight SELECTs whatever the number of cases: organisations, saved assessments, their overrides, the cases with their
persons, action items and drafts, and the draft saves of the audit trail. The figures are computed by the pure
functions of risk.needs; no row, answer or reference leaves this module, only counts with small cells hidden.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from risk.errors import InputError
from risk.storage import schema as db
from risk.storage.access import needs_analysis_scope, root
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied, StoreBase, _person_dict
from risk.vocabulary import Urgency

if TYPE_CHECKING:  # the analysis (pydantic models) is imported on use: the sign-in page needs none of it
    from risk.needs import NeedsAnalysis

SHORT_FORM = "short"


class NeedsMixin(StoreBase):
    def needs_analysis(self, user: UserInfo) -> NeedsAnalysis:
        """The needs analysis of the user's organisation (admins: all), per unit and month, small cells hidden."""
        from risk.engine import assess
        from risk.needs import CaseNeeds, FormTime, SavedFact, analyse, form_minutes, month_of

        with self._tx() as s:
            viewer = self._viewer(s, user)
            scope = needs_analysis_scope(viewer)
            if scope is None:
                raise PermissionDenied("the needs analysis is for supervisors")
            tree = self._tree(s)
            home = root(tree, viewer.organisation)
            orgs = [o for o in tree if scope == "all" or root(tree, o) == home]
            key: dict[int | None, str] = {o: tree[o].key for o in orgs}
            rows = list(
                s.execute(
                    select(
                        db.Assessment.id,
                        db.Assessment.case_id,
                        db.Assessment.checklist,
                        db.Assessment.subject,
                        db.Assessment.about,
                        db.Assessment.about_key,
                        db.Assessment.agency,
                        db.Assessment.organisation_id,
                        db.Assessment.version,
                        db.Assessment.answers,
                        db.Assessment.result,
                        db.Assessment.level,
                        db.Assessment.saved_by,
                        db.Assessment.saved_at,
                    )
                    .where(db.Assessment.version.is_not(None), db.Assessment.organisation_id.in_(orgs))
                    .order_by(db.Assessment.saved_at, db.Assessment.id)
                )
            )
            latest: dict[tuple[Any, ...], Any] = {}
            for r in rows:  # in time order: the last one of each assessment stays
                latest[(r.case_id, r.checklist, r.subject, r.about_key, r.agency)] = r
            ids = [r.id for r in latest.values()]
            changed: dict[int, str] = {}
            for assessment_id, level in s.execute(
                select(db.Override.assessment_id, db.Override.level)
                .where(db.Override.assessment_id.in_(ids))
                .order_by(db.Override.made_at, db.Override.id)
            ):
                changed[assessment_id] = level
            case_ids = sorted({r.case_id for r in latest.values()})
            contexts = dict(s.execute(select(db.Case.id, db.Case.context).where(db.Case.id.in_(case_ids))).all())
            persons: dict[int, list[dict[str, Any]]] = {}
            for p in s.execute(
                select(db.Person).where(db.Person.case_id.in_(case_ids)).order_by(db.Person.id)
            ).scalars():
                persons.setdefault(p.case_id, []).append(_person_dict(p))
            status: dict[str, tuple[int, str, str, str]] = {}  # item -> its latest version's (case, step, ...)
            for a in s.execute(
                select(
                    db.ActionItem.item,
                    db.ActionItem.case_id,
                    db.ActionItem.step_id,
                    db.ActionItem.owner_agency,
                    db.ActionItem.status,
                )
                .where(db.ActionItem.case_id.in_(case_ids))
                .order_by(db.ActionItem.version)
            ):
                status[a.item] = (a.case_id, a.step_id, a.owner_agency, a.status)
            done = {(c, step, agency) for c, step, agency, st in status.values() if st == "done"}
            drafted = {
                (d.case_id, d.checklist, d.subject)
                for d in s.execute(
                    select(db.Draft.case_id, db.Draft.checklist, db.Draft.subject).where(db.Draft.case_id.in_(case_ids))
                )
            }
            users = [u for (u,) in s.execute(select(db.User.id).where(db.User.organisation_id.in_(orgs)))]
            starts: dict[tuple[int | None, int | None], list[datetime]] = {}
            for user_id, case_id, at in s.execute(
                select(db.AuditEntry.user_id, db.AuditEntry.case_id, db.AuditEntry.at).where(
                    db.AuditEntry.action == "save_draft", db.AuditEntry.user_id.in_(users)
                )
            ):
                starts.setdefault((user_id, case_id), []).append(datetime.fromisoformat(at))
            self._audit_read(s, user, "read_needs_analysis", scope=scope, assessments=len(latest))

        saved = [
            SavedFact(
                unit=key[r.organisation_id],
                month=month_of(r.saved_at),
                checklist=r.checklist,
                form=str((r.result or {}).get("form", "")),
                unknown_items=tuple(i for i, v in (r.answers or {}).items() if v == "unknown"),
                computed_level=r.level or "",
                override_level=changed.get(r.id),
            )
            for r in latest.values()
        ]
        started = {(c, checklist, subject) for c, checklist, subject, _, _ in latest} | drafted
        cases: list[CaseNeeds] = []
        units_in_case: dict[tuple[int, int], list[Any]] = {}
        for r in latest.values():
            units_in_case.setdefault((r.case_id, int(r.organisation_id)), []).append(r)
        for (case_id, org), mine in sorted(units_in_case.items()):
            case_file = {
                "context": contexts[case_id],
                "persons": persons.get(case_id, []),
                "assessments": [
                    {
                        "checklist": r.checklist,
                        "subject": r.subject,
                        **({"about": r.about} if r.about else {}),
                        "answers": dict(r.answers or {}),
                        "agency": r.agency,
                    }
                    for r in mine
                ],
            }
            try:
                result = assess(case_file)
            except InputError:  # a case the engine no longer accepts (e.g. a checklist since changed): not counted
                continue
            agency = tree[org].agency
            immediate = [st for st in result.steps if st.urgency is Urgency.immediate and st.agency == agency]
            cases.append(
                CaseNeeds(
                    unit=key[org],
                    month=month_of(max(r.saved_at for r in mine)),
                    required=len(result.required_checklists),
                    required_not_started=sum(
                        (case_id, rc.checklist, rc.subject) not in started for rc in result.required_checklists
                    ),
                    immediate_steps=len(immediate),
                    immediate_not_done=sum((case_id, st.id, agency) not in done for st in immediate),
                )
            )
        saves: dict[tuple[int, int], list[Any]] = {}
        for r in rows:
            saves.setdefault((r.saved_by, r.case_id), []).append(r)
        by_time = {(r.saved_by, r.case_id, r.saved_at): r for r in rows}
        times = [
            FormTime(unit=key[r.organisation_id], month=month_of(at), minutes=minutes)
            for (user_id, case_id), mine in saves.items()
            for at, minutes in form_minutes(starts.get((user_id, case_id), []), [r.saved_at for r in mine])
            if (r := by_time[(user_id, case_id, at)]).result and r.result.get("form") == SHORT_FORM
        ]
        return analyse(scope, saved, cases, times)
