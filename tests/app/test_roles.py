"""What each role sees, and what it cannot see: the menu, the pages behind it, and the case content."""

from __future__ import annotations

import pytest

from tests.app.conftest import DemoDatabase
from tests.app.helpers import (
    URL_PATHS,
    badges,
    choose_case,
    nav_titles,
    open_case,
    open_page,
    selectbox,
    signed_in,
    title,
    type_url,
)
from tests.ui.helpers import page_text, texts
from ui.i18n import t

MENUS = {
    "polis": ["Ärenden", "Intag", "Resultat", "Ärendemöte", "Kunskapsstöd", "Får jag berätta?", "Övning"],
    "vard": ["Ärenden", "Triage", "Resultat", "Ärendemöte", "Kunskapsstöd", "Får jag berätta?", "Övning"],
    "soc": ["Ärenden", "Bedömning", "Resultat", "Ärendemöte", "Kunskapsstöd", "Får jag berätta?", "Övning"],
    "samordnare": ["Ärendemöte", "Ärenden", "Kunskapsstöd", "Får jag berätta?", "Övning"],
    "chef": ["Uppföljning", "Behovsanalys", "Lokal validering", "Kunskapsstöd", "Får jag berätta?", "Övning"],
    "admin": ["Användare", "Granskningslogg", "Kunskapsstöd", "Får jag berätta?"],
}
CAPTIONS = {
    "polis": "Inloggad: polis (polis, polisen)",
    "vard": "Inloggad: vard (vårdpersonal, hälso- och sjukvården)",
    "soc": "Inloggad: soc (socialsekreterare, socialtjänsten)",
    "samordnare": "Inloggad: samordnare (samordnare för ärendemöten, socialtjänsten)",
    "chef": "Inloggad: chef (chef/uppföljning, polisen)",
    "admin": "Inloggad: admin (administratör, polisen)",
}
DEMO_REFERENCES = ("DEMO-001", "DEMO-002", "DEMO-003", "DEMO-004")


def test_the_first_start_on_an_empty_database_loads_the_demo(demo_database: DemoDatabase) -> None:
    shown = demo_database.first_page
    assert "Demokonton (påhittade data)" in shown
    assert "samrisk-demo-2026" in shown
    at = signed_in("vard")
    assert sorted(r for r in DEMO_REFERENCES if r in page_text(at.main)) == ["DEMO-002", "DEMO-003", "DEMO-004"]


@pytest.mark.parametrize("username", list(MENUS))
def test_each_role_gets_its_own_menu_and_nothing_else(username: str) -> None:
    at = signed_in(username)
    menu = MENUS[username]
    assert nav_titles(at) == menu
    assert title(at) == menu[0]  # the first entry opens after sign-in
    assert CAPTIONS[username] in texts(at.sidebar)
    for path in URL_PATHS:  # typing another role's address opens the role's own first page instead
        type_url(at, path)
        assert title(at) in menu, path
        assert nav_titles(at) == menu


def test_a_supervisor_sees_figures_but_never_a_case_reference() -> None:
    at = signed_in("chef")
    shown = page_text(at)
    assert "Endast sammanräknade siffror" in shown
    for reference in DEMO_REFERENCES:
        assert reference not in shown
    assert not [m for m in at.markdown if "samrisk-level" in m.value]


@pytest.mark.parametrize("page", ["Användare", "Granskningslogg"])
def test_an_admin_sees_no_case_content(page: str) -> None:
    at = open_page(signed_in("admin"), page)
    assert title(at) == page
    tables = [str(df.value.to_csv()) for df in at.dataframe]
    assert tables, "no table"
    shown = page_text(at) + "\n".join(tables)
    for secret in (*DEMO_REFERENCES, "Våld i lägenhet", "dv.strangulation", "yes", "samrisk-level", "Patrull"):
        assert secret not in shown
    if page == "Användare":
        assert {"polis", "vard", "soc", "samordnare", "chef", "admin"} <= set(at.dataframe[0].value["Användarnamn"])


def test_the_police_see_the_health_care_case_they_take_part_in_but_not_its_level() -> None:
    at = signed_in("polis")
    open_case(at, "DEMO-003")  # health care's case, the police take part; no consent to share with the police
    assert title(at) == "Resultat"
    shown = page_text(at.main)
    assert "DEMO-003 Skottskada 17 år · Akutmottagning" in shown
    assert t("pages.result.no_assessment", "sv") in shown
    assert badges(at) == []
    for word in ("Mycket hög", "Kriminella nätverk"):
        assert word not in shown
    # nor on the case list or in the case conference
    at = open_page(at, "Ärenden")
    at.text_input(key="cases.search").input("DEMO-003").run()
    assert "Ingen bedömning du får se ännu" in page_text(at.main)
    assert badges(at) == []
    at = open_page(at, "Ärendemöte")
    assert selectbox(at, "Ärende").value is not None
    assert "DEMO-003" in str(selectbox(at, "Ärende").format_func(selectbox(at, "Ärende").value))
    assert t("pages.conference.nothing_shared", "sv") in page_text(at.main)
    assert badges(at) == []


def test_the_coordinator_sees_each_agencys_shared_assessment_side_by_side_and_where_they_differ() -> None:
    at = signed_in("samordnare")
    assert title(at) == "Ärendemöte"
    case = selectbox(at, "Ärende")
    assert case.value is None and not badges(at)  # nothing of any case until one is chosen (a shared screen)
    assert t("pages.conference.choose_case", "sv") in page_text(at.main)
    case = selectbox(choose_case(at, "DEMO-004"), "Ärende")
    assert case.format_func(case.value) == "DEMO-004 Ärendemöte"
    shown = page_text(at.main)
    columns = [m.value for m in at.markdown if str(m.value).startswith("#### ")]
    assert columns == ["#### Hälso- och sjukvården", "#### Polisen", "#### Socialtjänsten"]
    levels = badges(at)
    assert levels[0] == "Samlad risknivå: Mycket hög (4 av 4)"
    # health care's psychiatric assessment of s1 and the police's domestic-violence one of v1, both shared with
    # the conference, and social services' own domestic-violence one of v1
    assert levels[1:] == ["Risknivå: Måttlig (2 av 4)", "Risknivå: Mycket hög (4 av 4)", "Risknivå: Hög (3 av 4)"]
    assert "**Akut risk vid psykisk ohälsa – suicid och våld**  \ns1 – misstänkt, 33 år" in shown
    assert shown.count("**Våld i nära relation: risk för allvarligt eller dödligt våld**  \nv1 – utsatt, 29 år") == 2
    differ = [w.value for w in at.warning if "skiljer sig" in w.value]
    assert differ == [
        "Bedömningarna skiljer sig för Våld i nära relation: risk för allvarligt eller dödligt våld – "
        "v1 – utsatt, 29 år: polisen: mycket hög, socialtjänsten: hög. Diskutera skillnaden."
    ]
    assert "Samrisk är ett beslutsstöd." in shown


def test_the_coordinator_opens_a_case_in_the_case_conference() -> None:
    at = open_page(signed_in("samordnare"), "Ärenden")
    open_case(at, "DEMO-001")
    assert title(at) == "Ärendemöte"
    case = selectbox(at, "Ärende")
    assert case.format_func(case.value) == "DEMO-001 Våld i lägenhet"
