"""Decision paper rendering: the print map, PNG export, PDF (weasyprint) and PPTX (python-pptx).

The PDF is checked the way a reader sees it: its text layer (``pdftotext``) and its pages as
pictures (``pdftoppm``, Debian ``poppler-utils``, installed by ``scripts/ensure-system-deps.sh``).
"""

from __future__ import annotations

import io
import itertools
import math
import re
import shutil
import subprocess
from collections import OrderedDict
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Polygon, box

from planning.paper import images
from planning.paper.images import ExportError
from planning.paper.model import Chart, Paper, Remark, Section, Table, Text
from planning.paper.print_map import SECRET_COLOR, class_breaks, static_map

TITLE = "Steuerkreis Bildung und Betreuung – Übergänge, Größenordnung und Schülerzahlen"
FOOTER = "Nur für den Dienstgebrauch · Planungsatlas Weidenstadt"
MAP_TITLE = "Versorgungsquote U3 nach Planungsraum, 2025"
LINE_TITLE = "Kinder unter 3 Jahren in der Stadt"
REMARK_TEXTS = {
    "kommentar": "Die Quote im Südviertel ist wegen der Baustelle der Kita Mühlenweg vorübergehend niedrig.",
    "beschluss": "Der Steuerkreis empfiehlt dem Jugendhilfeausschuss den Ausbau um 45 Plätze.",
    "auftrag": "Das Schulamt prüft bis März die Raumreserven der Grundschule Nord.",
}


def _areas(crs: int = 25832) -> gpd.GeoDataFrame:
    """Six districts on a 2 × 3 grid of 1 km squares; A has a hole filled by the enclave E, B is a
    MultiPolygon of two strips."""
    a = Polygon(box(0, 0, 1000, 1000).exterior.coords, [[(300, 300), (300, 700), (700, 700), (700, 300)]])
    b = MultiPolygon([box(1000, 0, 1450, 1000), box(1450, 0, 2000, 1000)])
    shapes = {
        "A": a,
        "B": b,
        "C": box(2000, 0, 3000, 1000),
        "D": box(0, 1000, 1000, 2000),
        "F": box(1000, 1000, 2000, 2000),
        "G": box(2000, 1000, 3000, 2000),
        "E": box(300, 300, 700, 700),
    }
    offset = (500_000, 6_000_000)  # somewhere in Schleswig-Holstein, EPSG:25832
    return gpd.GeoDataFrame(
        {"gebiet_id": list(shapes), "name": [f"Bezirk {k}" for k in shapes]},
        geometry=[translate(g, *offset) for g in shapes.values()],
        crs=crs,
    )


def _values() -> pd.DataFrame:
    """C is suppressed (geheim), D has no data; the rest spread over a few classes."""
    return pd.DataFrame(
        {
            "gebiet_id": ["A", "B", "C", "D", "F", "G", "E"],
            "value": [12.4, 18.75, 99.0, np.nan, 31.2, 44.6, 27.35],
            "suppressed": [False, False, True, False, False, False, False],
        }
    )


def _trace(fig: go.Figure, name: str) -> go.Scatter:
    """The filled area trace of a legend entry (the legend swatch itself is a data-less bar)."""
    found = [t for t in fig.data if t.type == "scatter" and t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def _xs(trace: go.Scatter) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in trace.x], dtype=float)


# --- static_map ------------------------------------------------------------------------------------


