"""Admin: users and the audit trail. An admin sees no case content."""

from __future__ import annotations

import streamlit as st

from risk.errors import InputError
from risk.storage.access import ROLES
from risk.vocabulary import Agency
from ui.labels import md_escape
from ui.session import flash, get_store, require_user, show_flash, t


def users_page() -> None:
    user = require_user()
    store = get_store()
    st.title(t("pages.admin.users"))
    show_flash()
    st.dataframe(store.list_users(user), width="stretch")
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
            format_func=lambda k: k or t("pages.admin.organisation_default"),
        )
        if st.form_submit_button(t("pages.admin.add")):
            try:
                store.add_user(name.strip(), password, agency, role, by=user, organisation=organisation or None)
            except InputError as e:
                for problem in e.problems:
                    st.error(md_escape(problem))
            else:
                flash(t("pages.admin.added", name=md_escape(name.strip())))
                st.rerun()  # the list above was drawn before the user was added
    with st.form("disable_user"):
        name = st.selectbox(
            t("pages.admin.disable"),
            [u["username"] for u in store.list_users(user) if not u["disabled"] and u["username"] != user.username],
        )
        if st.form_submit_button(t("pages.admin.disable")) and name:
            store.disable_user(name, by=user)
            st.rerun()


def audit_page() -> None:
    user = require_user()
    store = get_store()
    st.title(t("pages.admin.audit"))
    if st.button(t("pages.admin.verify"), type="primary"):
        problems = store.verify_audit()
        if problems:
            st.error("\n".join(f"- {p}" for p in problems))
        else:
            st.success(t("pages.admin.intact"))
    st.dataframe(store.audit_entries(user, limit=300), width="stretch")
