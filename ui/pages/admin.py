"""Admin: users. An admin sees no case content. (The audit trail is ui/pages/audit.py.)"""

from __future__ import annotations

import streamlit as st

from risk.errors import InputError
from risk.storage import Store, UserInfo
from risk.storage.access import ROLES
from risk.vocabulary import Agency
from ui import session
from ui.labels import account_rows, md_escape, organisation_word
from ui.problems import show_problems
from ui.session import flash, get_store, require_user, show_flash, t


def users_page() -> None:
    user = require_user()
    store = get_store()
    st.title(t("pages.admin.users"))
    show_flash()
    st.dataframe(account_rows(store.list_users(user), session.lang()), width="stretch", hide_index=True)
    with st.form("add_user", clear_on_submit=True):
        st.markdown(f"**{t('pages.admin.add')}**")
        cols = st.columns(5)
        name = cols[0].text_input(t("pages.login.username"))
        password = cols[1].text_input(t("pages.login.password"), type="password")
        agency = cols[2].selectbox(
            t("pages.admin.agency"), [a.value for a in Agency], format_func=lambda a: t(f"agency.{a}")
        )
        role = cols[3].selectbox(t("pages.admin.role"), ROLES, format_func=lambda r: t(f"pages.roles.{r}"))
        organisation = cols[4].selectbox(
            t("pages.admin.organisation"),
            ["", *(o["key"] for o in store.list_organisations())],
            format_func=lambda k: organisation_word(k, session.lang()) if k else t("pages.admin.organisation_default"),
        )
        if st.form_submit_button(t("pages.admin.add")):
            try:
                store.add_user(name.strip(), password, agency, role, by=user, organisation=organisation or None)
            except InputError as e:
                show_problems(e)
            else:
                flash(t("pages.admin.added", name=md_escape(name.strip())))
                st.rerun()  # the list above was drawn before the user was added
    accounts = store.list_users(user)
    disable_form(store, user, [u["username"] for u in accounts if not u["disabled"] and u["username"] != user.username])
    enable_form(store, user, [u["username"] for u in accounts if u["disabled"]])


def disable_form(store: Store, user: UserInfo, active: list[str]) -> None:
    """Disabling ends the person's sessions at once: it takes a ticked confirmation naming the account."""
    with st.form("disable_user"):
        name = st.selectbox(t("pages.admin.disable"), active, index=None, placeholder=t("pages.choose"))
        sure = st.checkbox(t("workflows.admin.confirm_disable", name=name or "…"))
        if st.form_submit_button(t("pages.admin.disable")):
            if not name:
                st.error(t("workflows.missing", fields=t("pages.admin.disable")))
            elif not sure:
                st.error(t("workflows.admin.confirm_first", name=name))
            else:
                store.disable_user(name, by=user)
                flash(t("workflows.admin.disabled", name=name))
                st.rerun()


def enable_form(store: Store, user: UserInfo, disabled: list[str]) -> None:
    """A disabled account (by mistake, or back from leave) may sign in again."""
    if not disabled:
        return
    with st.form("enable_user"):
        name = st.selectbox(t("workflows.admin.enable_which"), disabled, index=None, placeholder=t("pages.choose"))
        if st.form_submit_button(t("workflows.admin.enable")):
            if not name:
                st.error(t("workflows.missing", fields=t("workflows.admin.enable_which")))
                return
            try:
                store.enable_user(name, by=user)
            except InputError as e:
                show_problems(e)
                return
            flash(t("workflows.admin.enabled", name=name))
            st.rerun()