def test_static_map_classes_secret_and_missing():
    fig = static_map(_areas(), _values(), unit="%", title=MAP_TITLE, higher_is_better=True)
    area_traces = [t for t in fig.data if t.type == "scatter"]
    names = [t.name for t in area_traces]
    assert names[-2:] == ["geheim (Datenschutz)", "keine Daten"]
    classes = names[:-2]
    assert 2 <= len(classes) <= 5
    # German number format: decimal comma, en dash between the limits, unit once at the end.
    for label in classes:
        assert re.fullmatch(r"\d+(,\d+)? – \d+(,\d+)? %", label), label
    assert any("," in label for label in classes) or len(classes) >= 3
    # One legend swatch per area class, and every area trace is joined into a single path.
    legend = [t.name for t in fig.data if t.type == "bar"]
    assert legend == names
    assert all(t.fill == "toself" and not t.showlegend for t in area_traces)

    secret_x = _xs(_trace(fig, "geheim (Datenschutz)"))
    nodata_x = _xs(_trace(fig, "keine Daten"))
    assert np.nanmin(secret_x) == 502_000 and np.nanmax(secret_x) == 503_000  # C
    assert np.nanmin(nodata_x) == 500_000 and np.nanmax(nodata_x) == 501_000  # D
    assert _trace(fig, "keine Daten").fillcolor == "#ffffff"
    assert _trace(fig, "geheim (Datenschutz)").fillcolor == SECRET_COLOR
    for t in area_traces[:-2]:  # the suppressed district is in no value class
        assert not ((_xs(t) > 502_000) & (_xs(t) < 503_000)).any()
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.xaxis.visible is False
    assert fig.layout.legend.title.text == "dunkler = ungünstiger"


def test_static_map_draws_holes_and_multipolygons():
    fig = static_map(_areas(), _values(), unit="%")
    rings = 0
    for t in (t for t in fig.data if t.type == "scatter"):
        xs = _xs(t)
        rings += int(np.isnan(xs).sum()) + 1  # rings are separated by one gap each
        assert not np.isnan(xs[0]) and not np.isnan(xs[-1])
    # A: exterior + hole, B: two parts, C, D, E, F, G: one ring each -> 9 rings in all.
    assert rings == 9


def test_static_map_reprojects_geographic_input():
    areas = _areas().to_crs(4326)
    assert areas.total_bounds[0] < 180  # really degrees
    fig = static_map(areas, _values(), unit="%")
    xs = np.concatenate([_xs(t) for t in fig.data if t.type == "scatter"])
    assert 499_000 < np.nanmin(xs) < np.nanmax(xs) < 504_000  # metres again (EPSG:25832)
    assert np.nanmax(xs) - np.nanmin(xs) == pytest.approx(3000, abs=5)


def test_static_map_refuses_missing_columns():
    with pytest.raises(ValueError, match="suppressed"):
        static_map(_areas(), _values().drop(columns="suppressed"), unit="%")


@pytest.mark.parametrize(
    "values",
    [
        [3.2, 7.9, 12.5, 14.1, 18.0, 22.4, 25.0, 31.7, 40.2, 44.4],
        [0, 0, 0, 0, 0, 1, 2, 5],
        [-120.0, -40.0, -5.0, 0.0, 12.0, 60.0],
        [0.12, 0.13, 0.135, 0.2, 0.25],
        [7.0, 7.0, 7.0],
    ],
)
def test_class_breaks_are_increasing_and_every_class_is_used(values):
    limits, decimals = class_breaks(values, bins=5)
    assert all(a < b for a, b in itertools.pairwise(limits)) or limits[0] == limits[-1]
    assert limits[0] <= min(values) and limits[-1] >= max(values)
    if limits[0] < limits[-1]:
        assert (np.histogram(values, bins=limits)[0] > 0).all()
    assert 0 <= decimals <= 6
    for x in limits:  # the printed limits are exact at that precision
        assert math.isclose(round(x, decimals), x, abs_tol=1e-9)


# --- a hand-made paper -----------------------------------------------------------------------------


def _line_chart() -> go.Figure:
    years = list(range(2018, 2031))
    fig = go.Figure(
        [
            go.Scatter(
                x=years, y=[410 + 7 * i for i in range(13)], name="Kinder unter 3", mode="lines+markers"
            ),
            go.Scatter(x=years, y=[380 + 9 * i for i in range(13)], name="Plätze U3", line={"dash": "dash"}),
        ]
    )
    fig.update_layout(template="plotly_white", yaxis_title="Personen", xaxis_title="Jahr")
    return fig


