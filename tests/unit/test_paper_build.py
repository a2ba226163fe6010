"""The decision paper of the demo agenda ``Demo-Sitzung``: content per TOP (pinned data, frozen
scenario, suppression as on screen, comments and decisions beside the figures), the record tables,
and ``python -m planning paper`` writing real PDF and PPTX files (opened and read back)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from planning import indicators as ind
from planning import steering as sk
from planning.cli import main
from planning.db import make_engine
from planning.demo.steering import AGENDA_NAME
from planning.paper.build import build_paper, record_tables
from planning.paper.model import Chart, Remark, Table
from planning.repository import active_versions, get_layout, load_planning_data
from planning.scenarios import Scenario, get_scenario, save_scenario
from planning.suppression import GEHEIM


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    url = demo_template.copy(tmp_path_factory.mktemp("paper"))
    return url, make_engine(url)


def _tables(section) -> list[Table]:
    return [b for b in section.blocks if isinstance(b, Table)]


def test_demo_agenda_ships_the_whole_workflow(demo):
    _, engine = demo
    m = sk.get_meeting(engine, AGENDA_NAME)
    assert len(m.agenda) >= 3 and all(a.view is not None for a in m.agenda)
    rec = sk.meeting_record(engine, "Sitzung September 2026")
    assert rec.decisions and rec.decisions[0].view is not None
    ov = sk.order_overview(engine, m)
    assert ov.open and ov.overdue and ov.done_since  # every state of a work order is shown
    assert sk.comments_about(engine, get_layout(engine).id, indicator="versorgung_u3")


def test_paper_sections_follow_the_agenda_with_sources_comments_and_decisions(demo):
    _, engine = demo
    paper = build_paper(engine, AGENDA_NAME)
    agenda = sk.get_meeting(engine, AGENDA_NAME).agenda
    titles = [s.title for s in paper.sections]
    assert titles[0] == "TOP 0: Seit der letzten Sitzung"  # the paper opens with it
    assert titles[1 : len(agenda) + 1] == [f"TOP {a.position}: {a.title}" for a in agenda]
    assert titles[len(agenda) + 1 :] == ["Beschlüsse dieser Sitzung", "Arbeitsaufträge", "Protokoll"]
    assert paper.municipality == "Weidenstadt"
    first = paper.sections[1]
    assert first.link.endswith(f"?ansicht={agenda[0].view.id}")
    charts = [b for b in first.blocks if isinstance(b, Chart)]
    assert charts and all("Stand" in c.source for c in charts)
    remarks = [b for b in first.blocks if isinstance(b, Remark)]
    kinds = {r.kind for r in remarks}
    assert kinds == {"kommentar", "beschluss", "vorschlag"}  # the September decision rests on this view;
    # the Beschlussvorschlag is the one prepared for this TOP
    assert any("Bestätigt" in r.text or "Elternbefragung" in r.text for r in remarks)  # reply in the thread
    # The U3 table lists the worst districts first (higher is better → ascending).
    u3 = _tables(first)[0].frame
    values = pd.to_numeric(u3.iloc[:, 1].str.replace(",", "."), errors="coerce").dropna()
    assert values.is_monotonic_increasing


def test_paper_links_point_to_the_given_address(demo):
    _, engine = demo
    paper = build_paper(engine, AGENDA_NAME, base_url="https://atlas.stadt.example/planung")
    links = [s.link for s in paper.sections if s.link]
    assert links and all(link.startswith("https://atlas.stadt.example/planung/") for link in links)
    remarks = [
        b.text for s in paper.sections for b in s.blocks if isinstance(b, Remark) and "Grundlage" in b.text
    ]
    assert remarks and all("https://atlas.stadt.example/planung/" in r for r in remarks)
    tables = record_tables(engine, AGENDA_NAME, base_url="https://atlas.stadt.example/planung")
    shown = [*tables["Tagesordnung"]["Ansicht"], *tables["Beschlüsse"]["Grundlage"]]
    assert all(link.startswith("https://atlas.stadt.example/planung/") for link in shown if link)


def test_paper_plan_table_keeps_its_range_column_on_one_line(demo):
    """The "Spanne" of a plan table is a number column (right-aligned, never wrapped into
    "-326 bis" / "-236" as it was on the demo paper's Ganztag page)."""
    _, engine = demo
    top = next(s for s in build_paper(engine, AGENDA_NAME).sections if "Ganztag" in s.title)
    table = next(t for t in _tables(top) if "Spanne" in t.frame.columns)
    assert "Spanne" in table.numeric
    assert table.frame["Spanne"].str.contains(" bis ").all()


def test_paper_uses_the_views_frozen_scenario_not_todays(demo):
    _, engine = demo
    lay = get_layout(engine)
    top = next(s for s in build_paper(engine, AGENDA_NAME).sections if "Ganztag" in s.title)
    before = _tables(top)[0].frame
    stored = get_scenario(engine, lay.id, "Grundschule Sonnenhang 2028")
    changed = Scenario(
        stored.name, stored.description, {"ganztag_bedarfsquote": 0.95}, (), revision=stored.revision
    )
    save_scenario(engine, lay.id, changed, "Test")
    try:
        after = _tables(next(s for s in build_paper(engine, AGENDA_NAME).sections if "Ganztag" in s.title))[
            0
        ].frame
        pd.testing.assert_frame_equal(before, after)
    finally:
        restored = get_scenario(engine, lay.id, stored.name)
        save_scenario(
            engine,
            lay.id,
            Scenario(
                stored.name, stored.description, stored.params, stored.measures, revision=restored.revision
            ),
            "Test",
        )


def test_paper_applies_small_number_protection(demo):
    """A view on a sensitive indicator prints "geheim" exactly where the app does."""
    _, engine = demo
    lay = get_layout(engine)
    data = load_planning_data(engine)
    level = len(lay.levels) - 1
    code = next(
        i.code
        for i in ind.available_indicators(data)
        if i.sensitive and ind.indicator_table(data, i, level)["suppressed"].any()
    )
    table = ind.indicator_table(data, ind.INDICATORS[code], level)
    year = int(table.loc[table["suppressed"], "year"].max())
    secret = set(table.loc[(table["year"] == year) & table["suppressed"], "gebiet_id"])
    versions = {k: v.id for k, v in active_versions(engine, lay.id).items()}
    view = sk.save_view(
        engine,
        lay.id,
        "geheim-Test",
        "sozialraum",
        {"kennzahl": code, "ebene": str(level), "jahr": str(year)},
        versions,
        None,
        "Test",
    )
    m = sk.create_meeting(engine, "Geheimhaltungstest", pd.Timestamp("2027-01-01").date(), "Test")
    sk.add_agenda_item(engine, m.id, "geheim", view.id)
    section = build_paper(engine, m.id).sections[1]  # after TOP 0, „Seit der letzten Sitzung“
    frame = _tables(section)[0].frame
    names = dict(zip(data.areas["gebiet_id"], data.areas["name"], strict=True))
    shown = dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))
    for gid in secret:
        if names[gid] in shown:
            assert shown[names[gid]] == GEHEIM
    assert GEHEIM in set(frame.iloc[:, 1]) or len(frame) < len(names)
    chart = next(b for b in section.blocks if isinstance(b, Chart))
    assert "geheim" in chart.note


