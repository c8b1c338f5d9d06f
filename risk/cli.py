"""The command line of contract.md: a thin layer over risk.assess and risk.score_frame.

Bad input: exit status 2, one message per problem on standard error, nothing on standard
output and no file half-written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from risk.errors import ChecklistError, InputError, SamriskError
from risk.input_limits import LIMITS, bounded, load_case_json, read_source
from risk.law_cli import add_law_parser
from risk.vocabulary import Context, Language


def _read_json(source: str) -> Any:
    """A case file as plain values; at most LIMITS.case_bytes are read, whatever the source."""
    try:
        data = read_source(source, LIMITS.case_bytes, "a case file")
    except OSError as e:
        raise InputError([f"{source}: cannot be read: {e.strerror}"]) from None
    return load_case_json(data, "standard input" if source == "-" else source)


def _check_output(path: Path, option: str = "-o") -> None:
    """Refuse a target that is not, or would not become, a plain file: a link, device, pipe or folder."""
    if not path.parent.exists():
        raise InputError([f"{option}: folder {path.parent} does not exist"])
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise InputError([f"{option}: {path} is a symbolic link; give the path of a plain file"])
    if not stat.S_ISREG(info.st_mode):
        raise InputError([f"{option}: {path} is not a regular file (a device, pipe or folder); give a file path"])


def _write_atomically(path: Path, write: Any) -> None:
    """Write to a temporary file beside the target, flush it to disk, then rename: never a half-written file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_assess(args: argparse.Namespace) -> int:
    from risk.engine import assess

    result = assess(_read_json(args.case), lang=args.lang)
    sys.stdout.write(result.model_dump_json(indent=2 if args.pretty else None) + "\n")
    return 0


def _lean_arrow_memory() -> None:
    """pyarrow's jemalloc pool for this command: it keeps less freed memory than the default mimalloc (peak
    memory of `score` on 1,000,000 rows 221 MB against 232 MB, the same speed). Process-wide, so only here."""
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc: its default pool
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def _score_checklists(name: str) -> Any:
    """The checklist `score` scores, in its plain form read straight from the YAML (risk.plain_checklist: no
    pydantic models, a third of the start-up); the models of every checklist where that form does not read it
    (an unknown name, or a file the models must judge: they name what is wrong)."""
    from risk.plain_checklist import NotPlain, is_checklist_name, load_plain

    if is_checklist_name(name):
        with contextlib.suppress(NotPlain):
            return {name: load_plain(name)}
    from risk.checklists import default_checklists

    return default_checklists()


def cmd_score(args: argparse.Namespace) -> int:
    from risk.batch import open_answers_csv
    from risk.batch_read import Reading, Unsupported, answer_columns

    if args.output:
        _check_output(Path(args.output))
    checklists = _score_checklists(args.checklist)
    opened = open_answers_csv(args.file, args.checklist, sep=args.sep, checklists=checklists)
    _lean_arrow_memory()
    # pyarrow parses the first blocks on the other core while the rest (pyarrow.compute, the plan) is loaded
    reading = Reading(opened, answer_columns(checklists[args.checklist].items, opened.header))
    try:
        from risk.batch_arrow import score_csv

        return _score_arrow(args, score_csv(opened, args.checklist, args.context, checklists, reading))
    except Unsupported:  # a file pyarrow does not parse as pandas does: pandas, and its messages
        pass
    finally:
        reading.close()
    from risk.batch import ADDED, neutralise_formulas, read_opened_csv, score_frame

    scored = score_frame(read_opened_csv(opened), args.checklist, context=args.context)
    out = neutralise_formulas(scored, keep={*checklists[args.checklist].items, *ADDED})

    # CRLF line ends (RFC 4180, as Excel writes): the writer then quotes any cell holding a CR or LF,
    # which it does not do for a lone CR with LF line ends, so a cell could not start a row of its own.
    def write(target: Any) -> None:
        out.to_csv(target, index=False, sep=opened.sep, lineterminator="\r\n")

    if args.output:
        _write_atomically(Path(args.output), write)
    else:
        write(sys.stdout)
    return 0