def sample_paper() -> Paper:
    small = pd.DataFrame(
        {
            "Planungsraum": ["Altstadt", "Südviertel", "Nordhafen", "Weißer Berg"],
            "Kinder U3": ["1.234", "geheim", "87", "412"],
            "Quote": ["34,5 %", "geheim", "–", "41,0 %"],
        }
    )
    long = pd.DataFrame(
        {
            "Schule": [f"Grundschule {i:02d} am Bürgerpark" for i in range(1, 41)],
            "Schüler 2025": [f"{200 + 7 * i:,}".replace(",", ".") for i in range(1, 41)],
            "Züge": [str(2 + i % 3) for i in range(1, 41)],
            "Prognose 2030": [
                f"{1000 + 31 * i:,}".replace(",", ".") if i % 9 else "geheim" for i in range(1, 41)
            ],
        }
    )
    return Paper(
        title=TITLE,
        subtitle="Sitzung am 12.11.2026 – Entscheidungsvorlage",
        municipality="Stadt Weidenstadt",
        created=datetime(2026, 11, 21, 14, 5),
        footer=FOOTER,
        sections=[
            Section(
                title="TOP 1: Kita-Versorgung U3 nach Planungsraum",
                subtitle="Kennzahl Versorgungsquote U3, Jahr 2025, Ebene Planungsraum, Szenario Basis",
                link="https://planungsatlas.example/kita?jahr=2025&ebene=planungsraum&s=basis",
                blocks=[
                    Chart(
                        MAP_TITLE,
                        static_map(_areas(), _values(), unit="%", higher_is_better=True),
                        source="Quelle: Melderegister, Stand 31.12.2025",
                        note="Grau schraffiert: geheim (Fallzahl unter 3); weiß: keine Daten",
                    ),
                    Chart(LINE_TITLE, _line_chart(), source="Quelle: Melderegister; Prognose Basis"),
                    Table(
                        "Versorgung nach Planungsraum",
                        small,
                        source="Quelle: Kita-Statistik 2025",
                        numeric=("Kinder U3", "Quote"),
                    ),
                    Text("Zielwert (%): mindestens 40 % in jedem Planungsraum."),
                    *(
                        Remark(kind, f"Jugendamt · M. Weber · 0{i}.11.2026", text, status)  # type: ignore[arg-type]
                        for i, ((kind, text), status) in enumerate(
                            zip(REMARK_TEXTS.items(), ["offen", "beschlossen", "in Arbeit"], strict=True), 1
                        )
                    ),
                ],
            ),
            Section(
                title="TOP 2: Schülerzahlen der Grundschulen",
                blocks=[
                    Table(
                        "Grundschulen: Schülerzahlen und Prognose",
                        long,
                        source="Quelle: Schulstatistik",
                        note="40 Schulen",
                        numeric=("Schüler 2025", "Züge", "Prognose 2030"),
                    )
                ],
            ),
        ],
    )


# --- PDF -------------------------------------------------------------------------------------------


def _poppler() -> None:
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("pdftotext/pdftoppm fehlen (Debian-Paket poppler-utils, scripts/ensure-system-deps.sh)")


def _ink(png: Image.Image) -> tuple[float, int]:
    """Share of non-white pixels and number of distinct colours."""
    rgb = np.asarray(png.convert("RGB")).reshape(-1, 3)
    non_white = (rgb < 245).any(axis=1).mean()
    return float(non_white), len(np.unique(rgb, axis=0))


@pytest.fixture(scope="module")
def pdf_pages(tmp_path_factory):
    _poppler()
    from planning.paper.to_pdf import render_pdf

    out = tmp_path_factory.mktemp("pdf")
    pdf = out / "vorlage.pdf"
    pdf.write_bytes(render_pdf(sample_paper()))
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(out / "page")], check=True)
    pngs = sorted(out.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    texts = [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, len(pngs) + 1)
    ]
    return pdf, texts, pngs


