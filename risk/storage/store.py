"""The one storage service: every read and change of a case goes through here.

Access control and audit live in the storage layer (base.py), not in the pages, so nothing can bypass them.
One transaction per call; saving never overwrites; every call that touches a case writes a hash-chained audit
entry in the same transaction. The parts live in their own modules: users, cases, assessments, plans, reports.

Every public call that acts for someone (a `user` or `by` parameter) first resolves that caller from the
database (`resolve_user`, base.py): a missing, forged, edited or expired session or a disabled account is
refused before the call does anything (`_guard` below).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
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
from risk.storage.case_list import CaseListMixin
from risk.storage.cases import CasesMixin
from risk.storage.needs import NeedsMixin
from risk.storage.organisations import OrganisationsMixin
from risk.storage.plans import ACTION_STATUSES, ActionPlanMixin
from risk.storage.reports import CasePage, CaseSummary, ReportsMixin
from risk.storage.safety_plans import SafetyPlansMixin
from risk.storage.sessions import BrowserSessionsMixin
from risk.storage.trail import AuditTrailMixin
from risk.storage.training import TrainingMixin
from risk.storage.users import UsersMixin
from risk.storage.workflows import CaseRecordsMixin

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


class Store(
    UsersMixin,
    CaseRecordsMixin,
    CasesMixin,
    CaseListMixin,
    OrganisationsMixin,
    NeedsMixin,
    AssessmentsMixin,
    ActionPlanMixin,
    ReportsMixin,
    AuditTrailMixin,
    BrowserSessionsMixin,
    TrainingMixin,
    SafetyPlansMixin,
):
    """Cases, assessments, consents, action plans, users and the audit trail."""

    def export_case(self, user: UserInfo, case_id: int) -> dict[str, Any]:
        """The person's right of access: the case file with every visible version and the action plan."""
        case = self.get_case(user, case_id)
        history: dict[str, list[dict[str, Any]]] = {}
        abouts: dict[tuple[str, str], set[str | None]] = {}
        for a in case["assessments"]:
            abouts.setdefault((a["checklist"], a["subject"]), set()).add(a.get("about"))
        for a in case["assessments"]:
            several = len(abouts[(a["checklist"], a["subject"])]) > 1  # one assessment per perpetrator: name each
            key = f"{a['checklist']}:{a['subject']}" + (f"/{a['about']}" if several and a.get("about") else "")
            history[key] = self.assessment_history(user, case_id, a["checklist"], a["subject"], about=a.get("about"))
        with self._tx() as s:
            self._audit_read(s, user, "export_case", case_id, f"case:{case_id}")
        plans: list[dict[str, Any]] = []  # every version of every safety plan the user sees, earlier ones too
        for person, kind in dict.fromkeys((p["person"], p["kind"]) for p in self.safety_plans(user, case_id)):
            plans += self.safety_plan_versions(user, case_id, person, kind)
        return {**case, "history": history, "actions": self.list_actions(user, case_id), "safety_plans": plans}


ACTOR_PARAMETERS = ("user", "by")
# Public calls that act for no one: opening, signing in (which makes the session), the system actor, the caller
# resolution itself, the integrity check of the audit chain, whether the database is a demo, and the list of
# organisations (reference data for the sign-up and admin forms: names of agencies' units, nothing about a case).
UNGUARDED = frozenset(
    {
        "open",
        "close",
        "authenticate",
        "user_from_claims",
        "system_actor",
        "resolve_user",
        "verify_audit",
        "is_demo",
        "list_organisations",
        "anchor_audit",
        "resume_browser_session",  # the cookie is the credential, checked like a password (sessions.py)
        "end_browser_session",  # sign-out by the cookie alone: also when the account can no longer be resolved
    }
)


def _resolving_caller(method: Callable[..., Any], parameter: str) -> Callable[..., Any]:
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(self: Store, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        bound.arguments[parameter] = self.resolve_user(bound.arguments[parameter])
        return method(*bound.args, **bound.kwargs)

    call.__samrisk_resolves_caller__ = True  # type: ignore[attr-defined]
    return call


def _guard(cls: type[Store]) -> None:
    """Wrap every public method with a `user`/`by` parameter, including those added to the mixins later."""
    for name, method in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith("_") or name in UNGUARDED or getattr(method, "__samrisk_resolves_caller__", False):
            continue
        parameter = next((p for p in ACTOR_PARAMETERS if p in inspect.signature(method).parameters), None)
        if parameter is not None:
            setattr(cls, name, _resolving_caller(method, parameter))


_guard(Store)