def _score_arrow(args: argparse.Namespace, blocks: Iterator[bytes | Any]) -> int:
    """Write what risk.batch_arrow.score_csv yields: never a half-written file, nothing on standard output
    before every cell is checked. `Unsupported` (from score_csv) leaves nothing behind."""
    if args.output:  # written while read; a bad cell or Unsupported removes the temporary file
        _write_atomically(Path(args.output), lambda target: _write_blocks(target, blocks))
    else:  # nothing on standard output before every cell is checked: spooled to a temporary file first
        with tempfile.TemporaryFile() as spool:
            for block in blocks:
                spool.write(block)
            spool.seek(0)
            raw = getattr(sys.stdout, "buffer", None)  # a text stream without bytes below (redirected): decode
            if raw is None:
                sys.stdout.write(spool.read().decode("utf-8"))
            else:
                sys.stdout.flush()
                shutil.copyfileobj(spool, raw, 1 << 20)
                raw.flush()
    return 0


def _write_blocks(target: Any, blocks: Iterator[bytes | Any]) -> None:
    target.flush()
    for block in blocks:
        target.buffer.write(block)
    target.buffer.flush()


def _read_table(args: argparse.Namespace, wanted: list[str]) -> Any:
    from risk.batch import choose_by_columns, read_csv_table

    df, _ = read_csv_table(
        args.file, args.sep, lambda head, truncated: choose_by_columns(head, truncated, set(wanted), args.file)
    )
    return df


def cmd_validate(args: argparse.Namespace) -> int:
    from risk.local_validation import table, validate_frame

    df = _read_table(args, [args.outcome, *([args.score] if args.score else []), *args.group])
    report = validate_frame(
        df,
        args.outcome,
        score=args.score,
        checklist=args.checklist,
        groups=args.group,
        n_boot=args.bootstrap,
        seed=args.seed,
    )
    sys.stdout.write(report.model_dump_json(indent=2) + "\n" if args.json else table(report))
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
    from risk.points_score import learn_frame, proposal_yaml, table_text

    if args.propose:
        if not args.checklist:
            raise InputError(["--propose: give --checklist ID too; a proposal is a weights file for a checklist"])
        _check_output(Path(args.propose), "--propose")
    df = _read_table(args, [args.outcome, *([args.score] if args.score else []), *args.exclude])
    result = learn_frame(
        df,
        args.outcome,
        max_items=args.max_items,
        folds=args.folds,
        seed=args.seed,
        max_points=args.max_points,
        score=args.score,
        checklist=args.checklist,
        exclude=args.exclude,
        cuts=args.cuts,
    )
    if args.propose:
        text = proposal_yaml(result, args.checklist)
        _write_atomically(Path(args.propose), lambda f: f.write(text))
        print(f"proposal written to {args.propose}; review it before changing any checklist", file=sys.stderr)
    sys.stdout.write(result.model_dump_json(indent=2) + "\n" if args.json else table_text(result))
    return 0


