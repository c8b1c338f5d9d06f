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


def freeze_long_lived() -> None:
    """Freeze what exists now if new modules were imported since the last freeze (cheap to call every run)."""
    global _modules_when_frozen
    loaded = len(sys.modules)
    if loaded != _modules_when_frozen:
        gc.freeze()
        _modules_when_frozen = loaded
