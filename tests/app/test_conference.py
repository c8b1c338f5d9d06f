"""The joint case conference: an action from a suggested step into the plan, its status, the timeline."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from risk.rules import default_rules
from tests.app.helpers import choose_case, click, open_section, selectbox, sign_in, signed_in, start, title
from tests.ui.helpers import no_exceptions, page_text

ACTIONS = {s.id: s.action("sv") for s in default_rules().steps.steps}


def plan(at: Any) -> dict[str, dict[str, str]]:
    """The action plan on the page, by responsible person: what (the step in words), owner, due, status."""
    out = {}
    for box in at.main.container:
        statuses = [s for s in box.selectbox if s.key and s.key.startswith("status.")]
        if len(statuses) != 1 or len(box.markdown) != 2:
            continue
        head, due = (str(m.value) for m in box.markdown)
        what, _, who = head.partition("  \n")
        owner, _, responsible = who.partition(" · ")
        out[responsible] = {
            "what": re.sub(r"\\(.)", r"\1", what.strip("*")),
            "owner": owner,
            "due": due,
            "status": statuses[0].value,
        }
    return out


def test_an_action_is_taken_from_a_suggested_step_and_its_status_changed() -> None:
    at = choose_case(signed_in("samordnare"), "DEMO-004")
    assert title(at) == "Ärendemöte"
    before, flags = plan(at), at.error.values  # a flag that raises the level is shown as an error
    assert before["Utredare"]["what"] == ACTIONS["police.restraining_order"]  # the demo's plan, in words
    assert before["Utredare"]["status"] == "planned"

    assert not [s for s in at.selectbox if s.label == "Steg"]  # the form is drawn when its section is opened
    step = selectbox(open_section(at, "conference.add_action"), "Steg")
    assert step.options[-1] == "Annan åtgärd"  # the suggested steps, in words, then one of the plan's own
    assert any(ACTIONS["police.protect_victim"].startswith(o.rstrip("…")) for o in step.options)
    step.set_value("police.protect_victim")
    selectbox(at, "Ansvarig myndighet").set_value("police")
    at.text_input[0].input("Patrull 2150")
    due = date.today() + timedelta(days=3)
    at.date_input[0].set_value(due)
    click(at, "Lägg till i planen")
    assert at.error.values == flags
    after = plan(at)
    assert len(after) == len(before) + 1
    added = after["Patrull 2150"]
    assert ACTIONS["police.protect_victim"].startswith(added["what"].rstrip("…"))
    assert (added["owner"], added["due"], added["status"]) == ("polisen", f"Senast {due.isoformat()}", "planned")

    box = next(c for c in at.main.container if "Patrull 2150" in page_text(c) and len(c.selectbox) == 1)
    box.selectbox[0].set_value("in_progress")
    at.run()
    click(at, "Spara status")
    assert plan(at)["Patrull 2150"]["status"] == "in_progress"
    assert "Spara status" not in [b.label for b in at.button]

    again = choose_case(sign_in(start(), "samordnare"), "DEMO-004")  # kept: a new session sees the same plan
    no_exceptions(again)
    assert plan(again)["Patrull 2150"] == {**added, "status": "in_progress"}


def test_the_timeline_shows_levels_and_actions_over_time() -> None:
    at = choose_case(signed_in("samordnare"), "DEMO-004")
    assert not at.get("plotly_chart")  # drawn when its section is opened
    charts = open_section(at, "conference.timeline").get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["layout"]["title"]["text"] == "Nivåer och åtgärder över tid"
    names = [trace.get("name") for trace in spec["data"]]
    assert len(names) == 4  # the three assessments the coordinator sees, then the actions at their due dates
    assert names[-1] == "Åtgärder vid sitt slutdatum"
    soon = [(date.today() + timedelta(days=n)).isoformat() for n in (1, 2)]
    assert sorted(spec["data"][-1]["x"]) == soon  # the demo plan's two actions, due tomorrow and the day after
    assert spec["layout"]["yaxis"]["ticktext"] == ["låg", "måttlig", "hög", "mycket hög"]
