"""German and local throughout (issue 22, item 5): every page's rendered text on the demo city.

AppTest runs each page (and the views behind its tabs) on Weidenstadt and collects what a planner
reads: titles, captions, markdown, metrics, widget labels and options, table cells and chart texts.
None may contain an English word of the list, ``None``/``nan``, an English decimal (``0.4``,
``200.00``) or an English thousands separator (``-1,288``). A table column that reaches the browser
as numbers is formatted by the *browser's* locale (``1,288`` in an English browser): numbers of
four digits or with decimals must arrive as German text (a Styler or strings).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APPTEST_TIMEOUT_S

APP = str(Path(__file__).resolve().parents[2] / "app.py")

#: Words of Streamlit's and plotly's English defaults and of untranslated code paths.
ENGLISH = (
    "Select all",
    "Choose an option",
    "Choose options",
    "No results",
    "Press Enter",
    "Download plot",
    "Zoom in",
    "Zoom out",
    "Autoscale",
    "Reset axes",
    "Pan",
    "Loading",
    "Submit",
    "Cancel",
    "Delete",
    "Search",
    "Error",
    "Warning",
    "True",
    "False",
    "None",
    "nan",
    "NaN",
    "NaT",
    "<NA>",
    "null",
)
_WORDS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")
#: "0.4", "200.00", "3.14" – never German (German thousands have three digits after the point).
_EN_DECIMAL = re.compile(r"(?<![\d.,])-?\d+\.\d{1,2}(?![\d.])|(?<![\d.,])-?0\.\d+(?![\d.])")
#: "-1,288", "12,345,678" – an English thousands separator.
_EN_THOUSANDS = re.compile(r"(?<![\d.,])-?\d{1,3}(,\d{3}){1,}(?![\d,])")

SONNENHANG = "Grundschule Sonnenhang 2028"  # a demo scenario with two measures
#: (page, query parameters, widget state) – each page, and the views behind its tabs.
RUNS: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("pages/lagebild.py", {}, {}),
    ("pages/lagebild.py", {"gebiet": "0303"}, {}),
    ("pages/kita.py", {}, {"plan_timeline_offen": True}),  # with the folded time series open
    ("pages/kita.py", {"teil": "Ist-Kennzahlen", "kennzahl": "versorgung_u3", "gebiet": "0303"}, {}),
    ("pages/schule.py", {}, {"plan_timeline_offen": True}),
    ("pages/schule.py", {"teil": "Ist-Kennzahlen"}, {}),
    ("pages/sozialraum.py", {}, {}),
    ("pages/stadtteilprofil.py", {"gebiet": "0303"}, {}),
    ("pages/szenarien.py", {}, {}),
    (
        "pages/szenarien.py",
        {},
        {"scenario_view": "Bearbeiten", "edit_scenario": "Grundschule Sonnenhang 2028"},
    ),
    ("pages/kohorten.py", {}, {}),
    ("pages/prognose.py", {}, {}),
    ("pages/querschnitt.py", {}, {}),
    ("pages/kennzahlen.py", {}, {}),
    ("pages/steuerkreis.py", {}, {}),
    ("pages/steuerkreis.py", {}, {"sk_since": True}),  # „Seit der letzten Sitzung“ on the tab
    ("pages/steuerkreis.py", {"sitzung": "2", "top": "0"}, {}),  # … and as TOP 0 in the room
    ("pages/datenstaende.py", {}, {}),
    ("pages/import.py", {}, {}),
    ("pages/protokoll.py", {}, {}),
]


@pytest.fixture(scope="module")
def demo_db(demo_template, tmp_path_factory):
    return demo_template.copy(tmp_path_factory.mktemp("german"))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _chart_texts(spec: dict[str, Any]) -> Iterator[str]:
    """What a reader sees of a plotly figure: trace names and texts, titles, tick and legend texts."""
    for trace in spec.get("data", []):
        for key in ("name", "text", "hovertext", "ticktext"):
            yield from _strings(trace.get(key))
        bar = trace.get("colorbar") or {}
        yield from _strings(bar.get("ticktext"))
        yield from _strings((bar.get("title") or {}).get("text"))
        yield from _strings(trace.get("customdata"))
    layout = spec.get("layout", {})
    for key, part in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(part, dict):
            yield from _strings((part.get("title") or {}).get("text"))
            yield from _strings(part.get("ticktext"))
    yield from _strings((layout.get("title") or {}).get("text"))
    for annotation in layout.get("annotations", []):
        yield from _strings(annotation.get("text"))


def _table_problems(
    where: str,
    frame: pd.DataFrame,
    display: pd.DataFrame | None,
    formats: dict[str, str] | None = None,
    placeholder: str | None = None,
) -> list[str]:
    """``formats``: printf formats of number columns ("%d" prints 2028 in every browser);
    ``placeholder``: what an empty cell shows (None = Streamlit's default "None")."""
    formats = formats or {}
    problems = []
    if display is not None:
        for col in display.columns:
            problems += [f"{where} [{col}]: {v!r}" for v in display[col].astype(str) if _bad(v)]
        return problems
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            continue  # drawn as a checkbox
        if not pd.api.types.is_numeric_dtype(series):
            problems += [f"{where} [{col}]: {v!r}" for v in series.dropna().astype(str) if _bad(v)]
            if series.isna().any() and placeholder is None:
                problems.append(f"{where} [{col}]: empty cells shown as None")
            continue
        if series.isna().any() and placeholder is None:
            problems.append(f"{where} [{col}]: empty cells shown as None")
        if formats.get(str(col)) == "%d":
            continue  # whole numbers without separator, the same in every browser
        numbers = series.dropna().astype(float)
        # The browser formats these with its own locale: 1,288 and 0.5 in an English browser.
        foreign = numbers[(numbers.abs() >= 1000) | (numbers != numbers.round(0))]
        if not foreign.empty:
            problems.append(f"{where} [{col}]: numbers formatted by the browser, e.g. {foreign.iloc[0]}")
    return problems


#: Names that carry a point by their own rules: licence versions ("CC BY 4.0", "CC0 1.0").
_NAMES = re.compile(r"\b(CC0|CC BY(-SA|-ND|-NC)*|BY(-SA)?|dl-de/by|ODbL)[ -]\d\.\d\b")


def _bad(text: str) -> bool:
    return _first(text) is not None


def _page_texts(at: AppTest) -> tuple[list[tuple[str, str]], list[str]]:
    texts: list[tuple[str, str]] = []
    tables: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "error",
        "success",
    ):
        for el in at.get(kind):
            texts.append((kind, str(el.value)))
    for el in at.get("html"):  # the meeting bar, rankings, „Seit der letzten Sitzung“: text, not markup
        body = re.sub(r"<style.*?</style>|<[^>]+>", " ", str(el.value), flags=re.S)
        texts.append(("html", html.unescape(body)))
    for m in at.metric:
        texts += [("metric", str(m.label)), ("metric", str(m.value)), ("metric", str(m.proto.delta))]
    for kind in (
        "selectbox",
        "multiselect",
        "radio",
        "select_slider",
        "toggle",
        "checkbox",
        "button",
        "text_input",
        "number_input",
        "expander",
        "tab",
    ):
        for el in at.get(kind):
            texts.append((kind, str(getattr(el, "label", ""))))
            for option in getattr(el.proto, "options", []) or []:
                texts.append((f"{kind} option", str(option)))
            placeholder = getattr(el.proto, "placeholder", "")
            if placeholder:
                texts.append((f"{kind} placeholder", str(placeholder)))
    for i, df in enumerate(at.dataframe):
        data = df.proto.arrow_data
        display = None
        if data.styler.display_values:
            display = pa.ipc.open_stream(data.styler.display_values).read_pandas()
        columns = json.loads(df.proto.columns or "{}")
        formats = {c: str((v.get("type_config") or {}).get("format", "")) for c, v in columns.items()}
        placeholder = df.proto.placeholder if df.proto.HasField("placeholder") else None
        tables += _table_problems(f"dataframe {i}", df.value, display, formats, placeholder)
    for i, tb in enumerate(at.table):
        styler = tb.proto.arrow_data.styler  # a table formatted in German shows its display values
        shown = pa.ipc.open_stream(styler.display_values).read_pandas() if styler.display_values else None
        tables += _table_problems(f"table {i}", tb.value.astype(str), shown)
    for el in at.number_input:
        fmt = el.proto.format or ("%0.2f" if el.proto.data_type == 1 else "%d")
        shown = fmt % (el.value or 0)
        # "45.0", "200.00", and "%g" of 45.5: the field prints an English point (ui.numberfield)
        if re.search(r"\.\d+f", fmt) or "." in shown:
            texts.append(("number_input", f"{el.label}: {shown}"))
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        texts += [("chart", t) for t in _chart_texts(spec)]
        config = json.loads(chart.proto.config or "{}")
        if config.get("displayModeBar", True) is not False and not config.get("staticPlot"):
            texts.append(("chart toolbar", "Pan / Zoom in / Download plot as a PNG"))
    return texts, tables


