"""Shared helpers for the ui tests: the example case and the texts an AppTest page shows."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text")
TIMEOUT = 60  # the first run imports plotly and loads the checklists


def example_case() -> dict[str, Any]:
    case: dict[str, Any] = json.loads((ROOT / "data" / "example_case.json").read_text(encoding="utf-8"))
    return case


def texts(node: Any) -> list[str]:
    """Every text a node (an AppTest, at.sidebar, …) shows: markdown, alerts, captions, headings, button labels."""
    out: list[str] = []
    for kind in TEXT_ELEMENTS:
        out += [str(el.value) for el in getattr(node, kind)]
    out += [b.label for b in node.button]
    out += [r.label for r in node.radio]
    out += [e.label for e in node.expander]
    return out


def page_text(node: Any) -> str:
    return "\n".join(texts(node))


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
