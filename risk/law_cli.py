"""`python -m risk law ask` and `law list`: the law navigator and the law overview on the command line.

`ask` asks its questions on a terminal when no answers are given; with options, or a JSON situation in a file or on
standard input (`--file -`), it asks nothing, so scripts can use it. Bad answers exit with status 2 and say what to
fix, as every command of risk/cli.py does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from risk.errors import InputError
from risk.input_limits import LIMITS, read_source
from risk.vocabulary import Agency, Context, Language, PersonRole, RiskLevel

if TYPE_CHECKING:  # the navigator loads the rules: only when a law command runs, not for every command
    from risk.navigator import Entry, NavigatorAnswer, OverviewSection


def engine_text(key: str, lang: Language | str, **fmt: Any) -> str:
    """risk.text's, imported when a text is needed: building the parser for `score` imports no pydantic."""
    from risk.text import engine_text as text

    return text(key, lang, **fmt)


def engine_level_word(level: RiskLevel | str, lang: Language | str) -> str:
    from risk.text import engine_level_word as word

    return word(level, lang)


T = TypeVar("T")


def add_law_parser(sub: Any) -> None:
    """The `law` command and its two actions, on the parser of risk/cli.py."""
    law = sub.add_parser("law", help="May I tell? The law navigator and the law overview by situation")
    actions = law.add_subparsers(dest="law_action", required=True)
    ask = actions.add_parser(
        "ask",
        help="what you must, may and may not do in a situation (asks on a terminal when no answers are given)",
    )
    ask.add_argument("--file", help="a situation as JSON (see risk/navigator.py Situation), or - for standard input")
    ask.add_argument("--agency", choices=[a.value for a in Agency], help="your agency")
    ask.add_argument("--context", choices=[c.value for c in Context], help="your setting (default: the agency's first)")
    ask.add_argument("--role", help="your role, e.g. nurse (shown only)")
    ask.add_argument(
        "--subject-role", choices=[r.value for r in PersonRole], help="the person: victim, suspect, child, ..."
    )
    ask.add_argument("--age", type=int, help="the person's age, if known")
    ask.add_argument(
        "--situation", action="append", default=[], help="what happened or may happen (repeat; see `law list`)"
    )
    ask.add_argument(
        "--consent-to", action="append", default=[], help="an agency the person consents to share with (repeat)"
    )
    ask.add_argument("--level", choices=[lv.value for lv in RiskLevel], help="your judgement of the level, if any")
    ask.add_argument("--lang", choices=[x.value for x in Language], default="en")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.set_defaults(func=cmd_law_ask)
    lst = actions.add_parser("list", help="every provision by situation, in plain words, with source and status")
    lst.add_argument("--situation", help="only this situation")
    lst.add_argument("--lang", choices=[x.value for x in Language], default="en")
    lst.add_argument("--json", action="store_true", help="print the overview as JSON")
    lst.set_defaults(func=cmd_law_list)


def _situation_from_args(args: argparse.Namespace) -> dict[str, Any]:
    raw: dict[str, Any] = {"agency": args.agency, "situations": args.situation, "consent_to": args.consent_to}
    for key, value in (
        ("context", args.context),
        ("role", args.role),
        ("subject_role", args.subject_role),
        ("age", args.age),
        ("level", args.level),
    ):
        if value is not None:
            raw[key] = value
    return raw


def _read_file(source: str) -> Any:
    try:
        data = read_source(source, LIMITS.case_bytes, "a situation")
    except OSError as e:
        raise InputError([f"--file: {source}: cannot be read: {e.strerror}"]) from None
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError([f"--file: {source}: not valid JSON: {e}"]) from None


def _choose(
    prompt: str,
    options: Sequence[T],
    label: Callable[[T], str],
    read: Callable[[str], str],
    lang: Language,
    many: bool = False,
    default: int | None = 0,
) -> list[T]:
    """Number the options, read the choice(s), ask again until they are valid."""
    print(prompt)
    for n, option in enumerate(options, 1):
        print(f"  {n}) {label(option)}")
    while True:
        shown = f" [{default + 1}]" if default is not None and not many else ""
        got = read(f"> {shown} ").strip()
        if not got:
            return [] if many or default is None else [options[default]]
        parts = [p.strip() for p in got.split(",")] if many else [got]
        numbers = [int(p) for p in parts if p.isdigit()]
        if len(numbers) == len([p for p in parts if p]) and all(1 <= n <= len(options) for n in numbers):
            return [options[n - 1] for n in numbers]
        print(engine_text("navigator.ask.invalid", lang, value=got))


