"""User-facing text of the interface: `t(key, lang, **fmt)` over locales/sv.yaml and locales/en.yaml.

Questions and help texts come from the checklist YAML; everything else the user reads comes from here.
A missing key or placeholder is loud: it raises in tests and in strict mode (SAMRISK_I18N_STRICT=1), and in
production it shows the key itself, so a gap is visible on the page instead of silently blank.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import string
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from risk.yaml_files import read_yaml
from ui.page_style import style_tag

if TYPE_CHECKING:
    from types import ModuleType

    from streamlit.delta_generator import DeltaGenerator

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES: tuple[str, ...] = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

log = logging.getLogger(__name__)


class MissingTranslation(KeyError):
    """A key, a language or a placeholder that the locale files do not have."""


def strict() -> bool:
    """Raise on gaps when SAMRISK_I18N_STRICT says so, or by default under pytest."""
    flag = os.environ.get("SAMRISK_I18N_STRICT")
    if flag is not None:
        return flag.strip().lower() in ("1", "true", "yes")
    return "pytest" in sys.modules


def _flatten(node: Any, prefix: str, out: dict[str, str], source: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                raise ValueError(f"{source}: key {key!r} under {prefix or 'the top'} must be a string (quote it)")
            _flatten(value, f"{prefix}.{key}" if prefix else key, out, source)
    elif isinstance(node, str) and node.strip():
        out[prefix] = node
    else:
        raise ValueError(f"{source}: {prefix}: expected a non-empty text, got {node!r}")


def load_locale(lang: str, directory: Path = LOCALE_DIR) -> dict[str, str]:
    """One locale file as flat dotted keys ('result.level' → text)."""
    path = directory / f"{lang}.yaml"
    out: dict[str, str] = {}
    _flatten(read_yaml(path), "", out, path.name)  # read_yaml: YAML 1.2 booleans, so `yes:` stays a string
    return out


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """The texts of one language, loaded once per process (static files, no user data)."""
    return load_locale(lang)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: Any) -> str:
    """The text for `key` in `lang`, with {placeholders} filled from `fmt`."""
    lang = str(lang)
    try:
        texts = catalog(lang) if lang in LANGUAGES else None
        if texts is None:
            raise MissingTranslation(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
        if key not in texts:
            raise MissingTranslation(f"no text for {key!r} in locales/{lang}.yaml")
        text = texts[key]
        try:
            return text.format(**fmt) if fmt or placeholders(text) else text
        except (KeyError, IndexError, ValueError) as e:
            raise MissingTranslation(f"{key!r} in locales/{lang}.yaml: placeholder {e} not given") from None
    except MissingTranslation:
        if strict():
            raise
        log.warning("missing translation: %s (%s)", key, lang)
        return f"⟦{key}⟧"


def cap(text: str) -> str:
    """First letter upper case, the rest untouched ('hälso- och sjukvården' → 'Hälso- och sjukvården')."""
    return text[:1].upper() + text[1:]


# Streamlit's own frontend names some of its controls in English whatever the page's language: a screen reader
# announced "Help for …", "Open", "Increment", "Link to heading" in the Swedish view (docs/accessibility.md). Each is
# named here by Streamlit's English text (not a text of the app) and given the page's language from the locale files.
FRONTEND_NAMES = {
    "Skip to main content": "skip_to_main",
    "Link to heading": "link_to_heading",
    "Open": "open",
    "Close": "close",
    "Increment": "increment",
    "Decrement": "decrement",
    "progress": "progress",
    "Show password": "show_password",
    "Hide password": "hide_password",
}
FRONTEND_HELP = "Help for "  # a help button: "Help for <the widget's label>"

# Installed once per page: names each of Streamlit's English names in the page's language as Streamlit draws them,
# and again for every element it draws later; the original is kept beside it, so a switch back restores it.
_NAMES_SCRIPT = """(() => {
  const s = window.__samriskNames || (window.__samriskNames = {});
  s.words = __WORDS__; s.help = __HELP__;
  const HELP = __HELP_EN__;
  const wanted = (o) => (o in s.words ? s.words[o] : o.startsWith(HELP) ? s.help + o.slice(HELP.length) : null);
  const fix = (el, get, set, key) => {
    const now = get(el);
    if (now === null || now === undefined) return;
    const orig = el.dataset[key] !== undefined && now === el.dataset[key + "Shown"] ? el.dataset[key] : now;
    const shown = wanted(orig);
    if (shown === null) return;
    el.dataset[key] = orig;
    el.dataset[key + "Shown"] = shown;
    if (now !== shown) set(el, shown);
  };
  const label = [(e) => e.getAttribute("aria-label"), (e, v) => e.setAttribute("aria-label", v)];
  const title = [(e) => e.getAttribute("title"), (e, v) => e.setAttribute("title", v)];
  const text = [(e) => (e.children.length === 0 ? e.textContent : null), (e, v) => { e.textContent = v; }];
  const sweep = (root) => {
    if (!(root instanceof Element)) return;
    for (const el of [root, ...root.querySelectorAll("[aria-label], [title], a")]) {
      if (el.hasAttribute("aria-label")) fix(el, ...label, "samriskLabel");
      if (el.hasAttribute("title")) fix(el, ...title, "samriskTitle");
      if (el.tagName === "A") fix(el, ...text, "samriskText");
    }
  };
  if (!s.observer) {
    s.observer = new MutationObserver((changes) => {
      for (const c of changes) {
        if (c.type === "attributes") sweep(c.target);
        else c.addedNodes.forEach(sweep);
      }
    });
    s.observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                       attributeFilter: ["aria-label", "title"]});
  }
  sweep(document.body);
})();"""


def _js(value: object) -> str:
    """A value as a JavaScript literal inside <script>: JSON, with no '</' to end the script early."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def document_language(st: DeltaGenerator | ModuleType, lang: str) -> None:
    """Tell the browser the page's language (`<html lang>`): Streamlit always says "en", so a screen reader would
    read the Swedish view with an English voice (WCAG 3.1.1; docs/accessibility.md). And name Streamlit's own
    controls in that language (FRONTEND_NAMES). Draws nothing. `st`: the streamlit module or a container (app.py
    draws it on every page, before anything heavy is imported)."""
    code = lang if lang.isalpha() else "sv"  # a language code of the app, never text from a user
    words = {english: t(f"frontend.{key}", code) for english, key in FRONTEND_NAMES.items()}
    script = (
        _NAMES_SCRIPT.replace("__WORDS__", _js(words))
        .replace("__HELP_EN__", _js(FRONTEND_HELP))
        .replace("__HELP__", _js(t("frontend.help_for", code) + " "))
    )
    st.html(  # the app's few style rules ride along (ui/page_style.py): no element more on any page
        f"<script>document.documentElement.lang = '{code}';\n{script}</script>{style_tag()}",
        unsafe_allow_javascript=True,
    )