@pytest.mark.parametrize(("page", "params", "widgets"), RUNS, ids=lambda v: str(v)[:60])
def test_every_page_speaks_german(demo_db, monkeypatch, page, params, widgets):
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", demo_db)
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page)
    for k, v in widgets.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts, tables = _page_texts(at)
    assert len(texts) > 5, "the page showed almost nothing: the scan would prove nothing"
    problems = [
        f"{kind}: …{m.group(0)}… in {text[:160]!r}" for kind, text in texts for m in [_first(text)] if m
    ]
    assert not problems + tables, "\n".join(problems + tables)


def _first(text: str) -> re.Match[str] | None:
    text = _NAMES.sub("", text)
    return _WORDS.search(text) or _EN_DECIMAL.search(text) or _EN_THOUSANDS.search(text)


@pytest.mark.parametrize(
    "text",
    ["0.4", "200.00", "-1,288", "12,345,678", "None", "nan", "Select all", "Download plot as a PNG", "0.125"],
)
def test_the_scan_finds_english(text):
    assert _bad(f"Wert: {text} Plätze")


@pytest.mark.parametrize(
    "text", ["1.288", "-1.288", "0,4", "200,00 %", "03.12.2026 17:05", "12,5 %", "Nr. 3"]
)
def test_the_scan_lets_german_pass(text):
    assert not _bad(f"Wert: {text}")


