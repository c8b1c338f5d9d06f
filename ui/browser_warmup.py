"""The browser's warm-up on the sign-in page: the frontend code of the first page after sign-in, loaded while the
user types a name and a password (issue 9).

Streamlit's frontend loads the code of an element type (a button, a radio, a select box, Markdown with HTML) the
first time a page of the tab shows one. The sign-in page has none of them, so the sign-in click paid for fetching
and compiling them, one after another as each element appeared, before the case list (or the conference page)
was drawn. The sign-in page now imports them ahead: the same modules the frontend imports later, by the same
addresses, so its own import finds them ready. Nothing is drawn and nothing is sent to the server; where the
installed Streamlit names its files otherwise, nothing is loaded and the sign-in is as before.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import streamlit

# Streamlit's own frontend files (hashed names, one per build); what the first pages after sign-in draw that the
# sign-in page does not: buttons (every page), a radio (the case list's filter), a select box (the conference
# page), Markdown with HTML (the level badges) and the italic face of the font.
STATIC = Path(streamlit.__file__).resolve().parent / "static" / "static"
MODULES = ("Button", "Radio", "Selectbox", "rehype-raw")
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
    )
