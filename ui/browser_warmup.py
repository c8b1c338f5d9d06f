"""The browser's warm-up on the sign-in page: the frontend code of the pages after sign-in, loaded and made ready
while the user types a name and a password (issue 9).

Streamlit's frontend loads the code of an element type (a button, a radio, a select box, Markdown with HTML) the
first time a page of the tab shows one. The sign-in page has none of them, so the sign-in click paid for fetching
and compiling them, one after another as each element appeared, before the case list (or the conference page)
was drawn. The sign-in page now loads them ahead: `hidden_elements` draws one of each type the first screens
show, and `script()` imports the files of a few more types by the same addresses the frontend uses, so its own
import finds them ready; where the installed Streamlit names its files otherwise, those are not loaded.

Loaded is not yet ready: the frontend makes each element type's code ready the first time a page of the tab draws
one, and draws a grey placeholder meanwhile. The result page, first opened in a tab, had its check boxes and links
40-80 ms after the rest of it; the form its select boxes and its progress bar. `hidden_elements` draws one element
of each such type on the sign-in page, in a container the page's style hides, so they are ready before sign-in.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit
from streamlit.delta_generator import DeltaGenerator
from streamlit.navigation.page import StreamlitPage

from ui.session import t

# Streamlit's own frontend files (hashed names, one per build) of element types the signed-in pages may draw and
# `hidden_elements` does not (what it draws, the frontend loads itself): the download buttons, the tables, the
# spinner and messages of the pages' sections. The large ones (the data grid, charts) are left to the pages that
# open them.
STATIC = Path(streamlit.__file__).resolve().parent / "static" / "static"
MODULES = ("DownloadButton", "Table", "Spinner", "Toast", "WidgetLabelHelpIconInline")
HIDDEN = "samrisk-warmup"  # the key of the hidden container: Streamlit gives it the class st-key-samrisk-warmup
FONTS = ('italic 1rem "Source Sans"',)


@functools.cache
def module_files() -> tuple[str, ...]:
    """The installed frontend's file for each of MODULES (left out where there is not exactly one)."""
    files: list[str] = []
    for name in MODULES:
        found = sorted((STATIC / "js").glob(f"{name}.*.js"))
        if len(found) == 1:
            files.append(found[0].name)
    return tuple(files)


def script() -> str:
    """A script that imports `module_files()` from where the page's own frontend code was loaded (so under any
    base URL path) and loads FONTS; errors are ignored: it only saves time later."""
    return (
        "<script>(() => {"
        'const main = document.querySelector(\'script[type="module"][src*="/static/js/index."]\');'
        "if (!main) return;"
        "const base = main.src.slice(0, main.src.lastIndexOf('/') + 1);"
        f"for (const file of {json.dumps(list(module_files()))}) import(base + file).catch(() => {{}});"
        f"for (const font of {json.dumps(list(FONTS))}) document.fonts.load(font).catch(() => {{}});"
        "})();</script>"
        f"<style>.st-key-{HIDDEN} {{ display: none !important; }}</style>"
    )


def hidden_elements(target: DeltaGenerator, guidance: StreamlitPage | None) -> None:
    """One element of each type the signed-in pages show on their first screens and the sign-in page does not, in a
    container that `script()`'s style hides: not shown, not in the accessibility tree, never focused. Disabled,
    with keys of their own: nothing the user does reaches them, and they are gone once the user is signed in."""
    box = target.container(key=HIDDEN)
    name = t("pages.login.warmup")  # every element needs a name; nobody sees or hears it (display: none)
    box.radio(name, ["-"], key="warmup.radio", label_visibility="collapsed", disabled=True)
    box.selectbox(name, ["-"], key="warmup.selectbox", label_visibility="collapsed", disabled=True)
    box.multiselect(name, ["-"], key="warmup.multiselect", label_visibility="collapsed", disabled=True)
    box.checkbox(name, key="warmup.checkbox", help=name, label_visibility="collapsed", disabled=True)
    box.number_input(name, key="warmup.number", label_visibility="collapsed", disabled=True)
    box.date_input(name, value=None, key="warmup.date", label_visibility="collapsed", disabled=True)
    box.text_area(name, key="warmup.text", label_visibility="collapsed", disabled=True)
    box.button(name, key="warmup.button", disabled=True)
    box.progress(0)
    box.markdown("<span></span>", unsafe_allow_html=True)
    if guidance is not None:
        box.page_link(guidance, label=name, disabled=True)
