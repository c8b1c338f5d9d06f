"""The app's own style rules, in the page once per run (app.py, with the page's language).

Few and layout only: Streamlit lays out a horizontal container in one line at every width, so a case-list row on a
phone squeezed its text beside the button; below 640 px (where Streamlit stacks columns too) the row may wrap.
"""

from __future__ import annotations

CASE_ROW = "case-row"  # the key prefix of a case-list row (ui/pages/cases.py): Streamlit adds the class st-key-<key>

CSS = f"""@media (max-width: 640px) {{
  [class*="st-key-{CASE_ROW}-"] {{ flex-wrap: wrap; }}
}}"""


def style_tag() -> str:
    """The rules as a <style> element."""
    return f"<style>{CSS}</style>"
