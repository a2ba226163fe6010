"""A whole Steuerkreis meeting in a real browser, on the demo agenda ``Demo-Sitzung``.

Open meeting mode (no sidebar, large type), step through three saved views (each opens its page
with its filters), pick the district under discussion in the meeting bar, record a comment, a
decision (with a snapshot of the view on screen) and a work order, end the meeting, and download
the decision paper as PDF and PPTX. The PDF is turned into PNGs with ``pdftoppm`` and read with
``pdftotext``; the PPTX is opened with python-pptx and its pictures decoded: the new decision,
comment and work order must be in both, and the pictures must not be blank.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pptx import Presentation

from planning import steering as sk
from planning.db import make_engine
from planning.demo.steering import AGENDA_NAME
from planning.indicators.catalogue import INDICATORS
from planning.pages import INDICATOR, default_indicator
from planning.paper.build import build_paper
from planning.paper.images import figure_png
from planning.paper.model import Chart, Table
from planning.paper.print_map import GAP_REDS
from planning.paper.to_pdf import CHART_HEIGHT_PX, CHART_SCALE, CHART_WIDTH_PX
from scripts.screenshots import wait_for_run
from tests.app.test_german_text import _first as english_or_missing

from .conftest import ARTIFACTS, shot, wait_for_map

BAR = ".st-key-sitzung_leiste"
#: The paper renders maps and charts with kaleido (Chromium) on a busy 2-core machine.
EXPORT_MS = 600_000
RUN_MS = 180_000

DECISION = "Ganztagsausbau Sonnenhang vorziehen"
COMMENT = "Raumreserve an der Grundschule reicht nur bis 2029 (e2e)."
ORDER = "Machbarkeitsstudie Ganztag Sonnenhang (e2e)"


def _non_blank(png: bytes) -> bool:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L").resize((200, 120)))
    return int((pixels < 200).sum()) > 200 and len(np.unique(pixels)) > 8


def _click(page: Page, name: str, scope: str = "") -> None:
    root = page.locator(scope) if scope else page
    root.get_by_role("button", name=name, exact=True).click()
    wait_for_run(page, timeout_ms=RUN_MS)


#: The projector: what the room must read without scrolling.
SCREEN = {"width": 1920, "height": 1080}
ROOM_JS = """() => {
  const px = e => parseFloat(getComputedStyle(e).fontSize);
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const r = plots.length ? plots[0].getBoundingClientRect() : null;
  const texts = plots.length ? [...plots[0].querySelectorAll('text')].filter(t => t.textContent.trim()) : [];
  return {
    map: r ? {top: r.top, bottom: r.bottom} : null,
    chartText: texts.length ? Math.min(...texts.map(px)) : null,
    cells: [...document.querySelectorAll('[data-testid="stTable"] td, .pa-rank-table td')].map(px),
    figures: [...document.querySelectorAll('.room-value')]
      .map(e => [e.getBoundingClientRect().bottom, px(e)]),
  };
}"""


def _room_checks(page: Page, plan_page: bool) -> None:
    """Map at least half the screen inside the first viewport, chart text and table cells ≥ 20 px,
    on plan pages the key figures on the first screen too."""
    m = page.evaluate(ROOM_JS)
    height = SCREEN["height"]
    assert m["map"] is not None, "keine Karte"
    assert m["map"]["top"] >= 0 and min(m["map"]["bottom"], height) - m["map"]["top"] >= height / 2, m
    assert m["chartText"] >= 20, m
    assert m["cells"] and min(m["cells"]) >= 20, m
    if plan_page:
        assert len(m["figures"]) == 4 and all(b <= height and size >= 20 for b, size in m["figures"]), m


def _worst_first(page: Page, code: str) -> None:
    """The ranking beside an indicator map lists the least favourable value first (polarity-aware),
    without the areas on too small a base."""
    indicator = INDICATORS[code]
    assert indicator.polarity != 0, code
    excerpt = page.locator(".pa-rank-table").first
    expect(page.get_by_text("Ungünstigster Wert zuerst").first).to_be_visible(timeout=RUN_MS)
    rows = excerpt.locator("tbody tr:not(.pa-gap)")
    values = [
        float(rows.nth(k).locator("td").nth(2).inner_text().split()[0].replace(".", "").replace(",", "."))
        for k in range(rows.count())
    ]
    names = [rows.nth(k).locator("td").nth(1).inner_text() for k in range(rows.count())]
    assert len(values) >= 5, values
    ordered = sorted(values, reverse=indicator.polarity < 0)
    assert values == ordered, (code, values)
    assert not any("zu wenige" in n or "zu kleine" in n for n in names), names


def _in_dialog(page: Page):
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=RUN_MS)
    return dialog


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm fehlt (Debian-Paket poppler-utils)")
def test_a_full_meeting(page: Page, base_url: str, e2e_db_url: str, tmp_path: Path) -> None:
    engine = make_engine(e2e_db_url)
    meeting = sk.get_meeting(engine, AGENDA_NAME)
    agenda = meeting.agenda

    page.set_viewport_size(SCREEN)
    page.goto(f"{base_url}/steuerkreis", wait_until="domcontentloaded")
    wait_for_run(page, after_action=False, timeout_ms=RUN_MS)  # the first run loads the demo city
    expect(page.get_by_text(f"Tagesordnung „{AGENDA_NAME}“")).to_be_visible()
    _click(page, "Sitzungsmodus starten")

    # TOP 0 opens the meeting: what happened since the September meeting, in large type
    bar = page.locator(BAR)
    expect(bar).to_contain_text(f"TOP 0 von {len(agenda)}: Seit der letzten Sitzung", timeout=RUN_MS)
    expect(page.get_by_text("Seit der Sitzung vom 17.09.2026")).to_be_visible(timeout=RUN_MS)
    expect(page.get_by_text("Ziele neu verfehlt").first).to_be_visible()
    expect(page.locator(".since-table").nth(1)).to_contain_text("Sonnenhang")  # the U3 rate 2024 → 2025
    assert "top=0" in page.url
    cells = page.evaluate(
        "() => [...document.querySelectorAll('.since-table td, .since-target')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert cells and min(cells) >= 20, cells
    shot(page, "sitzung_top0_seit_der_letzten_sitzung.png")
    _click(page, "Weiter ▶", BAR)

    for i in range(3):
        item = agenda[i]
        assert item.view is not None
        expect(bar).to_contain_text(f"TOP {i + 1} von {len(agenda)}: {item.title}", timeout=RUN_MS)
        # The TOP's page, without its title: the bar carries the TOP's
        expect(page.locator("h1")).to_have_count(0, timeout=RUN_MS)
        path = page.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        assert path == item.view.page or (item.view.page == "lagebild" and ":" in path), page.url
        expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()  # the shared screen: no sidebar
        expect(page.get_by_text("Gespeicherte Ansicht")).to_be_visible()
        wait_for_map(page, timeout_ms=RUN_MS)
        assert f"sitzung={meeting.id}" in page.url and f"top={i + 1}" in page.url
        _room_checks(page, item.view.page in ("kita", "schule"))
        if item.view.page not in ("kita", "schule"):
            _worst_first(page, item.view.state.get(INDICATOR) or default_indicator(item.view.page))
        shot(page, f"sitzung_top{i + 1}.png")
        if i < 2:
            _click(page, "Weiter ▶", BAR)

    # TOP 3 (Ganztag, level Stadtbezirk): the district under discussion, one click in the bar.
    box = bar.get_by_role("combobox").first
    box.click()
    first_option = page.get_by_role("option").first
    district = first_option.inner_text()
    first_option.click()
    wait_for_run(page, timeout_ms=RUN_MS)

    _click(page, "Kommentar", BAR)
    dialog = _in_dialog(page)
    dialog.get_by_role("textbox", name="Interpretation", exact=True).fill(COMMENT)
    dialog.get_by_role("textbox", name="Ihr Name", exact=True).fill("E. Zweiende")
    dialog.get_by_role("button", name="Kommentar speichern").click()
    wait_for_run(page, timeout_ms=RUN_MS)
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=RUN_MS)
    expect(page.locator(".sitzung-ok")).to_contain_text("Kommentar festgehalten", timeout=RUN_MS)
    expect(page.locator(".sitzung-ok")).to_contain_text(COMMENT)

    _click(page, "Beschluss", BAR)
    dialog = _in_dialog(page)
    # recording starts from the TOP's prepared Beschlussvorschlag (shown in the bar as well)
    assert agenda[2].proposal
    expect(bar).to_contain_text(f"Beschlussvorschlag: {agenda[2].proposal}")
    expect(dialog.get_by_role("textbox", name="Beschlusstext", exact=True)).to_have_value(agenda[2].proposal)
    dialog.get_by_role("textbox", name="Titel", exact=True).fill(DECISION)
    dialog.get_by_role("textbox", name="Beschlusstext", exact=True).fill(
        "Der Steuerkreis zieht den Ganztagsausbau auf 2027 vor."
    )
    dialog.get_by_role("textbox", name="Ihr Name", exact=True).fill("Dr. K. Hansen")
    shot(page, "sitzung_beschluss.png")
    dialog.get_by_role("button", name="Beschluss speichern").click()
    wait_for_run(page, timeout_ms=RUN_MS)
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=RUN_MS)
    expect(page.locator(".sitzung-ok")).to_contain_text("Beschluss festgehalten", timeout=RUN_MS)
    expect(page.locator(".sitzung-ok")).to_contain_text(DECISION)

    _click(page, "Arbeitsauftrag", BAR)
    dialog = _in_dialog(page)
    dialog.get_by_role("textbox", name="Auftrag", exact=True).fill(ORDER)
    dialog.get_by_role("textbox", name="Verantwortlich", exact=True).fill("T. Yilmaz")
    dialog.get_by_role("textbox", name="Ihr Name", exact=True).fill("Dr. K. Hansen")
    dialog.get_by_role("button", name="Auftrag speichern").click()
    wait_for_run(page, timeout_ms=RUN_MS)
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=RUN_MS)
    expect(page.locator(".sitzung-ok")).to_contain_text("Arbeitsauftrag erteilt", timeout=RUN_MS)
    expect(page.locator(".sitzung-ok")).to_contain_text(ORDER)
    shot(page, "sitzung_bestaetigung.png")

    # What was recorded, straight from the database.
    rec = sk.meeting_record(engine, AGENDA_NAME)
    assert [a.position for a in rec.shown] == [1, 2, 3]  # TOP 4 and 5 follow below
    decision = next(d for d in rec.decisions if d.title == DECISION)
    assert decision.view is not None and decision.view.page == "schule"
    assert decision.view.scenario is not None  # the scenario on screen is frozen with the decision
    assert decision.view.versions == agenda[2].view.versions
    order = next(o for o in rec.orders if o.title == ORDER)
    assert order.decision_id == decision.id and order.owner == "T. Yilmaz"
    comment = next(c for c in rec.comments if c.text == COMMENT)
    assert comment.gebiet_id is not None and comment.department == "Jugendamt"

    # The Stadtteilprofil's TOP laid out for the room too: title, key figures, a large map and the
    # weakest indicators on the first screen, the choices in one slim bar, no print button.
    _click(page, "Weiter ▶", BAR)
    expect(bar).to_contain_text(f"TOP 4 von {len(agenda)}", timeout=RUN_MS)
    wait_for_map(page, timeout_ms=RUN_MS)
    assert agenda[3].view is not None
    _worst_first(page, agenda[3].view.state.get(INDICATOR) or default_indicator(agenda[3].view.page))
    shot(page, "sitzung_top4.png")
    _click(page, "Weiter ▶", BAR)
    profile_top = len(agenda)
    assert agenda[profile_top - 1].view is not None
    assert agenda[profile_top - 1].view.page == "stadtteilprofil"
    expect(bar).to_contain_text(f"TOP {profile_top} von {len(agenda)}: Stadtteilprofil", timeout=RUN_MS)
    weakest = page.locator(".st-key-profil_kopf [data-testid='stTable']")
    expect(weakest).to_contain_text("von", timeout=RUN_MS)  # ranks: "29 von 29"
    expect(page.get_by_text("Ungünstigste Kennzahlen im Stadtvergleich")).to_be_visible()
    expect(page.get_by_role("button", name="Drucken")).to_have_count(0)
    wait_for_map(page, timeout_ms=RUN_MS)
    _room_checks(page, plan_page=True)
    box = weakest.bounding_box()
    assert box is not None and box["y"] + box["height"] <= SCREEN["height"], box
    controls = page.locator(".st-key-profil_auswahl").bounding_box()
    assert controls is not None and controls["height"] <= 60, controls  # one slim bar
    shot(page, "sitzung_top5_stadtteilprofil.png")

    _click(page, "Beenden", BAR)
    expect(page.locator("h1").first).to_have_text("Sitzung & Beschlüsse", timeout=RUN_MS)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
    expect(page.locator("li", has_text=DECISION).first).to_be_visible()  # the minutes list it
    shot(page, "sitzung_protokoll.png")

    with page.expect_download(timeout=EXPORT_MS + RUN_MS) as dl:
        _build_and_download(
            page, "Entscheidungsvorlage (PDF)", "PDF herunterladen", "sitzung_vorlage_erstellt.png"
        )
    pdf = tmp_path / "vorlage.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    shutil.copy(pdf, ARTIFACTS / "sitzung_vorlage.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "seite")], check=True)
    pages = sorted(tmp_path.glob("seite-*.png"))
    assert len(pages) >= len(agenda) + 3
    pictures = [p for p in pages if _non_blank(p.read_bytes())]
    assert len(pictures) >= len(pages) // 2, "zu viele leere Seiten in der Vorlage"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in (
        DECISION,
        COMMENT,
        ORDER,
        district,
        "TOP 1",
        "Quellen",
        "Seite 1 von",
        "TOP 0: Seit der letzten Sitzung",
        agenda[2].proposal,
        "Bezieht sich auf 2024",
        f"{base_url}/schule?ansicht=",  # links back to the app at the address the browser used
    ):
        assert needle in " ".join(text.split()), f"„{needle}“ fehlt im PDF"
    assert "localhost:8501" not in text or base_url.endswith(":8501")
    # the text layer as printed: no English word of the list, no None/nan, no English number
    problems = [line for line in text.splitlines() if english_or_missing(line)]
    assert not problems, problems[:10]
    _balance_map_is_red_at_the_largest_gap(engine, pdf, tmp_path)

    with page.expect_download(timeout=EXPORT_MS + RUN_MS) as dl:
        _build_and_download(page, "Foliensatz (PowerPoint)", "PowerPoint herunterladen")
    pptx = tmp_path / "vorlage.pptx"
    dl.value.save_as(pptx)
    deck = Presentation(str(pptx))
    texts = " ".join(
        " ".join(sh.text_frame.text.split()) for sl in deck.slides for sh in sl.shapes if sh.has_text_frame
    )
    for needle in (DECISION, ORDER, "TOP 3"):
        assert needle in texts, f"„{needle}“ fehlt in der PPTX"
    images = [sh.image.blob for sl in deck.slides for sh in sl.shapes if sh.shape_type == 13]
    assert images and all(_non_blank(b) for b in images[:4])


def _build_and_download(page: Page, build: str, download: str, screenshot: str = "") -> None:
    """Build the paper in the page run (a status box counts the charts drawn; no browser-side time
    limit as with a deferred download), then click the download button it offers."""
    page.get_by_role("button", name=build).click()
    button = page.get_by_role("button", name=download)
    expect(button).to_be_visible(timeout=EXPORT_MS)
    expect(page.get_by_text(f"{build} erstellt")).to_be_visible()
    if screenshot:
        shot(page, screenshot)
    button.click()


def _balance_map_is_red_at_the_largest_gap(engine, pdf: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Render the PDF page of the Kita balance map and read the colour at the largest gap's area.

    Where that area sits in the picture comes from the paper's own figure: its first name label
    marks the largest gap (the map names the gaps in the table's order). Drawn once more with only
    that point, in pure green, at the size the PDF embeds, the point's pixel is found; the PDF's
    picture is placed on the page as ``pdftohtml -xml`` reports, and the rendered page is read there.
    """
    paper = build_paper(engine, AGENDA_NAME)
    section = next(s for s in paper.sections if s.title.startswith("TOP 2:"))
    chart = next(b for b in section.blocks if isinstance(b, Chart))
    table = next(b for b in section.blocks if isinstance(b, Table))
    names = next(t for t in chart.figure.data if t.name == "Namen")
    largest = str(table.frame.iloc[0, 0])
    assert names.text[0] == largest  # the first label is the table's first row, the largest gap
    assert str(table.frame["Fehlend"].iloc[0]).startswith("-")

    marked = go_copy(chart.figure)
    marked.data = [t for t in marked.data if t.name != "Namen"]
    marked.add_scatter(
        x=[names.x[0]],
        y=[names.y[0]],
        mode="markers",
        marker={"size": 4, "color": "#00ff00"},
        showlegend=False,
    )
    png = np.asarray(
        Image.open(
            io.BytesIO(figure_png(marked, CHART_WIDTH_PX, CHART_HEIGHT_PX, scale=CHART_SCALE))
        ).convert("RGB")
    ).astype(int)
    green = (png[..., 1] > 200) & (png[..., 0] < 80) & (png[..., 2] < 80)
    assert green.any(), "Markierung nicht gefunden"
    gy, gx = (float(v.mean()) for v in np.nonzero(green))

    # the page: the one whose text has the map's title; the picture: the first on it
    title = chart.title.split(" (")[0]
    page_no = next(
        n
        for n in range(1, 200)
        if title
        in " ".join(
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
    )
    subprocess.run(
        [
            "pdftohtml",
            "-xml",
            "-zoom",
            "1",
            "-f",
            str(page_no),
            "-l",
            str(page_no),
            str(pdf),
            str(tmp_path / "lage"),
        ],
        check=True,
        capture_output=True,
    )
    image = ElementTree.parse(tmp_path / "lage.xml").getroot().find(".//image")
    assert image is not None
    left, top, width, height = (float(image.get(k, "0")) for k in ("left", "top", "width", "height"))
    dpi = 144
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page_no),
            "-l",
            str(page_no),
            str(pdf),
            str(tmp_path / "karte"),
        ],
        check=True,
    )
    rendered = np.asarray(Image.open(next(tmp_path.glob("karte-*.png"))).convert("RGB")).astype(int)
    px = (left + gx / png.shape[1] * width) * dpi / 72
    py = (top + gy / png.shape[0] * height) * dpi / 72
    # around the label's dot (dark, white halo; the name above it): the area's fill
    r = 14
    window = rendered[int(py) : int(py) + r, int(px) - r : int(px) + r].reshape(-1, 3)
    fill = window[(window.max(axis=1) - window.min(axis=1)) > 60]  # coloured, not ink or halo
    assert len(fill) > 20, window
    colour = np.median(fill, axis=0)
    strongest = np.array([int(GAP_REDS[0][i : i + 2], 16) for i in (1, 3, 5)])
    Image.fromarray(rendered.astype("uint8")).save(ARTIFACTS / "sitzung_vorlage_bilanzkarte.png")
    assert np.abs(colour - strongest).max() <= 30, (largest, colour.tolist(), strongest.tolist())


def go_copy(fig):  # type: ignore[no-untyped-def]
    import plotly.graph_objects as go

    return go.Figure(fig)
