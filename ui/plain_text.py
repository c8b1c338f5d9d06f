"""Text from data or typed by a user, shown literally in Markdown (st.markdown, captions, table cells).

A module of its own, with nothing but the standard library: the sign-in page escapes the demo accounts' names
with it and must not import ui.labels (the checklists and the engine's models) on a first start.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$:])")


def md_escape(text: str) -> str:
    """Data text (answers, reasons, citations, a professional's override reason) shown literally in st.markdown:
    no emphasis, links, HTML, LaTeX ($), colour directives (:red[…]) or emoji shortcodes."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")