def _paper_texts(paper: Any) -> Iterator[tuple[str, str]]:
    """The paper's text layer: titles, notes, sources, table headers and cells, remarks, chart texts."""
    from planning.paper.model import Chart, Remark, Table, Text

    yield "paper", paper.title
    yield "paper", paper.subtitle
    for section in paper.sections:
        yield "section", section.title
        yield "section", section.subtitle
        for block in section.blocks:
            if isinstance(block, Table):
                yield "table title", block.title
                yield "table note", block.note
                for col in block.frame.columns:
                    yield "table header", str(col)
                    for cell in block.frame[col]:
                        yield f"table [{col}]", "" if isinstance(cell, str) and not cell else str(cell)
            elif isinstance(block, Chart):
                yield "chart title", block.title
                yield "chart note", block.note
                spec = json.loads(block.figure.to_json())
                yield from (("chart", t) for t in _chart_texts(spec))
            elif isinstance(block, Remark):
                yield "remark", block.heading
                yield "remark", block.text
            elif isinstance(block, Text):
                yield "text", block.text


def test_the_paper_speaks_german(demo_db):
    from planning.db import make_engine
    from planning.paper.build import build_paper

    engine = make_engine(demo_db)
    paper = build_paper(engine, "Demo-Sitzung")
    texts = list(_paper_texts(paper))
    assert len(texts) > 100 and any(kind.startswith("table [") for kind, _ in texts)
    problems = [f"{kind}: …{m.group(0)}… in {text[:160]!r}" for kind, text in texts if (m := _first(text))]
    assert not problems, "\n".join(problems)
