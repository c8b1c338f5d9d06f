"""Check a case file against the contract and report every problem at once.

Each message names the field (as a path into the JSON) and says what is allowed,
so a person can fix the file without reading code.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from risk.checklists import Checklist
from risk.errors import InputError, describe
from risk.input_limits import bounded, check_case_shape, short, with_short_input
from risk.models import Case


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(case)"


def _pydantic_problems(e: ValidationError) -> list[str]:
    return [f"{_path(tuple(err['loc']))}: {describe(with_short_input(err))}" for err in e.errors()]


def parse_case(raw: Any, checklists: dict[str, Checklist]) -> Case:
    """Validate a case file (a dict from JSON) into a Case, or raise InputError with every problem."""
    if isinstance(raw, Case):
        raw = raw.model_dump(mode="json", exclude_none=True)
    if not isinstance(raw, dict):
        raise InputError(["(case): expected a JSON object with context, persons and assessments"])
    check_case_shape(raw)
    problems: list[str] = []
    case: Case | None = None
    try:
        case = Case.model_validate(raw)
    except ValidationError as e:
        problems += _pydantic_problems(e)
    problems += [p for p in _reference_problems(raw, checklists) if p not in problems]
    if problems or case is None:
        raise InputError(bounded(problems))
    return case


def _list(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = raw.get(key)
    return [_text_fields(x) if isinstance(x, dict) else {} for x in value] if isinstance(value, list) else []


def _text_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """Leave out fields that hold a list or object where text belongs: the schema check names them."""
    return {
        k: v
        for k, v in entry.items()
        if k in ("answers", "to_share_with") or not isinstance(v, (dict, list, set, tuple))
    }


def _reference_problems(raw: dict[str, Any], checklists: dict[str, Checklist]) -> list[str]:
    """Cross-references the schema cannot check: persons, checklists, items, overrides.

    Works on the raw dict so these are reported even when other fields have type errors.
    """
    problems: list[str] = []
    ids = [p.get("id") for p in _list(raw, "persons")]
    known_persons = ", ".join(short(i) for i in ids[:10] if i is not None) or "none defined"
    known_persons += f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    for n, pid in enumerate(ids):
        if pid is not None and ids.index(pid) != n:
            problems.append(f"persons[{n}].id: {pid!r} is used by more than one person; ids must be unique")
    for n, c in enumerate(_list(raw, "consents")):
        if "person" in c and c["person"] not in ids:
            problems.append(f"consents[{n}].person: unknown person {c['person']!r}; persons: {known_persons}")
    # One assessment per checklist, subject, agency and, where the checklist is about another person (about_role),
    # the person it is about: honour-based violence has several perpetrators, each assessed on their own.
    seen: set[tuple[Any, Any, Any, Any]] = set()
    for n, a in enumerate(_list(raw, "assessments")):
        where = f"assessments[{n}]"
        name, subject, about = a.get("checklist"), a.get("subject"), a.get("about")
        cl = checklists.get(name) if isinstance(name, str) else None
        if name is not None and cl is None:
            problems.append(f"{where}.checklist: unknown checklist {name!r}; allowed: {', '.join(checklists)}")
        if subject is not None and subject not in ids:
            problems.append(f"{where}.subject: unknown person {subject!r}; persons: {known_persons}")
        if about is not None and about not in ids:
            problems.append(f"{where}.about: unknown person {about!r}; persons: {known_persons}")
        if about is not None and about == subject:
            problems.append(f"{where}.about: an assessment cannot be about its own subject")
        by = a.get("agency")
        about_key = about if cl is not None and cl.about_role is not None else None
        if (name, subject, by, about_key) in seen:
            problems.append(
                f"{where}: a second {name} assessment of {subject}"
                + (f" about {about_key}" if about_key else "")
                + (f" by {by}" if by else "")
                + "; give one per checklist, subject and agency"
                + (", for each person it is about" if cl is not None and cl.about_role is not None else "")
            )
        seen.add((name, subject, by, about_key))
        answers = a.get("answers")
        if cl is not None and isinstance(answers, dict):
            for item in answers:
                if item not in cl.items:
                    problems.append(
                        f"{where}.answers.{item}: not an item of {cl.id}; its items start with {cl.item_prefix}."
                    )
    keys: list[tuple[Any, Any, Any, Any]] = []
    for n, o in enumerate(_list(raw, "overrides")):
        key = (o.get("checklist"), o.get("subject"), o.get("agency"), o.get("about"))
        reason = o.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append(f"overrides[{n}].reason: write why the level is changed; a reason is required")
        matches = [
            k
            for k in seen
            if k[:2] == key[:2] and (key[2] is None or k[2] == key[2]) and (key[3] is None or k[3] == key[3])
        ]
        if not matches:
            problems.append(
                f"overrides[{n}]: no {key[0]} assessment of {key[1]!r}"
                + (f" about {key[3]!r}" if key[3] is not None else "")
                + " in this case to override"
            )
        elif len({k[2] for k in matches}) > 1:
            problems.append(
                f"overrides[{n}].agency: {key[0]} of {key[1]} was assessed by more than one agency; say which"
            )
        elif len(matches) > 1:
            problems.append(
                f"overrides[{n}].about: {key[0]} of {key[1]} was assessed about more than one person; "
                f"say which ({', '.join(sorted(str(k[3]) for k in matches))})"
            )
        if key in keys:
            problems.append(f"overrides[{n}]: a second override of {key[0]} for {key[1]}; give one")
        keys.append(key)
    return problems
