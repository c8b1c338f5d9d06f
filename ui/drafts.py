"""What the pages show of drafts: the list of unfinished assessments, what of a damaged draft was dropped, and the
confirmation before a draft is thrown away. Reading and discarding are the Store's (risk/drafts.py decides what
of a stored draft is valid); this module only puts it in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from risk.checklists import Checklist
from ui.i18n import t
from ui.labels import md_escape, shorten

DEFAULT_TIMEZONE = "Europe/Stockholm"  # where the browser does not say (and in tests)


def local_zone(name: str | None) -> ZoneInfo:
    """The browser's time zone (st.context.timezone), or Swedish time."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def when_words(stored_utc: str, lang: str, zone: ZoneInfo, now: datetime | None = None) -> str:
    """A stored time (ISO, UTC without zone) as a person says it, in local time: 'i dag 14:05', 'i går 09:30',
    '3 december 14:05', and the year too when it is not this year's."""
    at = datetime.fromisoformat(stored_utc).replace(tzinfo=UTC).astimezone(zone)
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    clock = at.strftime("%H:%M")
    day = at.date()
    if day == today:
        return t("drafts.today", lang, time=clock)
    if (today - day).days == 1:
        return t("drafts.yesterday", lang, time=clock)
    month = t(f"drafts.month.m{day.month}", lang)
    key = "drafts.on_day" if day.year == today.year else "drafts.on_day_year"
    return t(key, lang, day=day.day, month=month, year=day.year, time=clock)


def person_words(row: Mapping[str, Any], lang: str) -> str:
    """The person a draft is about: role and age ('utsatt, 31 år'), with the case file's id."""
    role = row.get("subject_role")
    if role is None:
        return t("drafts.no_person", lang, id=row["subject"])
    age = row.get("subject_age")
    words = t(f"role.{role}", lang) + (f", {t('pages.intake.years', lang, n=age)}" if age is not None else "")
    return f"{row['subject']} – {words}"


def draft_line(row: Mapping[str, Any], checklists: Mapping[str, Checklist], lang: str, zone: ZoneInfo) -> str:
    """One unfinished assessment as a Markdown line: case reference, checklist, person, when last changed."""
    checklist = checklists.get(row["checklist"])
    return t(
        "drafts.listed",
        lang,
        reference=md_escape(str(row["reference"])),
        checklist=checklist.title(lang) if checklist is not None else md_escape(row["checklist"]),
        person=person_words(row, lang),
        at=when_words(row["updated_at"], lang, zone),
    )


def dropped_lines(dropped: list[Mapping[str, Any]], checklist: Checklist | None, lang: str) -> list[str]:
    """What of a damaged draft was not kept, each in words: the question (shortened) and the stored text."""
    lines = []
    for d in dropped:
        item = checklist.items.get(d["item"]) if checklist is not None and d["item"] else None
        question = shorten(item.text(lang), 70) if item is not None else str(d["item"] or "")
        lines.append(
            "- " + t(f"drafts.why.{d['why']}", lang, item=md_escape(question), stored=md_escape(str(d["stored"])))
        )
    return lines


def confirm_discard(st: Any, key: str, lang: str, discard: Callable[[], None]) -> None:
    """A 'discard this draft' button that asks first; `discard` runs only on the second, explicit yes."""
    asking = f"discard.ask.{key}"
    if not st.session_state.get(asking):
        if st.button(t("drafts.discard", lang), key=f"discard.{key}", icon=":material/delete:"):
            st.session_state[asking] = True
            st.rerun()
        return
    st.warning(t("drafts.discard_confirm", lang), icon=":material/delete:")
    cols = st.columns(2)
    if cols[0].button(t("drafts.discard_yes", lang), key=f"discard.yes.{key}", type="primary"):
        st.session_state.pop(asking, None)
        discard()
    if cols[1].button(t("drafts.discard_no", lang), key=f"discard.no.{key}"):
        st.session_state.pop(asking, None)
        st.rerun()
