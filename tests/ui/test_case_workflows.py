"""The export of the action plan and reassessment dates as CSV: words for people, ids beside them for systems."""

from __future__ import annotations

import csv
import io

from ui.case_workflows import plan_csv


def test_the_plan_csv_has_each_action_and_each_reassessment_date_in_words_and_no_formulas() -> None:
    exported = {
        "persons": [{"id": "v1", "role": "victim", "age": 31}],
        "actions": [
            {
                "step_id": "other",
                "note": "Ring skolan, =SUM(A1)",
                "owner_agency": "police",
                "responsible": "Patrull 2150",
                "due_date": "2026-11-20",
                "status": "planned",
                "overdue": True,
            },
            {
                "step_id": "police.restraining_order",
                "note": None,
                "owner_agency": "police",
                "responsible": '=HYPERLINK("http://x")',
                "due_date": None,
                "status": "done",
                "overdue": False,
            },
        ],
        "assessments": [
            {"checklist": "domestic_violence", "subject": "v1", "agency": "police", "reassess_by": "2026-12-10"},
            {"checklist": "psychiatric", "subject": "v1", "agency": "healthcare", "reassess_by": None},
        ],
    }
    rows = list(csv.reader(io.StringIO(plan_csv(exported, lambda step: f"<{step}>"))))
    assert rows[0] == ["Typ", "Vad", "Id", "Myndighet", "Ansvarig", "Senast", "Status", "Försenad"]
    assert rows[1] == [
        "åtgärd",
        "Ring skolan, =SUM(A1)",
        "other",
        "polisen",
        "Patrull 2150",
        "2026-11-20",
        "planerad",
        "ja",
    ]
    assert rows[2] == [
        "åtgärd",
        "<police.restraining_order>",
        "police.restraining_order",
        "polisen",
        '\'=HYPERLINK("http://x")',
        "",
        "klar",
        "",
    ]
    [reassess] = rows[3:]
    assert reassess[0] == "ny bedömning" and reassess[2:4] == ["domestic_violence:v1", "polisen"]
    assert reassess[1].endswith("– v1 – utsatt, 31 år") and not reassess[1].startswith("domestic_violence")
    assert reassess[5] == "2026-12-10"
