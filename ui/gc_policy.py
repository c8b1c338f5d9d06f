"""Garbage collection in a long-running Streamlit server: no collector walk over what start-up made.

Streamlit collected every generation after each script run (runner.postScriptGC, now off in
.streamlit/config.toml): with this app's modules (pydantic models, SQLAlchemy, checklists, plotly) that walked
every long-lived object, 100-170 ms of each click. Python's own generational collector still collects cycles;
gc.freeze() moves the modules and caches made so far into the permanent generation, so its rare full
collections skip them too. Freezing again whenever a page imported new modules keeps lazily loaded pages cheap.
Measured with benchmarks/app_gc.py.
"""

from __future__ import annotations

import gc
import sys

_modules_when_frozen = 0
_made_elsewhere = False


def freeze_at_next_run() -> None:
    """Long-lived objects were made outside a script run, by a thread of the app's own (ui/nav.py's warm-up: the
    pages' modules and the checklists; the demo load): the next run's start freezes them, new modules or not."""
    global _made_elsewhere
    _made_elsewhere = True


def freeze_long_lived() -> None:
    """Freeze what exists now if new modules were imported, or a warm-up or load ended, since the last freeze
    (cheap to call every run)."""
    global _modules_when_frozen, _made_elsewhere
    loaded = len(sys.modules)
    if loaded != _modules_when_frozen or _made_elsewhere:
        _made_elsewhere = False
        gc.freeze()
        _modules_when_frozen = loaded
