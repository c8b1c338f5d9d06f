"""The open case, read once per run of the script: a page and its parts share one read and one result.

The result page read the case twice per rerun (get_case, then assess_case read it again) and every part that
needs it would read it once more. Here the first call of a run reads it through the Store (access check and
read audit as always) and the engine computes the result from that same case file; later calls in the run get
the same objects. A change committed since (any session's: `Store.last_write`) or a new run reads again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from risk.storage import Store, UserInfo

if TYPE_CHECKING:  # the engine's models are not imported for the sign-in page (app.py imports this module)
    from risk.models import Result

KEY = "case_reads"


def new_run() -> None:
    """Forget the reads of the previous run (app.py, at the start of every run)."""
    st.session_state.pop(KEY, None)


def _cached(store: Store, user: UserInfo, case_id: int) -> dict[str, Any]:
    kept: dict[str, Any] | None = st.session_state.get(KEY)
    if kept is None or kept["key"] != (user.id, case_id, store.last_write):
        kept = {"key": (user.id, case_id, store.last_write), "case": store.get_case(user, case_id), "results": {}}
        st.session_state[KEY] = kept
    return kept


def read_case(store: Store, user: UserInfo, case_id: int) -> dict[str, Any]:
    """The case file as this user may see it (Store.get_case), read at most once per run."""
    return dict(_cached(store, user, case_id)["case"])


def case_result(store: Store, user: UserInfo, case_id: int, lang: str) -> Result:
    """The engine's result on the same case file (what Store.assess_case computes), without reading it again."""
    from risk.engine import assess

    kept = _cached(store, user, case_id)
    if lang not in kept["results"]:
        kept["results"][lang] = assess(kept["case"], lang=lang)
    result: Result = kept["results"][lang]
    return result