def test_record_tables_for_excel(demo):
    _, engine = demo
    tables = record_tables(engine, AGENDA_NAME)
    assert list(tables) == ["Tagesordnung", "Beschlüsse", "Arbeitsaufträge", "Kommentare"]
    orders = tables["Arbeitsaufträge"]
    assert (orders["Überfällig"] == "ja").sum() == 1
    assert len(tables["Tagesordnung"]) == len(sk.get_meeting(engine, AGENDA_NAME).agenda)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext fehlt (Debian-Paket poppler-utils)")
def test_cli_paper_writes_pdf_and_pptx(demo, tmp_path: Path, capsys):
    url, engine = demo
    pdf = tmp_path / "vorlage.pdf"
    assert main(["--db", url, "paper", "--agenda", AGENDA_NAME, "--format", "pdf", "--out", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for agenda_item in sk.get_meeting(engine, AGENDA_NAME).agenda:
        assert f"TOP {agenda_item.position}" in text
    assert "Steuerkreis Bildung und Betreuung" in text and "Arbeitsaufträge" in text
    pptx = tmp_path / "vorlage.pptx"
    assert main(["--db", url, "paper", "--agenda", AGENDA_NAME, "--format", "pptx", "--out", str(pptx)]) == 0
    slides = Presentation(str(pptx)).slides
    texts = " ".join(sh.text_frame.text for sl in slides for sh in sl.shapes if sh.has_text_frame)
    assert "TOP 1" in texts and "Beschlüsse dieser Sitzung" in texts
    assert any(sh.shape_type == 13 for sl in slides for sh in sl.shapes)  # pictures (charts, maps)
    capsys.readouterr()
    assert main(["--db", url, "paper", "--agenda", "Unbekannt", "--format", "pdf", "--out", str(pdf)]) == 1
    err = capsys.readouterr().err
    assert "„Unbekannt“ gibt es nicht" in err and AGENDA_NAME in err
    assert (
        main(
            [
                "--db",
                url,
                "paper",
                "--agenda",
                AGENDA_NAME,
                "--format",
                "pdf",
                "--out",
                str(tmp_path / "x.pptx"),
            ]
        )
        == 1
    )
    assert "passt nicht zum Format" in capsys.readouterr().err
