"""The case list: a page of the cases of the user's organisation, in a fixed number of statements.

Each case on the page needs its access facts, its visible assessments, their overrides and its action plan.
Read case by case that was seven statements per case (146 for a page of 20, 705 for the conference page's 100);
here each kind is one statement for the whole page (IN over the page's case ids), whatever the page size. A
search reads the index of the references' words (search.py), not every case.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from risk.storage import schema as db
from risk.storage.access import CASE_WORKER_ROLES, within
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied, StoreBase
from risk.storage.reports import CasePage, CaseSummary
from risk.storage.search import matching
from risk.vocabulary import RiskLevel

OPEN_STATUSES = ("planned", "in_progress")


class CaseListMixin(StoreBase):
    def list_cases(
        self, user: UserInfo, search: str = "", page: int = 1, page_size: int = 20, reassessment_due: bool = False
    ) -> CasePage:
        """The cases of the user's agency, newest activity first, paginated in the database. With
        `reassessment_due`, only cases where a latest version saved by the user's agency is due or overdue for
        reassessment (one condition in the same statement: the page's statement count does not change)."""
        if user.role not in (*CASE_WORKER_ROLES, "coordinator"):
            raise PermissionDenied(f"a {user.role} does not see individual cases")
        page, page_size = max(page, 1), min(max(page_size, 1), 100)
        with self._tx() as s:
            viewer = self._viewer(s, user)
            if viewer.role not in (*CASE_WORKER_ROLES, "coordinator"):
                raise PermissionDenied(f"a {viewer.role} does not see individual cases")
            tree = self._tree(s)
            mine = [o for o in tree if within(tree, viewer.organisation, o)] or [viewer.organisation]
            shared = select(db.CaseOrganisation.case_id).where(db.CaseOrganisation.organisation_id.in_(mine))
            q = select(db.Case).where(db.Case.id.in_(shared))
            q = q.where(*matching(s, search))  # words of the reference, from an index (search.py)
            if reassessment_due:
                q = q.where(db.Case.id.in_(_due_for_reassessment(user.agency, self.clock().date())))
            total = s.execute(select(func.count()).select_from(q.subquery())).scalar_one()
            cases = list(
                s.execute(
                    q.order_by(db.Case.last_activity.desc(), db.Case.id.desc())
                    .offset((page - 1) * page_size)
                    .limit(page_size)
                ).scalars()
            )
            ids = [c.id for c in cases]
            visible = self._visible_rows_many(s, viewer, self._access_many(s, ids, tree=tree))
            latest: dict[int, dict[tuple[str, str, str], db.Assessment]] = {cid: {} for cid in ids}
            for cid, rows in visible.items():
                for r, _ in rows:
                    latest[cid][(r.checklist, r.subject, r.agency)] = r
            overrides = self._overrides(s, [r.id for by_key in latest.values() for r in by_key.values()])
            actions: dict[int, dict[str, db.ActionItem]] = {cid: {} for cid in ids}
            if ids:
                for a in s.execute(
                    select(db.ActionItem)
                    .where(db.ActionItem.case_id.in_(ids))
                    .order_by(db.ActionItem.case_id, db.ActionItem.version)
                ).scalars():
                    actions[a.case_id][a.item] = a  # the latest version of each item
            today = self.clock().date()
            items = []
            for c in cases:
                rows_ = latest[c.id].values()
                levels = [RiskLevel(overrides[r.id].level if r.id in overrides else r.level) for r in rows_ if r.level]
                due = [r.reassess_by for r in rows_ if r.reassess_by]
                overdue = sum(
                    1 for a in actions[c.id].values() if a.due_date and a.due_date < today and a.status in OPEN_STATUSES
                )
                items.append(
                    CaseSummary(
                        c.id,
                        c.reference,
                        c.context,
                        c.owner_agency,
                        max(levels, key=lambda lv: lv.rank).value if levels else None,
                        len(rows_),
                        overdue,
                        min(due) if due else None,
                        c.last_activity,
                        c.synthetic,
                    )
                )
            self._audit_read(s, user, "list_cases", None, None, page=page, search=bool(search.strip()), cases=ids)
            return CasePage(items, total, page, page_size)


def _due_for_reassessment(agency: str, today: date) -> Select[int]:
    """The cases where a latest version saved by `agency` is due or overdue (risk/followup.due_state)."""
    latest, newer = aliased(db.Assessment), aliased(db.Assessment)
    superseded = (
        select(newer.id)
        .where(
            newer.case_id == latest.case_id,
            newer.checklist == latest.checklist,
            newer.subject == latest.subject,
            newer.about_key == latest.about_key,
            newer.agency == latest.agency,
            newer.version > latest.version,
        )
        .exists()
    )
    from risk.followup import default_followup  # imported on use: the sign-in page needs no checklists

    soon = today + timedelta(days=default_followup().due_soon_days)
    return select(latest.case_id).where(
        latest.agency == agency,
        latest.version.is_not(None),
        latest.reassess_by.is_not(None),
        latest.reassess_by <= soon,
        ~superseded,
    )
