"""`python -m risk law ask` and `law list`, run as a user runs them: options, a JSON file, a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from risk.law_cli import ask_interactively
from risk.navigator import navigate
from risk.rules import default_rules
from risk.vocabulary import Language
from tests.conftest import ROOT, run_cli

NURSE = ["--agency", "healthcare", "--subject-role", "victim", "--age", "38"]


def test_ask_with_options_prints_must_may_and_may_not() -> None:
    done = run_cli("law", "ask", *NURSE, "--situation", "violence_close_relationship")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("You must:") < out.index("You may:") < out.index("You may not:") < out.index("Other agencies:")
    assert "Do not share with the police without the consent of the victim." in out
    assert "OSL (2009:400) 12 kap. 2 § (provision not verified)" in out
    assert out.rstrip().endswith("Decision support only: the professional's judgement decides.")


def test_ask_json_is_the_navigators_answer_and_a_file_gives_the_same() -> None:
    situation = {"agency": "healthcare", "age": 38, "situations": ["strangulation"], "consent_to": []}
    by_options = run_cli("law", "ask", *NURSE, "--situation", "strangulation", "--json", "--lang", "sv")
    by_stdin = run_cli("law", "ask", "--file", "-", "--json", "--lang", "sv", stdin=json.dumps(situation))
    assert by_options.returncode == by_stdin.returncode == 0, by_options.stderr + by_stdin.stderr
    a, b = json.loads(by_options.stdout), json.loads(by_stdin.stdout)
    assert a["may"] == b["may"] and a["must"] == b["must"] and a["may_not"] == b["may_not"]
    assert a == json.loads(navigate({**situation, "subject_role": "victim"}, "sv").model_dump_json())
    assert "healthcare.disclose_committed_crime" in [e["step"] for e in a["may"]]


def test_bad_answers_exit_2_naming_each_and_print_nothing() -> None:
    done = run_cli("law", "ask", "--agency", "police", "--context", "dental_care", "--situation", "ufo")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "error: situations: unknown situation 'ufo'" in done.stderr
    assert "error: context: dental_care is not a setting of police" in done.stderr
    assert "Traceback" not in done.stderr
    broken = run_cli("law", "ask", "--file", "-", stdin="{not json")
    assert broken.returncode == 2 and "--file: -: not valid JSON" in broken.stderr


def test_ask_without_answers_and_without_a_terminal_says_what_to_give() -> None:
    done = run_cli("law", "ask", stdin="")
    assert done.returncode == 2
    assert "give --agency" in done.stderr


def test_ask_on_a_terminal_asks_the_questions() -> None:
    """A real pseudo-terminal: the questions come one by one; the answers are typed (numbers, Enter for none)."""
    main, sub = os.openpty()
    # police (1), police intake (1), the person: victim (1), age 31, situations 2 and 16 (strangulation, children)
    os.write(main, b"1\n1\n1\n31\n2,16\n\n")
    done = subprocess.run(
        [sys.executable, "-m", "risk", "law", "ask"], stdin=sub, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    os.close(main)
    os.close(sub)
    assert done.returncode == 0, done.stderr
    assert "May I tell? Answer a few questions" in done.stdout
    assert "File a concern report to social services for each child in the household" in done.stdout
    assert "    Polislagen (1984:387) 2 §\n" in done.stdout  # a verified provision carries no mark


def test_interactive_questions_ask_again_on_a_wrong_answer(capsys: object) -> None:
    typed = iter(["9", "2", "", "3", "seventeen", "17", "1,x", "1", "1,2"])
    raw = ask_interactively(Language.en, read=lambda prompt: next(typed))
    assert raw["agency"] == "healthcare" and raw["context"] == "emergency_department"
    assert raw["subject_role"] == "child" and raw["age"] == 17
    assert raw["situations"] == ["violence_close_relationship"]
    assert [str(a) for a in raw["consent_to"]] == ["police", "healthcare"]


@pytest.mark.full  # slow: a server start or hundreds of generated cases (fast tier: tests/conftest.py)
def test_list_shows_every_provision_by_situation_with_source_and_status() -> None:
    done = run_cli("law", "list")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "## Strangulation (strangulation)" in out
    for p in default_rules().law.provisions:
        assert p.citation in out, p.id
    assert "applies to: health care may, social services may" in out  # OSL 10:23 under strangulation
    one = run_cli("law", "list", "--situation", "suicide_plan", "--lang", "sv", "--json")
    sections = json.loads(one.stdout)
    assert [s["situation"] for s in sections] == ["suicide_plan"]
    assert sections[0]["title"] == "Självmordsplan och avsikt"
    unknown = run_cli("law", "list", "--situation", "nope")
    assert unknown.returncode == 2 and "unknown situation 'nope'" in unknown.stderr
