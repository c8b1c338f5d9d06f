"""Organisations and their units: police regions and local police areas, health-care regions and clinics,
municipalities' social services. Users, case participants, consents and concern reports each name one.

Each agency type has a default organisation whose key is the agency, so a deployment with one organisation of
each kind needs no set-up and `agency="police"` keeps meaning what it did.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from risk.errors import InputError, problem
from risk.storage import schema as db
from risk.storage.access import ACCOUNT_MANAGERS
from risk.storage.accounts import UserInfo
from risk.storage.base import PermissionDenied, StoreBase
from risk.vocabulary import Agency

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,79}$")


class OrganisationsMixin(StoreBase):
    def add_organisation(
        self, key: str, name: str, agency: str, parent: str | None = None, by: UserInfo | None = None
    ) -> str:
        """Add an organisation, or a unit of one (`parent`, same agency). Returns its key."""
        assert by is not None  # the Store refuses a missing actor before this runs (store.py)
        if by.role not in ACCOUNT_MANAGERS:
            raise PermissionDenied("only an admin may add organisations")
        problems = []
        if not KEY_PATTERN.match(key):
            problems.append(f"key: {key!r}; use 2-80 lower-case letters, digits, '.', '_' or '-'")
        if not name.strip():
            problems.append("name: give the organisation's name")
        if agency not in {a.value for a in Agency}:
            problems.append(f"agency: {agency!r}; allowed: {', '.join(a.value for a in Agency)}")
        if key in {a.value for a in Agency} and key != agency:
            problems.append(f"key: {key!r} is the default organisation of another agency; choose another key")
        with self._tx() as s:
            parent_row = None
            if parent is not None:
                parent_row = self._organisation_by_key(s, parent)
                if parent_row is None:
                    problems.append(f"parent: no organisation {parent!r}")
                elif parent_row.agency != agency:
                    problems.append(f"parent: {parent!r} belongs to {parent_row.agency}, not {agency}")
            if self._organisation_by_key(s, key) is not None:
                problems.append(f"key: {key!r} is already taken")
            if problems:
                raise InputError(problems)
            org = db.Organisation(
                key=key,
                agency=agency,
                name=name.strip(),
                parent_id=parent_row.id if parent_row else None,
                created_at=self.clock(),
            )
            s.add(org)
            s.flush()
            self._audit(s, by, "add_organisation", record=f"organisation:{key}", agency=agency, parent=parent)
            return key

    def list_organisations(self) -> list[dict[str, Any]]:
        """Every organisation and unit (key, name, agency, parent): the names are not personal data."""
        with self._tx() as s:
            rows = list(s.execute(select(db.Organisation).order_by(db.Organisation.agency, db.Organisation.key)))
            keys = {o.id: o.key for (o,) in rows}
            return [
                {
                    "key": o.key,
                    "name": o.name,
                    "agency": o.agency,
                    "parent": keys.get(o.parent_id) if o.parent_id else None,
                }
                for (o,) in rows
            ]

    def _organisation_by_key(self, s: Session, key: str) -> db.Organisation | None:
        return s.execute(select(db.Organisation).where(db.Organisation.key == key)).scalar_one_or_none()

    def _resolve_organisation(
        self, s: Session, case_id: int | None, name: str, field: str, agency: str | None = None
    ) -> db.Organisation:
        """An organisation named by key, or by agency: the one organisation of that agency in the case, else the
        agency's only organisation. InputError, naming the choices, where an agency name is ambiguous."""
        agencies = {a.value for a in Agency}
        if name in agencies:
            wanted = name
            in_case = []
            if case_id is not None:
                in_case = list(
                    s.execute(
                        select(db.Organisation)
                        .join(db.CaseOrganisation, db.CaseOrganisation.organisation_id == db.Organisation.id)
                        .where(db.CaseOrganisation.case_id == case_id, db.Organisation.agency == wanted)
                    ).scalars()
                )
            candidates = in_case or list(
                s.execute(
                    select(db.Organisation).where(db.Organisation.agency == wanted, db.Organisation.parent_id.is_(None))
                ).scalars()
            )
            if not candidates:
                return self._default_organisation(s, wanted)
            if len(candidates) > 1:
                keys = ", ".join(sorted(o.key for o in candidates))
                raise InputError(
                    [
                        problem(
                            "organisation_ambiguous",
                            field,
                            f"{field}: {name} has several organisations here; name one of: {keys}",
                            agency=name,
                            organisations=tuple(sorted(o.key for o in candidates)),
                        )
                    ]
                )
            org = candidates[0]
        else:
            found = self._organisation_by_key(s, name)
            if found is None:
                raise InputError(
                    [
                        problem(
                            "organisation_unknown",
                            field,
                            f"{field}: {name!r} is neither an agency nor an organisation key",
                            value=name,
                        )
                    ]
                )
            org = found
        if agency is not None and org.agency != agency:
            raise InputError(
                [
                    problem(
                        "organisation_other_agency",
                        field,
                        f"{field}: {name!r} belongs to {org.agency}, not {agency}",
                        organisation=name,
                        organisation_agency=org.agency,
                        agency=agency,
                    )
                ]
            )
        return org
