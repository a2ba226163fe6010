"""AppTest smoke tests: every page runs without exception against a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning import pages as registry
from tests.conftest import APPTEST_TIMEOUT_S

APP = str(Path(__file__).resolve().parents[2] / "app.py")

#: Pages with a map on the first screen; every page of the registry is tested.
MAP_PAGES = {"lagebild", "kita", "schule", "sozialraum", "stadtteilprofil"}
PAGES = {p.file: (p.title, p.slug in MAP_PAGES) for p in registry.PAGES}


def _run(page: str | None = None, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_without_exception(tiny_url, page):
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    title, has_map = PAGES[page]
    assert at.title[0].value == title
    if has_map:
        charts = at.get("plotly_chart")
        assert charts, "no map rendered"
        maps = [json.loads(c.proto.spec) for c in charts]
        maps = [m for m in maps if m["data"] and m["data"][0]["type"] == "choroplethmap"]
        assert maps, "no map rendered"
        assert all(m["layout"]["map"]["style"] == "white-bg" for m in maps)
        # the geometry travels once as a static file (fetched and kept by the browser), not per rerun
        layer = next(t["geojson"] for t in maps[0]["data"] if t["type"] == "choroplethmap")
        assert isinstance(layer, str) and layer.startswith("app/static/geo/"), layer
        served = Path(APP).parent / "static" / "geo" / layer.rsplit("/", 1)[1]
        assert json.loads(served.read_text(encoding="utf-8"))["type"] == "FeatureCollection"


def test_lagebild_kpis_show_city_figures(tiny_url):
    at = _run()
    labels = {m.label: m.value for m in at.metric}
    assert labels["Kinder unter 3"] == "47"  # 30 + 5 + 12 in 2025 (hand-checked in conftest)
    assert labels["Kita-Plätze"] == "40"  # only K1 operates in 2025


def test_url_parameters_open_the_same_view(tiny_url):
    at = _run(params={"jahr": "2024", "kennzahl": "kinder_u3", "gebiet": "0102", "ebene": "1"})
    assert not at.exception
    assert at.session_state["year"] == 2024
    assert at.session_state["indicator"] == "kinder_u3"
    assert at.session_state["district"] == "0102"
    assert at.query_params["kennzahl"] == ["kinder_u3"] or at.query_params["kennzahl"] == "kinder_u3"


def test_mangled_url_parameters_fall_back_to_defaults(tiny_url):
    at = _run(params={"jahr": "zwanzig", "kennzahl": "gibt_es_nicht", "gebiet": "9999"})
    assert not at.exception
    assert at.session_state["year"] == 2025
    assert at.session_state["district"] is None


def test_empty_database_shows_german_notice(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", f"sqlite:///{tmp_path / 'leer.db'}")
    at = _run()
    assert not at.exception
    assert "noch keine Gebiete" in at.warning[0].value


def test_datenstaende_compares_two_kita_lists(tiny_url, tmp_path):
    from planning.db import make_engine
    from planning.imports.service import import_file
    from planning.imports.writer import VersionMeta

    csv = tmp_path / "kitas_neu.csv"
    csv.write_text("kita_id;name;gebiet_id;plaetze_gesamt\nK1;Kita Eins;0101;55\n", encoding="utf-8")
    engine = make_engine(tiny_url)
    # 1 Kita for the tiny city's 3: a shrinking delivery, confirmed (test_import_shrink.py)
    import_file(engine, "kitas", csv, VersionMeta(source="Jugendamt", licence="intern"), confirm_shrink=True)
    engine.dispose()
    at = _run("pages/datenstaende.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "Datenstände vergleichen" in [h.value for h in at.subheader]
    assert at.get("plotly_chart"), "no comparison map"
    labels = {m.label: m.value for m in at.metric}
    assert labels["Kita-Plätze: nachher"] == "55"


@pytest.fixture
def demo_url(demo_template, tmp_path, monkeypatch):
    url = demo_template.copy(tmp_path)
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    return url


def test_plan_pages_on_the_demo_city(demo_url):
    """Kita gap, school/Ganztag, scenario comparison, cohort chain and backtest on Weidenstadt."""
    at = _run("pages/kita.py", params={"planjahr": "2028"})
    assert not at.exception, [e.value for e in at.exception]
    labels = {m.label: m.value for m in at.metric}
    assert labels["U3-Plätze 2028"] == "1.565"  # 2025 places + planned openings to 2028 (golden)
    at = _run("pages/schule.py", params={"planjahr": "2029"})
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label for m in at.metric} >= {"Einschulungen 2029/30", "Ganztag: Bedarf / Plätze 2029/30"}
    at = _run("pages/szenarien.py", params={"planjahr": "2030"})
    assert not at.exception, [e.value for e in at.exception]
    at.multiselect(key="compare_scenarios").set_value(["Basis", "Grundschule Sonnenhang 2028"]).run()
    # the Kita figure compared is the shortfall: a U3 surplus never nets an Ü3 gap (issue 22)
    assert at.selectbox(key="compare_figure").value == "kita_shortfall"
    assert not any("verrechnet" in o for o in at.selectbox(key="compare_figure").options)
    at.selectbox(key="compare_figure").set_value("zuege_gap").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("1 Planungsraum ändert sich" in m.value for m in at.markdown)
    at = _run("pages/kohorten.py")
    assert any("(Gesamtstadt)" in m.value for m in at.markdown)
    at.selectbox(key="district").set_value("0405").run()  # Sonnenhang: no primary school of its own
    assert not at.exception, [e.value for e in at.exception]
    assert any("(Sonnenhang)" in m.value and "Eingangsklasse(n) fehlen" in m.value for m in at.markdown)
    at = _run("pages/prognose.py")
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Fehler 1 Jahr voraus"].endswith("%") and metrics["Spanne trifft"].endswith("%")
    assert metrics["Besser als beide einfachen Verfahren"].endswith("von 10 Jahren voraus")
    heads = list(at.dataframe[0].value.columns)
    assert heads[:5] == [
        "Jahre voraus",
        "Vergleiche",
        "Prognose",
        "Fortschreibung ohne Änderung",
        "Alterung ohne Wanderung",
    ]
    errors = at.dataframe[-1].value  # per area, built once per data and base year (ui.tables.styled)
    assert list(errors.columns[:2]) == ["Gebiet", "+1 J. (%)"] and len(errors) > 10
    last = errors[errors.columns[-1]].abs()
    assert last.is_monotonic_decreasing, "largest error first"
    at.segmented_control(key="backtest_base").set_value(2020).run()  # one base year
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.dataframe[0].value["Jahre voraus"]) == ["+1", "+2", "+3", "+4", "+5"]
    assert at.dataframe[-1].value.shape != errors.shape or not at.dataframe[-1].value.equals(errors)


def test_scenario_editor_saves_a_new_scenario(demo_url):
    from planning.db import make_engine
    from planning.repository import get_layout
    from planning.scenarios import get_scenario

    at = _run("pages/szenarien.py")
    at.segmented_control(key="scenario_view").set_value("Bearbeiten").run()
    assert not at.exception, [e.value for e in at.exception]
    next(t for t in at.text_input if t.label == "Name").input("Ganztag 80 %")
    at.text_input(key="p_+ Neues Szenario_ganztag_bedarfsquote").input("80")

    def save():
        return next(b for b in at.button if b.label == "Szenario speichern")

    save().click().run()  # without a name of the editor: refused
    assert any("Bitte Ihren Namen angeben" in e.value for e in at.error)
    at.text_input(key="editor_user").input("Anna Planerin")
    save().click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("gespeichert" in s.value for s in at.success)
    engine = make_engine(demo_url)
    saved = get_scenario(engine, get_layout(engine).id, "Ganztag 80 %")
    assert saved.params == {"ganztag_bedarfsquote": 0.8} and saved.updated_by == "Anna Planerin"


def test_register_page_saves_a_target_and_the_lagebild_shows_its_light(demo_url):
    """A planner changes the U3 target on "Kennzahlen & Ziele"; the set overview on the Lagebild
    then reads the new target and its light (and a save without a name is refused)."""
    from planning.db import make_engine
    from planning.registry import load_registry

    at = _run("pages/kennzahlen.py")
    assert not at.exception, [e.value for e in at.exception]
    box = next(s for s in at.selectbox if s.label == "Kennzahl")
    box.select("versorgung_u3").run()
    at.text_input(key="target_value_versorgung_u3").input("40")
    at.text_input(key="target_tolerance_versorgung_u3").input("2")
    save = next(b for b in at.button if b.label == "Zielwert speichern")
    save.click().run()
    assert any("Bitte oben Ihren Namen angeben" in e.value for e in at.error)
    assert load_registry(make_engine(demo_url)).target("versorgung_u3").target == 50.0  # unchanged
    at.text_input(key="register_user").input("Anna Planerin").run()
    box = next(s for s in at.selectbox if s.label == "Kennzahl")
    box.select("versorgung_u3").run()
    at.text_input(key="target_value_versorgung_u3").input("40")
    at.text_input(key="target_tolerance_versorgung_u3").input("2")
    next(b for b in at.button if b.label == "Zielwert speichern").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Gespeichert" in s.value for s in at.success), [e.value for e in at.error]
    target = load_registry(make_engine(demo_url)).target("versorgung_u3")
    assert (target.target, target.tolerance, target.updated_by) == (40.0, 2.0, "Anna Planerin")
    # the audit trail names the app's workplace account (not the command line's), before and after
    trail = _run("pages/protokoll.py")
    assert not trail.exception, [e.value for e in trail.exception]
    assert any("Änderungsprotokoll unversehrt" in s.value for s in trail.success)  # the hash chain holds
    events = next(df.value for df in trail.dataframe if "nachher" in df.value.columns)
    change = events[(events["Objekt"] == "Zielwert") & (events["Benutzername"] == "arbeitsplatz")].iloc[0]
    # the page reads the stored record in German ("Zielwert: 40", not "\"target\": 40.0")
    assert change["Aktion"] == "geändert" and "Zielwert: 40;" in change["nachher"]

    lage = _run()
    assert not lage.exception, [e.value for e in lage.exception]
    overview = next(
        df.value for df in lage.dataframe if "Ampel" in df.value.columns and "Ziel" in df.value.columns
    )
    row = overview[overview["Kennzahl"] == "Versorgungsquote U3"].iloc[0]
    assert row["Ziel"] == "Ziel ≥ 40,0 % (gelb ab 38,0 %)"
    assert row["Ampel"].endswith("grün")  # the city's 45,9 % now reaches the target


def test_steuerkreis_page_and_meeting_mode_on_the_demo_city(demo_url):
    """The demo agenda on "Sitzung & Beschlüsse"; a saved-view link pins its data and shows the
    banner; a meeting-mode link (?sitzung=…&top=…) shows the meeting bar with its TOP."""
    from planning import steering as sk
    from planning.db import make_engine

    engine = make_engine(demo_url)
    meeting = sk.get_meeting(engine, "Demo-Sitzung")
    at = _run("pages/steuerkreis.py")
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown).replace("\\", "")  # markdown escapes
    for item in meeting.agenda:
        assert f"TOP {item.position}: {item.title}" in text
    assert {m.label for m in at.metric} >= {"Offen", "Überfällig am 10.12.2026", "Erledigt seit 17.09.2026"}

    first = meeting.agenda[0].view
    at = _run(params={"ansicht": str(first.id)})
    assert not at.exception, [e.value for e in at.exception]
    banners = [i.value.replace("\\", "") for i in at.info]  # markdown escapes
    assert any("Gespeicherte Ansicht" in b and first.title in b for b in banners), banners
    assert at.session_state["indicator"] == first.state["kennzahl"]

    second = meeting.agenda[1]
    at = _run(params={"sitzung": str(meeting.id), "top": "2", "ansicht": str(second.view.id)})
    assert not at.exception, [e.value for e in at.exception]
    bar = " ".join(h.value for h in at.get("html"))
    assert f"TOP 2 von {len(meeting.agenda)}: {second.title}" in bar
    assert f"Beschlussvorschlag:</b> {second.proposal}" in bar  # prepared, shown in the room
    assert any(b.label == "Weiter ▶" for b in at.button)

    # TOP 0 opens the meeting: „Seit der letzten Sitzung“ instead of the page's tabs
    at = _run(params={"sitzung": str(meeting.id), "top": "0"})  # the link opens the Sitzung page
    assert not at.exception, [e.value for e in at.exception]
    html = " ".join(h.value for h in at.get("html"))
    assert f"TOP 0 von {len(meeting.agenda)}: Seit der letzten Sitzung" in html
    assert "Versorgungsquote U3" in html and "überfällig" in html
    assert {m.label for m in at.metric} >= {"Neue Datenstände", "Ziele neu verfehlt", "Aufträge überfällig"}
    assert not at.tabs  # the room sees the report, not the page's tabs


def test_steuerkreis_status_forms_save_a_decision_and_a_work_order(demo_url):
    """'Status ändern' under Beschlüsse and under Arbeitsaufträge saves the chosen record's new
    status under the name typed beside it."""
    from planning import steering as sk
    from planning.db import make_engine

    engine = make_engine(demo_url)
    decision = sk.list_decisions(engine)[0]
    order = next(o for o in sk.list_work_orders(engine) if o.status != "in Arbeit")
    at = _run("pages/steuerkreis.py")
    assert not at.exception, [e.value for e in at.exception]
    # the page holds the work orders' status form before the decisions'
    for label, record_id, status, user_key, n in (
        ("Auftrag", order.id, "in Arbeit", "sk_order_user", 0),
        ("Beschluss", decision.id, "vertagt", "sk_decision_user", 1),
    ):
        next(s for s in at.selectbox if s.label == label).set_value(record_id)
        [s for s in at.selectbox if s.label == "Neuer Status"][n].set_value(status)
        at.text_input(key=user_key).input("T. Test")
        [b for b in at.get("form_submit_button") if b.label == "Status ändern"][n].click().run()
        assert not at.exception, [e.value for e in at.exception]
    saved = next(d for d in sk.list_decisions(engine) if d.id == decision.id)
    assert (saved.status, saved.revision) == ("vertagt", decision.revision + 1)
    done = next(o for o in sk.list_work_orders(engine) if o.id == order.id)
    assert (done.status, done.revision) == ("in Arbeit", order.revision + 1)


def test_steuerkreis_builds_the_slides_and_offers_their_download(demo_url):
    """'Foliensatz (PowerPoint)' builds the paper of the chosen meeting in the run and leaves a
    download button with the file named after date and agenda."""
    at = _run("pages/steuerkreis.py")
    at.button(key="sk_pptx").click().run(timeout=600)
    assert not at.exception, [e.value for e in at.exception]
    assert any(b.proto.label == "PowerPoint herunterladen" for b in at.get("download_button"))
    assert any(c.value.startswith("Foliensatz (PowerPoint), erstellt um") for c in at.caption)
    export = at.session_state["sk_exports"]["pptx"]
    assert export.file_name.endswith("_Demo-Sitzung.pptx") and export.data[:2] == b"PK"  # a zip: pptx


def test_saved_view_reopens_its_figures_after_a_newer_import(demo_url):
    """A view saved before a Kita import still shows the old Kita count (pinned versions)."""
    from planning import steering as sk
    from planning.db import make_engine, session_scope
    from planning.models import DatasetVersion, Kita
    from planning.repository import active_versions, get_layout

    engine = make_engine(demo_url)
    lay = get_layout(engine)
    versions = {k: v.id for k, v in active_versions(engine, lay.id).items()}
    view = sk.save_view(
        engine, lay.id, "vorher", "lagebild", {"kennzahl": "versorgung_u3"}, versions, None, "T"
    )
    before = _run(params={"ansicht": str(view.id)})
    kpis = {m.label: m.value for m in before.metric}
    with session_scope(engine) as s:  # a new Kita version with one Kita only, made active
        old = s.get(DatasetVersion, versions["kitas"])
        new = DatasetVersion(
            kind="kitas",
            label="neu",
            source="Test",
            licence="CC0",
            layout_id=lay.id,
            is_active=True,
            row_count=1,
        )
        old.is_active = False
        s.add(new)
        s.flush()
        sample = s.query(Kita).filter(Kita.dataset_version_id == old.id).first()
        cols = {c.key: getattr(sample, c.key) for c in Kita.__table__.columns if c.key not in ("id",)}
        s.add(Kita(**{**cols, "dataset_version_id": new.id}))
    now = _run()
    assert {m.label: m.value for m in now.metric}["Kita-Plätze"] != kpis["Kita-Plätze"]
    again = _run(params={"ansicht": str(view.id)})
    assert {m.label: m.value for m in again.metric}["Kita-Plätze"] == kpis["Kita-Plätze"]
    assert any("neuere Daten" in i.value for i in again.info)


def _timeline_titles(at: AppTest) -> list[str]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "kita_timeline" in c.proto.id]
    return [s["layout"]["title"]["text"] for s in specs]


def test_kita_timeline_is_folded_until_opened_or_a_district_is_chosen(tiny_url):
    """The time series below the map is built only while open (bench/settled: a second chart
    costs the page a fifth of a second in the browser); choosing a district opens it."""
    from ui.planview import TIMELINE_OPEN

    at = _run("pages/kita.py")
    assert not at.exception, [e.value for e in at.exception]
    folded = [e for e in at.expander if e.label.startswith("Zeitverlauf: Bedarf und Plätze")]
    assert folded, [e.label for e in at.expander]
    assert _timeline_titles(at) == []
    at.session_state[TIMELINE_OPEN] = True
    at.run()
    assert _timeline_titles(at) == ["Gesamtstadt: Bedarf und Plätze"]
    spec = json.loads(next(c for c in at.get("plotly_chart") if "kita_timeline" in c.proto.id).proto.spec)
    # one band per line, its range in the line's own tooltip (no invisible second line per band)
    lines = [t for t in spec["data"] if t.get("fill") != "toself"]
    assert [t["name"] for t in lines] == ["U3-Bedarf", "U3-Plätze", "Ü3-Bedarf", "Ü3-Plätze"]
    assert all(text == "" or text.startswith(" (Spanne ") for text in lines[0]["text"]), lines[0]["text"]

    at.session_state[TIMELINE_OPEN] = False  # folded by the user
    at.run()
    assert _timeline_titles(at) == []
    at.session_state["district"] = "0102"  # a district chosen: a click in the map, the meeting bar
    at.run()
    titles = _timeline_titles(at)
    assert len(titles) == 1 and titles[0].endswith(": Bedarf und Plätze") and "Gesamtstadt" not in titles[0]
    assert at.selectbox(key="district").value == "0102"


def test_lagebild_trend_is_folded_until_opened_or_a_district_is_chosen(tiny_url):
    """The city's trend below the map is built only while open (drawn beside the map's first
    drawing it delayed the map by about 0,1 s on Berlin); a chosen district opens it at once."""
    from ui.district_detail import TREND_OPEN

    def trend_names(at: AppTest) -> list[list[str]] | None:
        charts = [c for c in at.get("plotly_chart") if "trend" in c.proto.id]
        return [[t["name"] for t in json.loads(c.proto.spec)["data"]] for c in charts] or None

    at = _run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.label for e in at.expander if e.label == "Zeitverlauf: Gesamtstadt und ausgewähltes Gebiet"]
    assert trend_names(at) is None
    at.session_state[TREND_OPEN] = True
    at.run()
    assert trend_names(at) == [["Gesamtstadt"]]
    at.session_state[TREND_OPEN] = False  # folded by the user
    at.run()
    assert trend_names(at) is None
    at.session_state["district"] = "0102"  # a click in the map, the table or the meeting bar
    at.run()
    names = trend_names(at)
    assert names is not None and len(names[0]) == 2 and names[0][0] == "Gesamtstadt", names


def test_meeting_top_folds_scenario_and_year_and_builds_them_only_when_opened(demo_url):
    """In the room a TOP's saved view fixes scenario and year: "Szenario und Jahr ändern" is folded
    and built only while open, and the folded page shows the view's scenario and year (here the
    demo's Ganztag TOP: scenario Sonnenhang, school year 2029), exactly as the opened controls do."""
    from planning import steering as sk
    from planning.db import make_engine
    from ui.planview import ROOM_CONTROLS_OPEN

    meeting = sk.get_meeting(make_engine(demo_url), "Demo-Sitzung")
    item = next(i for i in meeting.agenda if i.view is not None and i.view.page == "schule")
    scenario, year = item.view.state["szenario"], int(item.view.state["planjahr"])
    assert scenario != "Basis"
    at = _run(params={"sitzung": str(meeting.id), "top": str(item.position)})
    assert not at.exception, [e.value for e in at.exception]
    assert [e.label for e in at.expander if e.label == "Szenario und Jahr ändern"]
    assert not [s for s in at.selectbox if s.label == "Szenario"]
    assert not at.select_slider
    folded = _room_figures(at)
    assert "2029/30" in folded, folded  # the view's school year
    assert (at.session_state["scenario"], at.session_state["plan_year"]) == (scenario, year)

    at.session_state[ROOM_CONTROLS_OPEN] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert next(s for s in at.selectbox if s.label == "Szenario").value == scenario
    assert at.select_slider(key="plan_year").value == year
    assert _room_figures(at) == folded

    at.selectbox(key="scenario").set_value("Basis").run()  # the room changes the scenario after all
    assert not at.exception, [e.value for e in at.exception]
    assert _room_figures(at) != folded


def _room_figures(at: AppTest) -> str:
    """The large figures of a TOP on the shared screen (one HTML block)."""
    return next(h.value for h in at.get("html") if "room-fig" in h.value)