def ask_interactively(lang: Language, read: Callable[[str], str] = input) -> dict[str, Any]:
    """The navigator's questions one by one on a terminal."""
    from risk.navigator import asking_agencies, contexts_of
    from risk.situations import default_navigator

    nav = default_navigator()
    print(engine_text("navigator.ask.intro", lang))

    def agency_word(a: Agency) -> str:
        return engine_text(f"navigator.agency.{a.value}", lang)

    def role_word(r: PersonRole) -> str:
        return engine_text(f"navigator.role.{r.value}", lang)

    prompt = engine_text
    agency = _choose(prompt("navigator.ask.agency", lang), asking_agencies(), agency_word, read, lang)[0]
    context = _choose(prompt("navigator.ask.context", lang), contexts_of(agency), str, read, lang)[0]
    subject = _choose(prompt("navigator.ask.subject_role", lang), list(PersonRole), role_word, read, lang)[0]
    age: int | None = None
    while True:
        got = read(f"{prompt('navigator.ask.age', lang)}: ").strip()
        if not got:
            break
        if got.isdigit() and int(got) <= 125:
            age = int(got)
            break
        print(engine_text("navigator.ask.invalid", lang, value=got))
    rules = list(nav.situations.values())
    picked = _choose(
        prompt("navigator.ask.situations", lang), rules, lambda s: s.title(lang), read, lang, many=True, default=None
    )
    consent = _choose(
        prompt("navigator.ask.consent_to", lang), list(Agency), agency_word, read, lang, many=True, default=None
    )
    return {
        "agency": agency,
        "context": context,
        "subject_role": subject,
        "age": age,
        "situations": [s.id for s in picked],
        "consent_to": consent,
    }


def cmd_law_ask(args: argparse.Namespace) -> int:
    from risk.navigator import navigate, parse_situation

    lang = Language(args.lang)
    if args.file:
        raw = _read_file(args.file)
    elif args.agency is None and sys.stdin.isatty():
        raw = ask_interactively(lang)
    elif args.agency is None:
        raise InputError(["law ask: give --agency (and the other answers), or --file, or run it on a terminal"])
    else:
        raw = _situation_from_args(args)
    answer = navigate(parse_situation(raw), lang)
    if args.json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(format_answer(answer, lang))
    return 0


def _entry_lines(e: Entry, lang: Language) -> list[str]:
    lines = [f"- {e.text}"]
    if e.consent_text:
        lines.append(f"    {e.consent_text}")
    if e.because:
        lines.append(f"    {engine_text('navigator.heading.because', lang)}: {'; '.join(e.because)}")
    if e.note:
        lines.append(f"    {e.note}")
    unverified = engine_text("navigator.heading.unverified", lang)
    lines += [f"    {p.citation}" + ("" if p.verified else f" ({unverified})") for p in e.provisions]
    return lines


def format_answer(answer: NavigatorAnswer, lang: Language) -> str:
    """The answer as plain text: must, may, may not, then the other agencies; the notice last."""
    lines = [f"{engine_text('navigator.heading.level', lang)}: {engine_level_word(answer.overall_level, lang)}"]
    for kind in ("must", "may", "may_not", "others"):
        lines += ["", f"{engine_text(f'navigator.heading.{kind}', lang)}:"]
        entries: list[Entry] = getattr(answer, kind)
        for e in entries:
            lines += _entry_lines(e, lang)
        if not entries:
            lines.append(f"  {engine_text('navigator.heading.no_entries', lang)}")
    lines += ["", answer.notice]
    return "\n".join(lines) + "\n"


def format_overview(sections: list[OverviewSection], lang: Language) -> str:
    """The law overview as plain text: each situation, each provision in plain words, source and status."""
    unverified = engine_text("navigator.heading.unverified", lang)
    lines: list[str] = []
    for section in sections:
        lines += [f"## {section.title} ({section.situation})", ""]
        for row in section.rows:
            p = row.provision
            lines.append(f"- {p.citation}" + ("" if p.verified else f" ({unverified})") + f": {p.title}")
            lines.append(f"    {p.paraphrase}")
            if row.uses:
                used = ", ".join(
                    f"{engine_text(f'navigator.agency.{a}', lang)} {engine_text(f'navigator.kind.{k}', lang)}"
                    for a, k in row.uses
                )
                lines.append(f"    {engine_text('navigator.heading.used_by', lang)}: {used}")
            lines.append(f"    {p.source}")
        lines.append("")
    return "\n".join(lines)


def cmd_law_list(args: argparse.Namespace) -> int:
    from risk.navigator import law_overview

    lang = Language(args.lang)
    sections = law_overview(lang, args.situation)
    if args.json:
        sys.stdout.write(json.dumps([s.model_dump() for s in sections], indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_overview(sections, lang))
    return 0
