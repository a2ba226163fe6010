"""Render a :class:`~planning.paper.model.Paper` as a print-ready PDF (A4 landscape) via weasyprint.

HTML + CSS, German hyphenation, charts as PNG (kaleido) embedded as data URIs, tables as real HTML
tables whose header repeats on every page. Everything runs offline.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable

import pandas as pd

from planning.paper.images import figure_png
from planning.paper.model import Block, Chart, Paper, Progress, Remark, Section, Table, Text
from planning.suppression import GEHEIM

#: Chart size in layout pixels: the content width of A4 landscape (261 mm) at about 9 pt plotly text.
CHART_WIDTH_PX = 1000
CHART_HEIGHT_PX = 470
CHART_SCALE = 1.5  # ≈ 150 dpi on A4 landscape: sharp in print, faster to render

#: Tables up to this many rows move to the next page as a whole rather than split.
KEEP_ROWS = 15
KIND_LABELS = {
    "kommentar": "Kommentar",
    "beschluss": "Beschluss",
    "auftrag": "Arbeitsauftrag",
    "vorschlag": "Beschlussvorschlag",
}

CSS = """
@page {
  size: A4 landscape;
  margin: 16mm 18mm 17mm 18mm;
  @top-left { content: __HEADER__; font-size: 7.5pt; color: #6b7280; vertical-align: bottom;
              padding-bottom: 3mm; }
  @bottom-left { content: __FOOTER__; font-size: 7.5pt; color: #6b7280; vertical-align: top;
                 padding-top: 3mm; }
  @bottom-right { content: "Seite " counter(page) " von " counter(pages); font-size: 7.5pt;
                  color: #6b7280; vertical-align: top; padding-top: 3mm; white-space: nowrap; }
}
@page :first { @top-left { content: none; } }
html { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10pt;
       line-height: 1.38; color: #1f2937; }
body { margin: 0; }
p, li, .remark-text { hyphens: auto; }
a { color: #1d4e89; text-decoration: none; }

.titlepage { break-after: page; padding-top: 22mm; }
.titlepage .municipality { font-size: 12pt; letter-spacing: 0.06em; text-transform: uppercase;
                           color: #1d4e89; font-weight: bold; margin: 0 0 5mm; }
.titlepage h1 { font-size: 28pt; line-height: 1.15; margin: 0 0 4mm; color: #111827;
                hyphens: manual; }
.titlepage .subtitle { font-size: 15pt; margin: 0 0 8mm; color: #374151; }
.titlepage .rule { border-top: 1.5pt solid #1d4e89; width: 60mm; margin: 0 0 5mm; }
.titlepage .created { font-size: 10pt; color: #4b5563; margin: 0; }
.toc { margin-top: 14mm; width: 100%; max-width: 200mm; }
.toc h2 { font-size: 11pt; color: #374151; margin: 0 0 2mm; bookmark-level: none;
          text-transform: uppercase; letter-spacing: 0.05em; }
.toc ol { list-style: none; margin: 0; padding: 0; }
.toc li { margin: 0 0 1.2mm; font-size: 10.5pt; hyphens: manual; }
.toc li a { color: #1f2937; }
.toc li a::after { content: leader(". ") target-counter(attr(href), page); color: #6b7280; }

section.top { break-before: page; }
section.top > h2 { font-size: 17pt; line-height: 1.2; margin: 0 0 1.5mm; color: #111827;
                   break-after: avoid; hyphens: manual; }
.section-subtitle { font-size: 10.5pt; color: #4b5563; margin: 0 0 1.5mm; break-after: avoid; }
.section-link { font-size: 7.5pt; color: #6b7280; margin: 0 0 4mm; word-break: break-all;
                hyphens: none; }
.section-head { border-bottom: 0.75pt solid #d1d5db; padding-bottom: 1mm; margin-bottom: 5mm; }

.block { margin: 0 0 6mm; }
h3 { font-size: 11.5pt; margin: 0 0 2mm; color: #111827; break-after: avoid; bookmark-level: none; }
figure.chart { margin: 0 0 6mm; break-inside: avoid; }
figure.chart img { display: block; width: auto; height: auto; max-width: 100%; max-height: 100mm;
                   margin: 0 auto; }
.caption { font-size: 7.5pt; color: #4b5563; margin: 1.5mm 0 0; line-height: 1.3; }
.caption .note { color: #374151; }

table.data { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.data thead { display: table-header-group; }
table.data th { background: #1d4e89; color: #ffffff; font-weight: bold; text-align: left;
                padding: 1.4mm 2mm; vertical-align: bottom; border: 0.5pt solid #1d4e89;
                hyphens: manual; }  /* headers break at spaces and hyphens, never "U3-Beda-rf" */
table.data td { padding: 1.1mm 2mm; border-bottom: 0.5pt solid #e5e7eb; vertical-align: top; }
table.data tbody tr:nth-child(even) td { background: #f3f5f8; }
table.data tr { break-inside: avoid; }
.table-block.keep { break-inside: avoid; }  /* short tables are never torn apart */
table.data.compact { width: 55%; }
table.data .num { text-align: right; white-space: nowrap; }
table.data th.num { white-space: normal; }  /* long headers wrap, the numbers below do not */
table.data td.secret { color: #6b7280; font-style: italic; }
table.data.size-m { font-size: 9pt; }
table.data.size-s { font-size: 8pt; }
table.data.size-s th, table.data.size-s td, table.data.size-xs th, table.data.size-xs td {
  padding-left: 1.2mm; padding-right: 1.2mm; }
table.data.size-xs { font-size: 7pt; }
.table-block h3 { break-after: avoid; }

p.text { margin: 0 0 4mm; max-width: 230mm; }

.remark { break-inside: avoid; margin: 0 0 4mm; padding: 2.5mm 4mm 3mm; max-width: 230mm;
          border-left: 2.2mm solid #6b7280; background: #f5f6f8; }
.remark .kind { font-size: 7.5pt; font-weight: bold; text-transform: uppercase;
                letter-spacing: 0.06em; color: #4b5563; margin-right: 2mm; }
.remark .heading { font-weight: bold; }
.remark .status { font-size: 7.5pt; border: 0.6pt solid currentColor; border-radius: 1.5mm;
                  padding: 0.2mm 1.6mm; margin-left: 2mm; white-space: nowrap; color: #374151; }
.remark .remark-text { margin: 1.2mm 0 0; }
.remark.kind-beschluss { border-left-color: #166534; background: #eef6f0;
                         border-top: 0.6pt solid #166534; border-right: 0.6pt solid #166534;
                         border-bottom: 0.6pt solid #166534; }
.remark.kind-beschluss .kind { color: #166534; }
.remark.kind-auftrag { border-left-color: #b45309; background: #fdf6ec; border-left-style: double;
                       border-left-width: 3mm; }
.remark.kind-auftrag .kind { color: #92400e; }
.remark.kind-vorschlag { border-left-color: #166534; background: #ffffff; border: 0.9pt dashed #166534;
                         border-left: 2.2mm solid #166534; }
.remark.kind-vorschlag .kind { color: #166534; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _css_string(text: str) -> str:
    """A CSS string literal; every character that could end it (or the <style> block) is escaped."""
    out = []
    for ch in " ".join(text.split()):
        if ch.isalnum() or ch in " .,:;-–·/()%&+!?'§=_":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def _paragraphs(text: str, css_class: str) -> str:
    """Blank lines separate paragraphs, single line breaks are kept."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f'<p class="{css_class}">{_e(p).replace(chr(10), "<br>")}</p>' for p in parts)


def _caption(source: str, note: str) -> str:
    lines = []
    if note:
        lines.append(f'<span class="note">{_e(note)}</span>')
    if source:
        lines.append(_e(source))
    return f'<p class="caption">{"<br>".join(lines)}</p>' if lines else ""


def _png(block: Chart) -> bytes:
    return figure_png(block.figure, CHART_WIDTH_PX, CHART_HEIGHT_PX, scale=CHART_SCALE)


def _chart(block: Chart) -> str:
    png = _png(block)
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    title = f"<h3>{_e(block.title)}</h3>" if block.title else ""
    return (
        f'<figure class="chart block">{title}<img src="{uri}" alt="{_e(block.title or "Diagramm")}">'
        f"{_caption(block.source, block.note)}</figure>"
    )


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return "–"
    return str(value)


def _table_classes(frame: pd.DataFrame) -> str:
    """Smaller type for wide tables (so no table runs off the page); narrow ones stay compact."""
    n_cols = len(frame.columns)
    sample = frame.head(200)
    widths = [
        max([len(str(c)) // 2, *(len(_cell(v)) for v in sample.iloc[:, i])])
        for i, c in enumerate(frame.columns)
    ]
    chars = sum(min(w, 40) for w in widths)
    if n_cols >= 12 or chars > 190:
        return "size-xs"
    if n_cols >= 9 or chars > 150:
        return "size-s"
    if n_cols >= 7 or chars > 115:
        return "size-m"
    return "size-l compact" if chars < 70 else "size-l"


def _table(block: Table) -> str:
    frame = block.frame
    numeric = set(block.numeric)
    head = "".join(
        f'<th class="{"num" if c in numeric else "txt"}" scope="col">{_e(c)}</th>' for c in frame.columns
    )
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for col, value in zip(frame.columns, values, strict=True):
            text = _cell(value)
            classes = ["num" if col in numeric else "txt"]
            if text == GEHEIM:
                classes.append("secret")
            cells.append(f'<td class="{" ".join(classes)}">{_e(text)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    title = f"<h3>{_e(block.title)}</h3>" if block.title else ""
    body = "".join(rows) or f'<tr><td colspan="{max(len(frame.columns), 1)}">keine Zeilen</td></tr>'
    return (
        f'<div class="table-block block{" keep" if len(frame) <= KEEP_ROWS else ""}">{title}'
        f'<table class="data {_table_classes(frame)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{_caption(block.source, block.note)}</div>"
    )


def _remark(block: Remark) -> str:
    kind = KIND_LABELS.get(block.kind, block.kind)
    status = f'<span class="status">{_e(block.status)}</span>' if block.status else ""
    return (
        f'<div class="remark kind-{_e(block.kind)}">'
        f'<div><span class="kind">{_e(kind)}</span><span class="heading">{_e(block.heading)}</span>'
        f"{status}</div>{_paragraphs(block.text, 'remark-text')}</div>"
    )


def _block(block: Block) -> str:
    if isinstance(block, Chart):
        return _chart(block)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Remark):
        return _remark(block)
    if isinstance(block, Text):
        return _paragraphs(block.text, "text")
    raise TypeError(f"Unbekannter Baustein: {type(block).__name__}")


def _section(index: int, section: Section) -> str:
    head = [f'<h2 id="top-{index}">{_e(section.title)}</h2>']
    if section.subtitle:
        head.append(f'<p class="section-subtitle">{_e(section.subtitle)}</p>')
    if section.link:
        head.append(
            f'<p class="section-link">Ansicht in Planungsatlas: '
            f'<a href="{_e(section.link)}">{_e(section.link)}</a></p>'
        )
    blocks = "".join(_block(b) for b in section.blocks)
    return f'<section class="top"><div class="section-head">{"".join(head)}</div>{blocks}</section>'


def _title_page(paper: Paper) -> str:
    toc = ""
    if paper.sections:
        items = "".join(
            f'<li><a href="#top-{i}">{_e(s.title)}</a></li>' for i, s in enumerate(paper.sections, 1)
        )
        toc = f'<nav class="toc"><h2>Inhalt</h2><ol>{items}</ol></nav>'
    parts = [
        f'<p class="municipality">{_e(paper.municipality)}</p>' if paper.municipality else "",
        f"<h1>{_e(paper.title)}</h1>",
        f'<p class="subtitle">{_e(paper.subtitle)}</p>' if paper.subtitle else "",
        '<div class="rule"></div>',
        f'<p class="created">Erstellt am {paper.created:%d.%m.%Y, %H:%M}</p>',
        toc,
    ]
    return f'<div class="titlepage">{"".join(parts)}</div>'


def paper_html(paper: Paper) -> str:
    """The complete HTML document (charts rendered and embedded); ``render_pdf`` prints it."""
    header = " · ".join(x for x in (paper.title, paper.subtitle) if x)
    css = CSS.replace("__HEADER__", _css_string(header)).replace("__FOOTER__", _css_string(paper.footer))
    created = paper.created.astimezone().isoformat(timespec="seconds")  # W3C date needs a zone
    sections: Iterable[str] = (_section(i, s) for i, s in enumerate(paper.sections, 1))
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{_e(paper.title)}</title>"
        f'<meta name="author" content="{_e(paper.municipality)}">'
        f'<meta name="description" content="{_e(paper.subtitle)}">'
        '<meta name="generator" content="Planungsatlas">'
        f'<meta name="dcterms.created" content="{created}">'
        f"<style>{css}</style></head><body>{_title_page(paper)}{''.join(sections)}</body></html>"
    )


def render_pdf(paper: Paper, progress: Progress | None = None) -> bytes:
    """The paper as PDF bytes. Raises ``images.ExportError`` when a chart cannot be rendered.

    The charts are drawn first (``progress`` is told after each); the layout then takes them from
    the image cache of :mod:`planning.paper.images`.
    """
    from weasyprint import HTML  # slow import (~1 s): only when a PDF is actually made

    charts = paper.charts()
    for done, chart in enumerate(charts, 1):
        _png(chart)
        if progress is not None:
            progress(done, len(charts))
    pdf = HTML(string=paper_html(paper)).write_pdf()
    assert pdf is not None
    return bytes(pdf)
