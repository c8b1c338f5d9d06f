"""Samrisk: transparent, cross-agency risk assessment. Decision support only.

The public Python API of contract.md: `assess` and `score_frame`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "assess", "score_frame"]

if TYPE_CHECKING:
    from risk.batch import score_frame
    from risk.engine import assess


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import risk` stays cheap for the command line's error paths.
    if name == "assess":
        from risk.engine import assess

        return assess
    if name == "score_frame":
        from risk.batch import score_frame

        return score_frame
    raise AttributeError(name)