def cmd_checklists(args: argparse.Namespace) -> int:
    from risk.checklists import CHECKLIST_DIR, checklist_schema, load_checklists
    from risk.followup import followup_schema, load_followup
    from risk.rules import load_rules, rule_schemas
    from risk.safety_plans import load_safety_plans, safety_plan_schema
    from risk.situations import load_navigator, situation_schema

    directory = Path(args.dir) if args.dir else CHECKLIST_DIR
    if args.action == "validate":
        checklists = load_checklists(directory)
        rules = load_rules(directory, checklists)
        from risk.guidance import load_library, unresolved

        library = load_library(check_links=False)
        broken = unresolved(library, checklists, rules)
        if broken:
            raise ChecklistError(broken)
        for cl in checklists.values():
            print(f"{cl.id} {cl.version}: {len(cl.items)} items, forms {', '.join(f.id for f in cl.forms)}")
        print(
            f"steps: {len(rules.steps.steps)}, flags: {len(rules.flags.flags)}, provisions: {len(rules.law.provisions)}"
        )
        print(f"guidance: {len(library.entries)} entries; every link from a step or item resolves")
        print(
            f"navigator situations: {len(load_navigator(directory / 'situations.yaml', rules, checklists).situations)}"
        )
        print(f"safety plans: {', '.join(p.id for p in load_safety_plans(directory / 'safety_plans.yaml').plans)}")
        followup = load_followup(directory / "followup.yaml", set(checklists))
        print(f"reassessment intervals: {len(followup.levels)} levels, {len(followup.rules)} shortening rules")
        print("ok")
    elif args.action == "schema":
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        schemas = {
            "checklist": checklist_schema(),
            **rule_schemas(),
            "situations": situation_schema(),
            "safety_plans": safety_plan_schema(),
            "followup": followup_schema(),
        }
        for name, schema in schemas.items():
            (out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
            print(out / f"{name}.schema.json")
    return 0


def cmd_guidance(args: argparse.Namespace) -> int:
    from risk import content_review
    from risk.guidance import KNOWLEDGE_DIR, guidance_schema, load_library, search

    if args.action == "schema":
        return _write_schema(Path(args.out) if args.out else KNOWLEDGE_DIR / "schema", "guidance", guidance_schema())
    library = load_library()
    if args.action == "validate":
        print(f"{len(library.entries)} entries, {len(library.settings)} settings, every link resolves")
        print("ok")
    elif args.action == "search":
        if not args.query:
            raise InputError(["search: give the words to search for, e.g. python -m risk guidance search strypning"])
        for hit in search(" ".join(args.query), args.lang, library):
            print(f"{hit.entry.id}\t{hit.entry.title(args.lang)}")
    elif args.action == "review":
        text = content_review.markdown(content_review.rows(library))
        if args.out:
            target = Path(args.out)
            _check_output(target, "--out")
            _write_atomically(target, lambda f: f.write(text))
        else:
            sys.stdout.write(text)
    return 0


def _write_schema(out: Path, name: str, schema: dict[str, Any]) -> int:
    """Write `<name>.schema.json` into the folder `out` (made if missing) and print its path."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    print(out / f"{name}.schema.json")
    return 0


def cmd_training(args: argparse.Namespace) -> int:
    from risk.training import TRAINING_DIR, consistency_problems, load_training, training_schema

    if args.action == "schema":
        return _write_schema(Path(args.out) if args.out else TRAINING_DIR / "schema", "training", training_schema())
    library = load_training(Path(args.dir) if args.dir else TRAINING_DIR)
    problems = [p for c in library.cases.values() for p in consistency_problems(c)]
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print("the expert answer and the engine disagree: one of them is wrong", file=sys.stderr)
        return 1
    print(f"{len(library.cases)} practice cases; every id resolves; every expert answer agrees with the engine")
    print("ok")
    return 0


def _store(args: argparse.Namespace) -> Any:
    from risk.storage import Store

    return Store.open(args.database)


def cmd_users(args: argparse.Namespace) -> int:
    store = _store(args)
    actor = store.system_actor(f"cli-users-{args.action}")  # named in the audit trail, with the OS account
    if args.action == "add":
        if not args.username or not args.agency or not args.role:
            raise InputError(["users add: give USERNAME, --agency and --role"])
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            import getpass

            password = getpass.getpass(f"Password for {args.username}: ")
        user = store.add_user(args.username, password, agency=args.agency, role=args.role, by=actor)
        print(f"added {user.username} ({user.role}, {user.agency})")
    elif args.action == "list":
        for u in store.list_users(actor):
            state = "disabled" if u["disabled"] else "active"
            print(f"{u['username']}\t{u['agency']}\t{u['role']}\t{state}\tfailed logins: {u['failed_logins']}")
    elif args.action == "enable":
        if not args.username:
            raise InputError(["users enable: give USERNAME"])
        store.enable_user(args.username, by=actor)
        print(f"enabled {args.username}")
    else:
        if not args.username:
            raise InputError(["users disable: give USERNAME"])
        store.disable_user(args.username, by=actor)
        print(f"disabled {args.username}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    if args.action == "pg-role":
        from sqlalchemy.engine import make_url

        from risk.storage import database_url
        from risk.storage.roles import app_role_sql

        if not args.role:
            raise InputError(["audit pg-role: give --role, the name of the app's PostgreSQL role"])
        url = make_url(database_url(args.database))
        if url.get_backend_name() != "postgresql":
            raise InputError(["--database: pg-role needs a PostgreSQL URL (SAMRISK_DATABASE_URL or --database)"])
        print(";\n".join(app_role_sql(args.role, url.database or "")) + ";")
        return 0
    store = _store(args)
    if args.action == "anchor":
        done = store.anchor_audit()
        state = "written" if done["written"] else "kept (the file already holds a later anchor)"
        print(f"audit anchor {state}: {done['path']} (entry {done['last_id']}, {done['count']} entries)")
        return 0
    problems = store.verify_audit()
    if problems:
        print("\n".join(problems))
        return 1
    anchor = f" (checked against the anchor {store.anchor_path})" if store.anchor_path else ""
    print(f"audit trail intact{anchor}")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    store = _store(args)
    done = store.apply_retention(
        args.days, mode=args.mode, by=store.system_actor("cli-retention"), training_days=args.training_days
    )
    cases = f": {list(done)}" if done else ""
    print(f"{args.mode}: {len(done)} case(s) with no activity for {args.days} days{cases}")
    training_days = args.days if args.training_days is None else args.training_days
    print(
        f"delete: {done.training_attempts} practice attempt(s) and {done.training_assignments} training "
        f"assignment(s) older than {training_days} days"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from risk.demo import load_demo

    store = _store(args)
    loaded = load_demo(store)
    if loaded:
        print(f"demo loaded: {len(loaded)} accounts and the synthetic cases; this database is now marked as a demo")
    else:
        print("the database already has accounts: nothing loaded")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m risk", description="Samrisk: decision support, not decision.")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("assess", help="assess a case file (JSON) and print the result as JSON")
    a.add_argument("case", help="case file, or - for standard input")
    a.add_argument("--lang", choices=[x.value for x in Language], default="en", help="language of texts in the result")
    a.add_argument("--pretty", action="store_true", help="indent the JSON")
    a.set_defaults(func=cmd_assess)
    s = sub.add_parser("score", help="score many assessments of one checklist from CSV")
    s.add_argument("file", help="CSV with one column per item id (yes/no/unknown/empty), or - for standard input")
    s.add_argument("--checklist", required=True, help="checklist id, e.g. domestic_violence")
    s.add_argument(
        "--context",
        default="case_conference",
        choices=[c.value for c in Context],
        help="decides the form for score_max and completeness (default: the full form)",
    )
    s.add_argument("-o", "--output", help="output CSV (default: standard output); written whole or not at all")
    s.add_argument(
        "--sep", help="column separator of the CSV, e.g. ';' or tab (default: detected: comma, semicolon or tab)"
    )
    s.set_defaults(func=cmd_score)
    v = sub.add_parser("validate", help="validate a score locally against outcomes: AUC, calibration, groups")
    v.add_argument("file", help="CSV with an outcome column and a score column or a checklist's item answers")
    v.add_argument("--outcome", required=True, help="outcome column: 1/0 (yes/no, true/false)")
    which = v.add_mutually_exclusive_group(required=True)
    which.add_argument("--score", help="score column (higher = more risk)")
    which.add_argument("--checklist", help="checklist id: the file holds item answers and Samrisk scores them")
    v.add_argument("--group", action="append", default=[], help="a column to break the figures down by (repeatable)")
    v.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the intervals (default 1000)")
    v.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.add_argument("--sep", help="column separator (default: detected: comma, semicolon or tab)")
    v.set_defaults(func=cmd_validate)
    le = sub.add_parser("learn", help="learn an integer points score from outcome data, cross-validated")
    le.add_argument("file", help="CSV with an outcome column and the columns to learn from")
    le.add_argument("--outcome", required=True, help="outcome column: 1/0 (yes/no, true/false)")
    le.add_argument("--max-items", type=int, required=True, help="at most this many items in the score")
    le.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    le.add_argument("--seed", type=int, default=0, help="seed of the folds (default 0)")
    le.add_argument("--max-points", type=int, default=5, help="at most this many points per item (default 5)")
    current = le.add_mutually_exclusive_group()
    current.add_argument("--score", help="the current score's column: compared, not learned from")
    current.add_argument("--checklist", help="checklist id: learn from its item columns, compare with its weights")
    le.add_argument("--cuts", type=int, default=9, help="cut points per numeric column (default 9: the deciles)")
    le.add_argument("--exclude", action="append", default=[], help="a column not to learn from (repeatable)")
    le.add_argument("--propose", help="with --checklist: write a proposed weights file (YAML) for review")
    le.add_argument("--json", action="store_true", help="print the result as JSON")
    le.add_argument("--sep", help="column separator (default: detected: comma, semicolon or tab)")
    le.set_defaults(func=cmd_learn)
    c = sub.add_parser("checklists", help="check or describe the checklist and rule files")
    c.add_argument("action", choices=["validate", "schema"])
    c.add_argument("--dir", help="folder of the YAML files (default: checklists/)")
    c.add_argument("--out", default="checklists/schema", help="schema: folder to write JSON Schemas to")
    c.set_defaults(func=cmd_checklists)
    g = sub.add_parser("guidance", help="check, search or describe the guidance of knowledge/")
    g.add_argument(
        "action",
        choices=["validate", "search", "schema", "review"],
        help="validate: load every file and check every link; search: entries matching the words, best first; "
        "schema: write the JSON Schema; review: the reviewer's checklist (docs/content_review.md)",
    )
    g.add_argument("query", nargs="*", help="search: the words to look for")
    g.add_argument("--lang", choices=[x.value for x in Language], default="sv", help="search: language (default sv)")
    g.add_argument("--out", help="schema: folder (default knowledge/schema); review: file (default standard output)")
    g.set_defaults(func=cmd_guidance)
    tr = sub.add_parser("training", help="check or describe the practice cases of training/")
    tr.add_argument(
        "action",
        choices=["validate", "schema"],
        help="validate: load every case, resolve every id and check each expert answer against the engine "
        "(exit 1 where they disagree); schema: write the JSON Schema",
    )
    tr.add_argument("--dir", help="validate: folder of the YAML files (default: training/)")
    tr.add_argument("--out", help="schema: folder (default training/schema)")
    tr.set_defaults(func=cmd_training)
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database", help="SQLAlchemy URL (default: SAMRISK_DATABASE_URL, else var/samrisk.sqlite3)")
    u = sub.add_parser("users", parents=[database], help="manage accounts on a single site")
    u.add_argument("action", choices=["add", "list", "disable", "enable"])
    u.add_argument("username", nargs="?")
    u.add_argument("--agency", help="police, healthcare, social_services, ...")
    u.add_argument("--role", help="officer, clinician, social_worker, coordinator, supervisor, admin")
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u.set_defaults(func=cmd_users)
    d = sub.add_parser(
        "demo", parents=[database], help="load the synthetic demo into an empty SQLite database (never production)"
    )
    d.add_argument("action", choices=["load"])
    d.set_defaults(func=cmd_demo)
    au = sub.add_parser("audit", parents=[database], help="check or anchor the audit trail")
    au.add_argument(
        "action",
        choices=["verify", "anchor", "pg-role"],
        help="verify: check the trail (exit 1 on any problem); anchor: write the signed head outside the "
        "database (run on a schedule); pg-role: print the GRANTs for the app's PostgreSQL role",
    )
    au.add_argument("--role", help="pg-role: the app's PostgreSQL role")
    au.set_defaults(func=cmd_audit)
    r = sub.add_parser("retention", parents=[database], help="pseudonymise or delete cases past the retention period")
    r.add_argument("action", choices=["apply"])
    r.add_argument("--days", type=int, required=True, help="cases with no activity for this many days")
    r.add_argument("--mode", choices=["pseudonymise", "delete"], default="pseudonymise")
    r.add_argument(
        "--training-days",
        type=int,
        help="practice attempts finished, and training assignments due (or made), this many days ago are deleted "
        "(default: --days)",
    )
    r.set_defaults(func=cmd_retention)
    add_law_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SamriskError as e:
        for problem in bounded(e.problems):
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except Exception as e:
        from risk.storage import AuthError, PermissionDenied

        if isinstance(e, AuthError | PermissionDenied):
            print(f"error: {e}", file=sys.stderr)
            return 2
        from sqlalchemy.exc import OperationalError

        if isinstance(e, OperationalError):
            print(f"error: --database: cannot open the database: {e.orig}", file=sys.stderr)
            return 2
        if os.environ.get("SAMRISK_DEBUG"):
            raise
        # A fault of ours, not of the input: say so in one line, never with a traceback (SAMRISK_DEBUG=1 shows it).
        print(f"error: internal error ({type(e).__name__}); please report it with the command you ran", file=sys.stderr)
        return 1