def _flat(text: str) -> str:
    """Undo line-end hyphenation and layout whitespace for phrase matching."""
    return " ".join(re.sub(r"(\w)-\n\s*(\w)", r"\1\2", text).split())


def test_pdf_text_layer_in_german(pdf_pages):
    pdf, texts, _ = pdf_pages
    assert pdf.read_bytes().startswith(b"%PDF")
    everything = _flat("\n".join(texts))
    assert _flat(texts[0]).count("Steuerkreis Bildung und Betreuung") >= 1
    for phrase in (
        "Übergänge, Größenordnung und Schülerzahlen",
        "Stadt Weidenstadt".upper(),
        "Erstellt am 21.11.2026, 14:05",
        "TOP 1: Kita-Versorgung U3 nach Planungsraum",
        "Ansicht in Planungsatlas:",
        MAP_TITLE,
        LINE_TITLE,
        "Quelle: Melderegister, Stand 31.12.2025",
        "Weißer Berg",
        "1.234",
        "34,5 %",
        "geheim",
        "Grundschule 40 am Bürgerpark",
        "BESCHLUSS",  # the kind label is set in capitals
        "ARBEITSAUFTRAG",
        "beschlossen",
        "Jugendamt · M. Weber · 02.11.2026",
        "Zielwert (%): mindestens 40 % in jedem Planungsraum.",
    ):
        assert phrase in everything, phrase
    for text in REMARK_TEXTS.values():
        assert _flat(text) in everything
    for n, page in enumerate(texts, 1):
        assert f"Seite {n} von {len(texts)}" in page
        assert FOOTER in _flat(page)


def test_pdf_long_table_repeats_its_header(pdf_pages):
    _, texts, _ = pdf_pages
    pages = [t for t in texts if "am Bürgerpark" in t]
    assert len(pages) >= 2, "40 Zeilen passen nicht auf eine Seite"
    assert all("Prognose 2030" in t for t in pages)


def test_pdf_pages_show_the_charts(pdf_pages):
    _, texts, pngs = pdf_pages
    assert len(pngs) == len(texts) >= 4
    map_page = next(i for i, t in enumerate(texts) if MAP_TITLE in t)
    share, colours = _ink(Image.open(pngs[map_page]))
    assert share > 0.08 and colours > 30, (share, colours)
    blank_share, _ = _ink(Image.new("RGB", (100, 100), "white"))
    assert blank_share == 0


# --- PPTX ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deck():
    from pptx import Presentation

    from planning.paper.to_pptx import render_pptx

    return Presentation(io.BytesIO(render_pptx(sample_paper())))


def _texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def test_pptx_structure(deck):
    from pptx.util import Inches

    assert deck.slide_width == Inches(13.333) and deck.slide_height == Inches(7.5)
    titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]
    assert titles == [
        TITLE,
        "TOP 1: Kita-Versorgung U3 nach Planungsraum",
        MAP_TITLE,
        LINE_TITLE,
        "Versorgung nach Planungsraum",
        "Kommentare und Beschlüsse",
        "Grundschulen: Schülerzahlen und Prognose",
        "Grundschulen: Schülerzahlen und Prognose (Fortsetzung)",
        "Grundschulen: Schülerzahlen und Prognose (Fortsetzung)",
    ]
    for n, slide in enumerate(deck.slides, 1):
        texts = _texts(slide)
        assert FOOTER in texts
        assert f"{n} / {len(deck.slides)}" in texts
    assert "Erstellt am 21.11.2026, 14:05" in _texts(deck.slides[0])


