"""The pages of the signed-in user, so one page can send the user to another (st.switch_page)."""

from __future__ import annotations

from typing import Any

import streamlit as st

PAGES: dict[str, Any] = {}


def go(name: str) -> None:
    page = PAGES.get(name)
    if page is not None:
        st.switch_page(page)
