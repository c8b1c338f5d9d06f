"""Assessments: append-only versions per agency, kept conflicts, overrides, drafts, and reading a case as this
user may see it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Text, cast, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from risk import __version__
from risk.errors import InputError, problem
from risk.storage import schema as db
from risk.storage.access import CASE_WORKER_ROLES, CaseAccess, same_holder
from risk.storage.accounts import UserInfo
from risk.storage.base import (
    ConflictError,
    NotFound,
    PermissionDenied,
    StoreBase,
    _consent_dicts,
    _person_dict,
    assessment_content,
    override_content,
)
from risk.vocabulary import RiskLevel


def _org_key(access: CaseAccess, org: int | None) -> str | None:
    found = access.tree.get(org) if org is not None else None
    return found.key if found else None


class AssessmentsMixin(StoreBase):
    def save_assessment(
        self,
        user: UserInfo,
        case_id: int,
        assessment: dict[str, Any],
        base_version: int | None = None,
        reassess_by: date | None = None,
        reassess_reason: str | None = None,
    ) -> int:
        """Save a new version; ConflictError if `base_version` is not the latest (the refused save is kept).

        The reassessment date checklists/followup.yaml suggests is kept with the version; without `reassess_by`
        it is also the date the version is due again. A professional changes it later with `set_reassessment`."""
        from risk.checklists import default_checklists  # imported on use: the sign-in page needs none of these
        from risk.engine import assess
        from risk.followup import suggest_reassessment

        if user.role not in CASE_WORKER_ROLES:
            raise PermissionDenied(
                problem("save_assessment_role", "user", f"a {user.role} cannot save assessments", role=user.role)
            )
        checklist = str(assessment.get("checklist", ""))
        subject = str(assessment.get("subject", ""))
        about = assessment.get("about")
        about_key = _about_key(checklist, about if isinstance(about, str) else None)
        with self._tx() as s:
            case, _ = self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            persons = self._persons(s, case_id)
            case_file = {
                "context": case.context,
                "persons": [_person_dict(p) for p in persons],
                "assessments": [
                    {
                        **{k: v for k, v in assessment.items() if k in ("checklist", "subject", "about", "answers")},
                        "agency": user.agency,
                    }
                ],
            }
            result = assess(case_file)  # InputError names every problem; nothing is written
            scored = result.assessments[0]
            subject_person = next((p for p in persons if p.key == subject), None)
            suggested = suggest_reassessment(
                scored,
                self.clock().date(),
                subject_role=subject_person.role if subject_person else None,
                subject_age=subject_person.age if subject_person else None,
            ).date
            latest = self._latest_version_about(s, case_id, checklist, subject, about_key, user.agency)
            row = db.Assessment(
                case_id=case_id,
                checklist=checklist,
                subject=subject,
                about=assessment.get("about"),
                about_key=about_key,
                base_version=base_version,
                agency=user.agency,
                organisation_id=viewer.organisation,
                context=case.context,
                answers={k: str(v) for k, v in (assessment.get("answers") or {}).items()},
                result=scored.model_dump(mode="json"),
                level=scored.computed_level.value,
                checklist_version=default_checklists()[checklist].version,
                engine_version=__version__,
                saved_by=user.id,
                saved_at=self.clock(),
                reassess_by=reassess_by if reassess_by is not None else suggested,
                reassess_suggested=suggested,
                reassess_reason=reassess_reason.strip() if reassess_reason and reassess_reason.strip() else None,
            )
            if latest != base_version:
                row.conflict_with = latest
                s.add(row)
                s.flush()
                kept = row.id
                self._audit(
                    s,
                    user,
                    "save_conflict",
                    case_id,
                    f"assessment:{checklist}:{subject}",
                    base_version=base_version,
                    latest=latest,
                    kept=kept,
                    content=self.audit_key.content_digest(assessment_content(row)),
                )
            else:
                row.version = (latest or 0) + 1
                s.add(row)
                try:
                    s.flush()
                except IntegrityError:
                    # Another save took this version number between our read and write.
                    s.rollback()
                    return self._keep_conflict(user, case_id, assessment, base_version, row)
                self._touch(s, case_id)
                self._discard_draft(s, user, case_id, checklist, subject, about_key)
                self._audit(
                    s,
                    user,
                    "save_assessment",
                    case_id,
                    f"assessment:{checklist}:{subject}:{row.version}",
                    level=row.level,
                    row=row.id,
                    content=self.audit_key.content_digest(assessment_content(row)),
                )
                return row.version
        raise ConflictError(
            problem(
                "assessment_conflict",
                "base_version",
                f"{checklist} for {subject} was saved by someone else (version {latest}) after version {base_version} "
                f"that you started from. Your answers are kept (record {kept}); open the latest version and re-apply "
                "them.",
                checklist=checklist,
                person=subject,
                version=latest or 0,
                base_version=base_version or 0,
                kept=kept,
            ),
            latest or 0,
            kept,
        )

    def _keep_conflict(
        self, user: UserInfo, case_id: int, assessment: dict[str, Any], base_version: int | None, row: db.Assessment
    ) -> int:
        with self._tx() as s:
            latest = self._latest_version_about(s, case_id, row.checklist, row.subject, row.about_key, row.agency)
            kept = db.Assessment(
                **{
                    c: getattr(row, c)
                    for c in (
                        "case_id",
                        "checklist",
                        "subject",
                        "about",
                        "about_key",
                        "base_version",
                        "agency",
                        "organisation_id",
                        "context",
                        "answers",
                        "result",
                        "level",
                        "checklist_version",
                        "engine_version",
                        "saved_by",
                        "saved_at",
                        "reassess_by",
                        "reassess_suggested",
                        "reassess_reason",
                    )
                },
                conflict_with=latest,
            )
            s.add(kept)
            s.flush()
            self._audit(
                s,
                user,
                "save_conflict",
                case_id,
                f"assessment:{row.checklist}:{row.subject}",
                base_version=base_version,
                latest=latest,
                kept=kept.id,
                content=self.audit_key.content_digest(assessment_content(kept)),
            )
            kept_id = kept.id
        raise ConflictError(
            problem(
                "assessment_conflict",
                "base_version",
                f"{row.checklist} for {row.subject} was saved by someone else (version {latest}) after version "
                f"{base_version}. Your answers are kept (record {kept_id}); open the latest version and re-apply them.",
                checklist=row.checklist,
                person=row.subject,
                version=latest or 0,
                base_version=base_version or 0,
                kept=kept_id,
            ),
            latest or 0,
            kept_id,
        )

    def save_override(
        self,
        user: UserInfo,
        case_id: int,
        checklist: str,
        subject: str,
        level: str,
        reason: str,
        about: str | None = None,
    ) -> None:
        """Override the level of the latest version, with a required written reason; both levels are kept.

        `about` names which assessment, where the subject was assessed about several persons (one per perpetrator).
        """
        problems = []
        if level not in {lv.value for lv in RiskLevel}:
            problems.append(
                problem(
                    "override_level_unknown",
                    "level",
                    f"level: {level!r}; allowed: {', '.join(lv.value for lv in RiskLevel)}",
                    value=level,
                )
            )
        if not reason or not reason.strip():
            problems.append(
                problem(
                    "override_reason_missing", "reason", "reason: write why the level is changed; a reason is required"
                )
            )
        if problems:
            raise InputError(problems)
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            row = self._own_latest_row(s, user, case_id, checklist, subject, about)
            if (
                row.agency != user.agency
                or not same_holder(access.tree, row.organisation_id or 0, viewer.organisation)
                or viewer.role not in CASE_WORKER_ROLES
            ):
                raise PermissionDenied(
                    problem(
                        "override_own_only",
                        "user",
                        "only the agency that made an assessment may override its level",
                    )
                )
            override = db.Override(
                assessment_id=row.id, level=level, reason=reason.strip(), made_by=user.id, made_at=self.clock()
            )
            s.add(override)
            s.flush()
            self._touch(s, case_id)
            self._audit(
                s,
                user,
                "override",
                case_id,
                f"assessment:{checklist}:{subject}:{row.version}",
                computed=row.level,
                level=level,
                override=override.id,
                content=self.audit_key.content_digest(override_content(override)),
            )

    def _own_latest_row(
        self, s: Session, user: UserInfo, case_id: int, checklist: str, subject: str, about: str | None
    ) -> db.Assessment:
        """The latest saved version of the user's own agency's assessment (one person's `about` where it has
        several), for a change to it: an override or a reassessment date."""
        about_keys = s.execute(
            select(db.Assessment.about_key)
            .distinct()
            .where(
                db.Assessment.case_id == case_id,
                db.Assessment.checklist == checklist,
                db.Assessment.subject == subject,
                db.Assessment.agency == user.agency,
                db.Assessment.version.is_not(None),
            )
        ).scalars()
        about_key = _which_about(checklist, subject, about, list(about_keys))
        row = self._latest_row(s, case_id, checklist, subject, user.agency, about_key)
        if row is None:
            raise NotFound(
                f"no {checklist} assessment of {subject}" + (f" about {about}" if about else "") + f" in case {case_id}"
            )
        return row

    def set_reassessment(
        self,
        user: UserInfo,
        case_id: int,
        checklist: str,
        subject: str,
        reassess_by: date,
        reason: str = "",
        about: str | None = None,
    ) -> None:
        """Choose the reassessment date of the latest version. An earlier date than suggested needs no reason; a
        later one needs a written reason (the suggestion and the reason are kept beside the date, and audited)."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            row = self._own_latest_row(s, user, case_id, checklist, subject, about)
            if not same_holder(access.tree, row.organisation_id or 0, viewer.organisation) or (
                viewer.role not in CASE_WORKER_ROLES
            ):
                raise PermissionDenied(
                    problem(
                        "reassess_own_only",
                        "user",
                        "only the agency that made an assessment may change its reassessment date",
                    )
                )
            problems = reassessment_problems(reassess_by, row.reassess_suggested, reason, self.clock().date())
            if problems:
                raise InputError(problems)
            before = row.reassess_by
            row.reassess_by = reassess_by
            later = row.reassess_suggested is not None and reassess_by > row.reassess_suggested
            row.reassess_reason = reason.strip() if later else None
            self._touch(s, case_id)
            self._audit(
                s,
                user,
                "set_reassessment",
                case_id,
                f"assessment:{checklist}:{subject}:{row.version}",
                before=before.isoformat() if before else None,
                reassess_by=reassess_by.isoformat(),
                suggested=row.reassess_suggested.isoformat() if row.reassess_suggested else None,
                reason=bool(row.reassess_reason),
            )

    def save_draft(
        self,
        user: UserInfo,
        case_id: int,
        checklist: str,
        subject: str,
        answers: dict[str, str],
        about: str | None = None,
        base_version: int | None = None,
    ) -> None:
        """Keep the answers of an assessment in progress, so a browser refresh loses nothing. Only the checklist's
        item ids and answer codes (yes/no/unknown) are kept: a label such as "ja" is refused, never stored."""
        from risk.checklists import default_checklists
        from risk.drafts import answer_problems

        cl = default_checklists().get(checklist)
        if cl is None:
            raise InputError(
                [problem("checklist_unknown", "checklist", f"checklist: no checklist {checklist!r}", value=checklist)]
            )
        problems = answer_problems(answers, cl)
        if problems:
            raise InputError(problems)
        with self._tx() as s:
            self._open_case(s, user, case_id)
            drafts = self._draft_ids(s, user, case_id, checklist, subject)  # not loaded: a draft may be damaged
            about_key = _which_about(checklist, subject, about, list(drafts))
            kept = drafts.get(about_key)
            values: dict[str, Any] = {
                "answers": dict(answers),
                "base_version": base_version,
                "updated_at": self.clock(),
            }
            if about is not None:
                values["about"] = about
            if kept is None:
                s.add(
                    db.Draft(
                        user_id=user.id,
                        case_id=case_id,
                        checklist=checklist,
                        subject=subject,
                        about_key=about_key,
                        **values,
                    )
                )
            else:
                s.execute(update(db.Draft).where(db.Draft.id == kept).values(**values))
            self._audit(s, user, "save_draft", case_id, f"draft:{checklist}:{subject}", answered=len(answers))

    def get_draft(
        self, user: UserInfo, case_id: int, checklist: str, subject: str, about: str | None = None
    ) -> dict[str, Any] | None:
        """The draft of this checklist for this subject (and, where the checklist has an about_role, about whom).

        Never fails on what is stored: `answers` holds the valid answers, `dropped` what could not be kept (a word
        instead of a code, an item the checklist no longer has, text that is not JSON), see risk/drafts.py."""
        from risk.checklists import default_checklists
        from risk.drafts import DraftReading, Dropped, read_draft_answers

        with self._tx() as s:
            self._open_case(s, user, case_id)
            about_key = _which_about(
                checklist, subject, about, self._draft_abouts(s, user, case_id, checklist, subject)
            )
            row = s.execute(
                select(db.Draft.about, db.Draft.base_version, db.Draft.updated_at, cast(db.Draft.answers, Text)).where(
                    *self._draft_where(user, case_id, checklist, subject, about_key)
                )
            ).one_or_none()
            self._audit_read(s, user, "read_draft", case_id, f"draft:{checklist}:{subject}")
            if row is None:
                return None
            cl = default_checklists().get(checklist)
            reading = (
                read_draft_answers(row[3], cl)
                if cl is not None
                else DraftReading({}, [Dropped(None, checklist, "unknown_checklist")])
            )
            return {
                "answers": reading.answers,
                "dropped": [{"item": d.item, "stored": d.stored, "why": d.why} for d in reading.dropped],
                "about": row[0],
                "base_version": row[1],
                "updated_at": row[2].isoformat(),
            }

    def list_drafts(self, user: UserInfo) -> list[dict[str, Any]]:
        """This user's unsaved assessments, newest first, each with its case's reference and the person's role and
        age (so the list names them in words). The answers are not read: a damaged draft still shows here."""
        with self._tx() as s:
            person = db.Person
            rows = s.execute(
                select(
                    db.Draft.case_id,
                    db.Draft.checklist,
                    db.Draft.subject,
                    db.Draft.about,
                    db.Draft.updated_at,
                    db.Case.reference,
                    person.role,
                    person.age,
                )
                .join(db.Case, db.Case.id == db.Draft.case_id)
                .outerjoin(person, (person.case_id == db.Draft.case_id) & (person.key == db.Draft.subject))
                .where(db.Draft.user_id == user.id)
                .order_by(db.Draft.updated_at.desc(), db.Draft.id.desc())
            ).all()
            self._audit_read(s, user, "list_drafts", drafts=[f"{r[0]}:{r[1]}:{r[2]}" for r in rows])
            return [
                {
                    "case_id": r[0],
                    "checklist": r[1],
                    "subject": r[2],
                    **({"about": r[3]} if r[3] else {}),
                    "updated_at": r[4].isoformat(),
                    "reference": r[5],
                    **({"subject_role": r[6]} if r[6] else {}),
                    **({"subject_age": r[7]} if r[7] is not None else {}),
                }
                for r in rows
            ]

    def discard_draft(
        self, user: UserInfo, case_id: int, checklist: str, subject: str, about: str | None = None
    ) -> bool:
        """Throw away this user's draft (what it held is gone; the saved versions are untouched). True if there
        was one. Works on a draft that cannot be read, which is the point."""
        with self._tx() as s:
            self._open_case(s, user, case_id)
            about_key = _which_about(
                checklist, subject, about, self._draft_abouts(s, user, case_id, checklist, subject)
            )
            where = self._draft_where(user, case_id, checklist, subject, about_key)
            gone = s.execute(select(db.Draft.id).where(*where)).scalar_one_or_none() is not None
            s.execute(delete(db.Draft).where(*where))
            if gone:
                self._audit(s, user, "discard_draft", case_id, f"draft:{checklist}:{subject}")
            return bool(gone)

    def _draft_where(
        self, user: UserInfo, case_id: int, checklist: str, subject: str, about_key: str
    ) -> tuple[Any, ...]:
        return (
            db.Draft.user_id == user.id,
            db.Draft.case_id == case_id,
            db.Draft.checklist == checklist,
            db.Draft.subject == subject,
            db.Draft.about_key == about_key,
        )

    def _draft_abouts(self, s: Session, user: UserInfo, case_id: int, checklist: str, subject: str) -> list[str]:
        return list(
            s.execute(
                select(db.Draft.about_key).where(
                    db.Draft.user_id == user.id,
                    db.Draft.case_id == case_id,
                    db.Draft.checklist == checklist,
                    db.Draft.subject == subject,
                )
            ).scalars()
        )

    def _draft_ids(self, s: Session, user: UserInfo, case_id: int, checklist: str, subject: str) -> dict[str, int]:
        """The row ids of this user's drafts of the checklist for the subject, by about key (one statement)."""
        rows = s.execute(
            select(db.Draft.about_key, db.Draft.id).where(
                db.Draft.user_id == user.id,
                db.Draft.case_id == case_id,
                db.Draft.checklist == checklist,
                db.Draft.subject == subject,
            )
        )
        return {about_key: draft_id for about_key, draft_id in rows}

    def _discard_draft(
        self, s: Session, user: UserInfo, case_id: int, checklist: str, subject: str, about_key: str
    ) -> None:
        s.execute(delete(db.Draft).where(*self._draft_where(user, case_id, checklist, subject, about_key)))

    def _latest_version_about(
        self, s: Session, case_id: int, checklist: str, subject: str, about_key: str, agency: str
    ) -> int | None:
        return s.execute(
            select(func.max(db.Assessment.version)).where(
                db.Assessment.case_id == case_id,
                db.Assessment.checklist == checklist,
                db.Assessment.subject == subject,
                db.Assessment.about_key == about_key,
                db.Assessment.agency == agency,
            )
        ).scalar_one_or_none()

    def get_case(self, user: UserInfo, case_id: int) -> dict[str, Any]:
        """The case file of the contract, holding only what this user may see; PermissionDenied if none of it."""
        with self._tx() as s:
            case, access = self._open_case(s, user, case_id, full=True)
            visible = self._visible_rows(s, self._viewer(s, user), case_id, access)
            latest: dict[tuple[str, str, str, str], tuple[db.Assessment, str]] = {}
            for row, basis in visible:
                latest[(row.checklist, row.subject, row.about_key, row.agency)] = (row, basis)
            overrides = self._overrides(s, [r.id for r, _ in latest.values()])
            file = {
                "id": case.id,
                "reference": case.reference,
                "context": case.context,
                "synthetic": case.synthetic,
                "owner_agency": case.owner_agency,
                "agencies": sorted(access.agencies),
                "organisations": sorted(access.tree[o].key for o in access.organisations if o in access.tree),
                "persons": [_person_dict(p) for p in self._persons(s, case_id)],
                "consents": _consent_dicts(access),
                "assessments": [
                    {
                        "checklist": r.checklist,
                        "subject": r.subject,
                        **({"about": r.about} if r.about else {}),
                        "answers": dict(r.answers),
                        "version": r.version,
                        "agency": r.agency,
                        "organisation": _org_key(access, r.organisation_id),
                        "saved_at": r.saved_at.isoformat(),
                        "visible_because": basis,
                        "reassess_by": r.reassess_by.isoformat() if r.reassess_by else None,
                        **({"reassess_suggested": r.reassess_suggested.isoformat()} if r.reassess_suggested else {}),
                        **({"reassess_reason": r.reassess_reason} if r.reassess_reason else {}),
                    }
                    for r, basis in latest.values()
                ],
                "overrides": [
                    {
                        "checklist": r.checklist,
                        "subject": r.subject,
                        "agency": r.agency,
                        **({"about": r.about_key} if r.about_key else {}),
                        "level": o.level,
                        "reason": o.reason,
                    }
                    for r, _ in latest.values()
                    if (o := overrides.get(r.id)) is not None
                ],
                "concern_reports": sorted(access.concern_reported_children),
            }
            self._audit_read(
                s,
                user,
                "read_case",
                case_id,
                f"case:{case_id}",
                assessments=[f"{r.checklist}:{r.subject}:{r.version}" for r, _ in latest.values()],
            )
            return file

    def assessment_history(
        self, user: UserInfo, case_id: int, checklist: str, subject: str, about: str | None = None
    ) -> list[dict[str, Any]]:
        """Every visible version of one assessment, oldest first, with level and who saved it; with `about`,
        only the assessment about that person (one per perpetrator)."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id, full=True)
            rows = [
                (r, b)
                for r, b in self._visible_rows(s, self._viewer(s, user), case_id, access)
                if r.checklist == checklist
                and r.subject == subject
                and (about is None or r.about_key == _about_key(checklist, about))
            ]
            overrides = self._overrides(s, [r.id for r, _ in rows])
            self._audit_read(s, user, "read_history", case_id, f"assessment:{checklist}:{subject}")
            return [
                {
                    "version": r.version,
                    "agency": r.agency,
                    "saved_at": r.saved_at.isoformat(),
                    "computed_level": r.level,
                    "level": overrides[r.id].level if r.id in overrides else r.level,
                    "answers": dict(r.answers),
                    "result": r.result,
                }
                for r, _ in rows
            ]

    def conflicts(self, user: UserInfo, case_id: int) -> list[dict[str, Any]]:
        """Refused saves of this user's organisation, kept so nothing entered is lost."""
        with self._tx() as s:
            _, access = self._open_case(s, user, case_id)
            viewer = self._viewer(s, user)
            rows = [
                r
                for r in s.execute(
                    select(db.Assessment).where(
                        db.Assessment.case_id == case_id,
                        db.Assessment.version.is_(None),
                        db.Assessment.agency == user.agency,
                    )
                ).scalars()
                if same_holder(access.tree, r.organisation_id or 0, viewer.organisation)
            ]
            self._audit_read(s, user, "read_conflicts", case_id)
            return [
                {
                    "id": r.id,
                    "checklist": r.checklist,
                    "subject": r.subject,
                    "base_version": r.base_version,
                    "conflict_with": r.conflict_with,
                    "answers": dict(r.answers),
                    "saved_at": r.saved_at.isoformat(),
                }
                for r in rows
            ]

    def assess_case(self, user: UserInfo, case_id: int, lang: str = "en") -> dict[str, Any]:
        """The engine's result on what this user may see of the case (JSON-ready)."""
        from risk.engine import assess

        case = self.get_case(user, case_id)
        return assess(case, lang=lang).model_dump(mode="json")