def test_pptx_chart_is_a_real_picture(deck):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    pictures = [s for s in deck.slides[2].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    blob = pictures[0].image.blob
    assert blob.startswith(b"\x89PNG\r\n\x1a\n")
    share, colours = _ink(Image.open(io.BytesIO(blob)))
    assert share > 0.1 and colours > 30, (share, colours)
    assert pictures[0].left + pictures[0].width <= deck.slide_width


@pytest.mark.parametrize("fmt", ["pdf", "pptx"])
def test_progress_counts_every_chart_once(deck, fmt):
    """The page shows "Karten und Diagramme zeichnen (n von N)": each chart reported once, in order."""
    from planning.paper.to_pdf import render_pdf
    from planning.paper.to_pptx import render_pptx

    paper = sample_paper()
    seen: list[tuple[int, int]] = []
    render = render_pdf if fmt == "pdf" else render_pptx
    render(paper, lambda done, total: seen.append((done, total)))
    n = sum(isinstance(b, Chart) for s in paper.sections for b in s.blocks)
    assert n >= 2 and len(paper.charts()) == n
    assert seen == [(i, n) for i in range(1, n + 1)]


def test_pptx_tables_are_native_and_split(deck):
    def table(slide):
        found = [s.table for s in slide.shapes if s.has_table]
        assert len(found) == 1
        return found[0]

    def cells(tbl):
        return [[c.text for c in row.cells] for row in tbl.rows]

    small = cells(table(deck.slides[4]))
    assert small[0] == ["Planungsraum", "Kinder U3", "Quote"]
    assert ["Südviertel", "geheim", "geheim"] in small
    parts = [cells(table(deck.slides[i])) for i in (6, 7, 8)]
    assert all(p[0][0] == "Schule" for p in parts)  # header repeated on every part
    body = [row for p in parts for row in p[1:]]
    assert len(body) == 40 and all(len(p) - 1 <= 14 for p in parts)
    assert body[-1][0] == "Grundschule 40 am Bürgerpark"
    assert any("geheim" in row for row in body)
    sizes = {
        r.font.size.pt
        for row in table(deck.slides[6]).rows
        for c in row.cells
        for r in c.text_frame.paragraphs[0].runs
    }
    assert min(sizes) >= 12


def test_pptx_remarks_slide(deck):
    text = "\n".join(_texts(deck.slides[5]))
    for kind in ("KOMMENTAR", "BESCHLUSS", "ARBEITSAUFTRAG"):
        assert kind in text
    for remark in REMARK_TEXTS.values():
        assert remark in text
    assert "Zielwert (%)" in text


# --- PNG export failures ---------------------------------------------------------------------------


def test_figure_png_without_browser_raises_a_clear_error(monkeypatch):
    monkeypatch.setattr(images, "_png_cache", OrderedDict())  # not served from an earlier test
    monkeypatch.setitem(images._server_state, "started", False)
    monkeypatch.setattr(images, "_find_browser", lambda: None)
    with pytest.raises(ExportError, match="kein Chromium-Browser gefunden"):
        images.figure_png(_line_chart(), 400, 300)


def test_a_slow_image_fails_alone_and_does_not_break_later_exports(monkeypatch):
    """A busy server: one image over the time limit is refused, the next export may try again."""
    import time

    monkeypatch.setitem(images._server_state, "broken", "")
    monkeypatch.setattr(images, "_server_alive", lambda: True)
    with pytest.raises(ExportError, match="erneut versuchen"):
        images._call_guarded(lambda: time.sleep(2), timeout=0.3)
    assert images._server_state["broken"] == ""
    assert images._call_guarded(lambda: b"png", timeout=5) == b"png"
    monkeypatch.setattr(images, "_server_alive", lambda: False)  # the browser died: remembered
    with pytest.raises(ExportError, match="nicht gestartet oder antwortet nicht"):
        images._call_guarded(lambda: time.sleep(2), timeout=5)
    assert images._server_state["broken"]


def _tiny_png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(out, format="PNG")
    return out.getvalue()


def test_same_figure_is_drawn_once_and_the_cache_stays_bounded(monkeypatch):
    """PDF and PPTX of one meeting share their charts; a changed figure or size is drawn anew."""
    calls: list[dict] = []

    def fake_render(fig_dict, opts, topojson):
        calls.append(opts)
        return _tiny_png("red")

    monkeypatch.setattr(images, "_png_cache", OrderedDict())
    monkeypatch.setattr(images, "_ensure_server", lambda: None)
    monkeypatch.setattr(images.kaleido, "calc_fig_sync", fake_render)
    monkeypatch.setitem(images._server_state, "warm", True)
    first = images.figure_png(_line_chart(), 400, 300)
    assert images.figure_png(_line_chart(), 400, 300) == first and len(calls) == 1
    images.figure_png(_line_chart(), 401, 300)  # another size
    changed = _line_chart()
    changed.update_layout(title="anders")
    images.figure_png(changed, 400, 300)  # another figure
    assert len(calls) == 3

    monkeypatch.setattr(images, "PNG_CACHE_BYTES", 2 * len(first))
    for width in range(500, 505):
        images.figure_png(_line_chart(), width, 300)
    assert sum(len(v) for v in images._png_cache.values()) <= 2 * len(first)
    assert len(images._png_cache) == 2
    images.figure_png(_line_chart(), 504, 300)  # the newest is still kept
    assert len(calls) == 3 + 5


def test_figure_png_refuses_tile_maps():
    fig = go.Figure(
        go.Choroplethmap(locations=["A"], z=[1], geojson={"type": "FeatureCollection", "features": []})
    )
    with pytest.raises(ExportError, match="static_map"):
        images.figure_png(fig, 400, 300)


def test_pptx_splits_long_comments_and_tall_tables():
    """No chart: runs without a browser. Long remarks continue on further slides, nothing is lost;
    rows with wrapping text make a table part shorter than 14 rows."""
    from pptx import Presentation

    from planning.paper.to_pptx import render_pptx

    text = "Die Verwaltung erläutert die Entwicklung der Betreuungsquoten im Überblick. " * 8
    wide = pd.DataFrame(
        {
            "Planungsraum": [f"Planungsraum Nördliche Innenstadt mit langem Namen {i}" for i in range(20)],
            **{f"Kinder U3 {y}": [f"{1000 + i}" for i in range(20)] for y in range(2020, 2032)},
        }
    )
    paper = Paper(
        "Prüfung",
        "",
        "",
        datetime(2026, 1, 2, 9, 3),
        footer=FOOTER,
        sections=[
            Section(
                "TOP 3: Lange Beiträge",
                blocks=[
                    Table("Breit", wide, numeric=tuple(wide.columns[1:])),
                    *(Remark("beschluss", f"Steuerkreis · Nr. {i}", text, "beschlossen") for i in range(6)),
                ],
            )
        ],
    )
    deck = Presentation(io.BytesIO(render_pptx(paper)))
    titles = [s.shapes.title.text for s in deck.slides]
    table_parts = [s for s, t in zip(deck.slides, titles, strict=True) if t.startswith("Breit")]
    assert len(table_parts) >= 3 and titles.count("Breit") == 1
    rows = [len(next(sh for sh in s.shapes if sh.has_table).table.rows) - 1 for s in table_parts]
    assert sum(rows) == 20 and max(rows) < 14
    for s in table_parts:
        shape = next(sh for sh in s.shapes if sh.has_table)
        assert shape.left + sum(c.width for c in shape.table.columns) <= deck.slide_width
    notes = [s for s, t in zip(deck.slides, titles, strict=True) if t.startswith("Kommentare und Beschlüsse")]
    assert len(notes) >= 2
    assert titles[titles.index("Kommentare und Beschlüsse") + 1] == "Kommentare und Beschlüsse (Fortsetzung)"
    body = "\n".join(t for s in notes for t in _texts(s))
    assert body.count("Steuerkreis · Nr.") == 6 and body.count(text.strip()) == 6
    assert all(FOOTER in _texts(s) for s in deck.slides)
