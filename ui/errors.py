"""Faults on a page become a short message in the user's language with a reference id; the details go to the log.

No traceback, SQL text or server path reaches the browser: the page's exception is caught here, written to the
server log under the reference, and the user sees the reference to quote to support. Streamlit's own error
details are off as well (.streamlit/config.toml, client.showErrorDetails = "none").
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import streamlit as st

from risk.storage import AuthError, NotFound, PermissionDenied
from ui.session import t

log = logging.getLogger("samrisk.app")


def reference() -> str:
    """A short id that finds the log entry: not guessable, nothing about the user or the case in it."""
    return f"E-{secrets.token_hex(4).upper()}"


def run_guarded(run: Callable[[], object]) -> str | None:
    """Run a page; on a fault, log it under a new reference and show the message. Returns the reference, if any.

    Streamlit's own control flow (st.rerun, st.stop, st.switch_page) derives from BaseException and passes through.
    """
    try:
        run()
    except (PermissionDenied, NotFound) as e:
        ref = reference()
        log.warning("access refused on a page [%s]: %s: %s", ref, type(e).__name__, e)
        st.error(t("errors.access", ref=ref), icon=":material/block:")
        return ref
    except Exception:
        ref = reference()
        log.exception("unexpected fault on a page [%s]", ref)
        st.error(t("errors.unexpected", ref=ref), icon=":material/error:")
        return ref
    return None


def drafts_kept(check: Callable[[], None]) -> None:
    """Say a draft that could not be kept behind an earlier answer (`check` raises its failure, ui/draft_writer.py)
    with a reference, and let the page go on: the answers are still in the form. A session that ended meanwhile
    (AuthError) is the caller's to end."""
    try:
        check()
    except AuthError:
        raise
    except Exception:
        ref = reference()
        log.exception("a draft was not kept [%s]", ref)
        st.error(t("errors.draft_not_kept", ref=ref), icon=":material/sync_problem:")
