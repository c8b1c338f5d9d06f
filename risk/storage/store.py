"""The one storage service: every read and change of a case goes through here.

Access control and audit live in the storage layer (base.py), not in the pages, so nothing can bypass them.
One transaction per call; saving never overwrites; every call that touches a case writes a hash-chained audit
entry in the same transaction. The parts live in their own modules: users, cases, assessments, plans, reports.
"""

from __future__ import annotations

from typing import Any

from risk.storage.accounts import UserInfo
from risk.storage.assessments import AssessmentsMixin
from risk.storage.base import (
    DEFAULT_DATA_DIR,
    AuthError,
    ConflictError,
    NotFound,
    PermissionDenied,
    StoreBase,
    database_url,
)
from risk.storage.cases import CasesMixin
from risk.storage.plans import ACTION_STATUSES, ActionPlanMixin
from risk.storage.reports import CasePage, CaseSummary, ReportsMixin
from risk.storage.users import UsersMixin

__all__ = [
    "ACTION_STATUSES",
    "DEFAULT_DATA_DIR",
    "AuthError",
    "CasePage",
    "CaseSummary",
    "ConflictError",
    "NotFound",
    "PermissionDenied",
    "Store",
    "StoreBase",
    "database_url",
]


class Store(UsersMixin, CasesMixin, AssessmentsMixin, ActionPlanMixin, ReportsMixin):
    """Cases, assessments, consents, action plans, users and the audit trail."""

    def export_case(self, user: UserInfo, case_id: int) -> dict[str, Any]:
        """The person's right of access: the case file with every visible version and the action plan."""
        case = self.get_case(user, case_id)
        history: dict[str, list[dict[str, Any]]] = {}
        for a in case["assessments"]:
            key = f"{a['checklist']}:{a['subject']}"
            history[key] = self.assessment_history(user, case_id, a["checklist"], a["subject"])
        with self._tx() as s:
            self._audit_read(s, user, "export_case", case_id, f"case:{case_id}")
        return {**case, "history": history, "actions": self.list_actions(user, case_id)}
