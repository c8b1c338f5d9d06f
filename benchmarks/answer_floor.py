"""What an answer costs in the browser on a page shaped like the intake form that does nothing else: the floor
Streamlit itself sets for the app's answer, beside the one-line app.

usage: python benchmarks/answer_floor.py [--answers A] [--rounds R]

Streamlit apps made for the measurement (no database, no engine, no draft, no Samrisk code), each a step closer to
the intake page's shape:
- form: a title, a caption, one section of six questions (st.radio, three options, a help text) redrawn by its
  fragment on every answer, as the form's open section is, and the two buttons under the form;
- + sections and level: four more sections (closed expanders, each a fragment) and the level so far drawn into the
  sidebar by the answered section (an HTML badge, a progress bar, a warning);
- + people, choice, sidebar, menu: the people list with its closed expander, the checklist's three select boxes,
  the sidebar's language control, user line and sign-out button, and a seven-page menu (st.navigation).
Each runs on a real server (`streamlit run`, this checkout's .streamlit/config.toml) and is answered A times
(default 16) per round in headless Chromium, timed as benchmarks/app_journeys.py times an answer (click to the
page painted), then answered again with React's commits counted (benchmarks/app_answer.py's hook); R rounds
(default 2) alternate the apps, so each meets the same load. Prints medians; not a test.

What it showed (6 December 2026, 2 rounds of 16 each): at 11:58 UTC (load 1.2-1.5) the one-line app 57.6 ms, the
form alone 73.1 ms (1.27 x, 518 components rendered per answer), with sections and level 75.1 ms (1.30 x, 872), the
whole shape 91.2 ms (1.58 x, 1505); at 12:31 UTC the whole shape 92.5 ms against the one-line app's 66.3 ms (1.40 x).
A page of this shape sits at the 1.5 x goal before the app does any work of its own (the app itself, in
benchmarks/app_journeys.py minutes later: 99 ms, 1.80 x, about 1500 components). Every change of the app's state
(the run's start, its status, its deltas and end) renders the whole page again in the browser, so an answer's cost
follows the page's size, not what its rerun sends.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.app_answer import COUNT  # noqa: E402
from benchmarks.app_answer import answers as counted_answers  # noqa: E402
from benchmarks.app_journeys import GOAL_RATIO, ONE_LINE_APP, WATCH, Journey, serve, stop, wait_healthy  # noqa: E402
from tests.e2e.conftest import BROWSER_ARGS, CHROMIUM  # noqa: E402

FORM = """
import streamlit as st

QUESTION = "Har något hänt som liknar detta, fråga {n}?"
HELP = "**Så frågar du:** med egna ord.\\n\\n**Det här räknas:** det som har hänt."


@st.fragment
def section(n, panel):
    title = f"Avsnitt {n + 1}"
    box = st.expander(title, key=f"section{n}", on_change="rerun", expanded=n == 0) if MORE else st.container()
    if n == 0:
        with box:
            for q in range(6):
                st.radio(QUESTION.format(n=q + 1), ["ja", "nej", "vet ej"], index=None, key=f"q{q}", horizontal=True,
                         help=HELP)
        if MORE:
            with panel.container():
                st.markdown('<div style="border:2px solid #b02a3b;padding:4px"><b>Nivå hittills</b> ▲▲▲△ Hög</div>'
                            '<p style="font-size:0.875rem">Poäng: 9 av 16</p>', unsafe_allow_html=True)
                st.progress(0.5, text="Ifyllt: 50 %")
                st.warning("2 kritiska frågor är inte besvarade", icon=":material/warning:")
    elif MORE:
        panel.container()


def form():
    st.title("Intag")
    st.caption("DEMO-001 · Polisens ärendemottagning")
    if WHOLE:
        st.subheader("Personer")
        st.markdown("- v1 – utsatt, 31 år\\n- s1 – misstänkt, 35 år")
        st.expander("Lägg till person", icon=":material/person_add:", key="add_person", on_change="rerun")
        st.divider()
        st.subheader("Checklista")
        st.selectbox("Checklista", ["Våld i nära relation: risk för allvarligt eller dödligt våld"])
        left, right = st.columns(2)
        left.selectbox("Bedömningen gäller", ["v1 – utsatt, 31 år"])
        right.selectbox("Misstänkt/den som utövar våld", ["s1 – misstänkt, 35 år"])
    panel = st.sidebar.empty()
    for n in range(5 if MORE else 1):
        section(n, panel)
    st.button("Spara bedömningen", type="primary")
    st.button("Kasta utkastet")


if WHOLE:
    with st.sidebar:
        st.segmented_control("Språk", ["Svenska", "English"], default="Svenska")
        st.caption("Inloggad: polis (polis, polisen)")
        st.button("Logga ut")
    titles = ["Ärenden", "Resultat", "Ärendemöte", "Kunskapsstöd", "Får jag berätta?", "Övning"]
    other = [st.Page(lambda: st.title("Sida"), title=title, icon=":material/folder_open:", url_path=f"page{i}")
             for i, title in enumerate(titles)]
    intake = st.Page(form, title="Intag", icon=":material/edit_note:", url_path="intake", default=True)
    st.navigation([intake, *other]).run()
else:
    form()
"""
SHAPES = {
    "one-line app": ONE_LINE_APP,
    "form": "MORE = WHOLE = False\n" + FORM,
    "+ sections and level": "MORE, WHOLE = True, False\n" + FORM,
    "+ people, choice, menu": "MORE = WHOLE = True\n" + FORM,
}


def answered(browser: Any, url: str, pid: int, count: int) -> tuple[list[float], float]:
    """`count` answers timed (ms each), and React's components rendered per answer (median of answers counted)."""
    times: dict[str, list[float]] = defaultdict(list)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.goto(url)
    page.get_by_test_id("stRadio").first.wait_for()
    Journey(page, times, "shape").answers(count)
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    context.add_init_script(COUNT)
    page = context.new_page()
    page.goto(url)
    page.get_by_test_id("stRadio").first.wait_for()
    rows = counted_answers(page, pid, max(4, count // 2))
    context.close()
    return times["shape: answer"], statistics.median(row[3] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--answers", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8671)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="samrisk-floor-"))
    times: dict[str, list[float]] = defaultdict(list)
    rendered: dict[str, list[float]] = defaultdict(list)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
        for _ in range(args.rounds):
            for n, (label, source) in enumerate(SHAPES.items()):
                script = folder / f"shape{n}.py"
                script.write_text(source)
                server = serve(ROOT, script, args.port + n, folder)
                try:
                    wait_healthy(server, args.port + n)
                    ms, components = answered(browser, f"http://127.0.0.1:{args.port + n}/", server.pid, args.answers)
                    times[label] += ms
                    rendered[label].append(components)
                finally:
                    stop(server)
        browser.close()
    base = statistics.median(times["one-line app"])
    print(f"an answer: median of {args.rounds} x {args.answers} (click to painted); React components per answer")
    print(f"{'page':26}{'ms':>9}{'x one-line':>12}{'components':>12}")
    for label in SHAPES:
        ms = statistics.median(times[label])
        mark = "" if ms <= GOAL_RATIO * base else f"  over {GOAL_RATIO} x"
        print(f"{label:26}{ms:9.1f}{ms / base:12.2f}{statistics.median(rendered[label]):12.0f}{mark}")


if __name__ == "__main__":
    main()