def _about_key(checklist: str, about: str | None) -> str:
    """The `about` person is part of an assessment's key where the checklist has an about_role; '' elsewhere."""
    from risk.checklists import default_checklists

    cl = default_checklists().get(checklist)
    return (about or "") if cl is not None and cl.about_role is not None else ""


def _which_about(checklist: str, subject: str, about: str | None, existing: list[str]) -> str:
    """The about key a call means. Without `about`, the only one there is (as before several were allowed);
    where the subject was assessed about several persons, InputError asks which."""
    if about is not None or len(set(existing)) <= 1:
        return _about_key(checklist, about) if about is not None or not existing else existing[0]
    raise InputError(
        [
            problem(
                "about_ambiguous",
                "about",
                f"about: {checklist} of {subject} was assessed about more than one person; "
                f"say which ({', '.join(sorted(set(existing)))})",
                checklist=checklist,
                person=subject,
                persons=tuple(sorted(set(existing))),
            )
        ]
    )


def reassessment_problems(chosen: date, suggested: date | None, reason: str, today: date) -> list[str]:
    """What is wrong with a chosen reassessment date, in words (the rule: risk/followup.date_choice_problems)."""
    from risk.followup import date_choice_problems

    later = suggested.isoformat() if suggested else ""
    words = {
        "past": problem(
            "reassess_past",
            "reassess_by",
            f"reassess_by: {chosen.isoformat()} has passed; choose today or a later day",
            date=chosen.isoformat(),
        ),
        "needs_reason": problem(
            "reassess_needs_reason",
            "reason",
            f"reason: {chosen.isoformat()} is later than the suggested {later}; write why it can wait",
            date=chosen.isoformat(),
            suggested=later,
        ),
    }
    return [words[p] for p in date_choice_problems(chosen, suggested, reason, today)]
