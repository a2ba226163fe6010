"""Render a :class:`~planning.paper.model.Paper` as a 16:9 PowerPoint deck for the shared screen.

One slide per chart (PNG via kaleido), tables as native PowerPoint tables split into continuation
slides, comments/decisions/texts collected per section. Large type throughout; a footer on every
slide. python-pptx only, offline.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide
from pptx.text.text import TextFrame, _Run
from pptx.util import Emu, Inches, Pt

from planning.paper.images import figure_png
from planning.paper.model import Chart, Paper, Progress, Remark, Section, Table, Text
from planning.suppression import GEHEIM

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.6
CONTENT_W = SLIDE_W - 2 * MARGIN
CONTENT_TOP, CONTENT_BOTTOM = 1.45, 6.55  # the area between title and source line
CHART_BOX_H = CONTENT_BOTTOM - CONTENT_TOP - 0.1  # a chart slide: the content area, a gap above the source
FONT = "Arial"  # present on every presentation PC; LibreOffice maps it to Liberation Sans
INK, MUTED, ACCENT = RGBColor(0x11, 0x18, 0x27), RGBColor(0x4B, 0x55, 0x63), RGBColor(0x1D, 0x4E, 0x89)
ZEBRA, WHITE = RGBColor(0xF0, 0xF3, 0xF7), RGBColor(0xFF, 0xFF, 0xFF)
KIND = {
    "kommentar": ("Kommentar", RGBColor(0x4B, 0x55, 0x63)),
    "beschluss": ("Beschluss", RGBColor(0x16, 0x65, 0x34)),
    "auftrag": ("Arbeitsauftrag", RGBColor(0x92, 0x40, 0x0E)),
    "vorschlag": ("Beschlussvorschlag", RGBColor(0x16, 0x65, 0x34)),
}
#: Chart pictures: layout pixels across the slide (smaller = larger type on screen) and scale.
CHART_WIDTH_PX = 860
CHART_SCALE = 2.5
MAX_TABLE_ROWS = 14
TEXT_PT = 18
CONTINUED = " (Fortsetzung)"


# --- small text helpers ----------------------------------------------------------------------------


def _style(
    run: _Run, size: float, *, bold: bool = False, color: RGBColor = INK, italic: bool = False
) -> None:
    font = run.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = color
    font.language_id = MSO_LANGUAGE_ID.GERMAN


def _textbox(
    slide: Slide,
    left: float,
    top: float,
    width: float,
    height: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    color: RGBColor = INK,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
) -> TextFrame:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for attr in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, attr, Emu(0))
    para = frame.paragraphs[0]
    para.alignment = align
    _style(para.add_run(), size, bold=bold, color=color)
    para.runs[0].text = text
    return frame


def _set_title(slide: Slide, text: str, *, top: float = 0.6, height: float = 0.8, size: float = 30) -> None:
    """Style the layout's title placeholder (so outline view and screen readers see the title);
    long titles get smaller type until they fit the box."""
    title = slide.shapes.title
    assert title is not None
    title.left, title.top = Inches(MARGIN), Inches(top)
    title.width, title.height = Inches(CONTENT_W), Inches(height)
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(0)
    frame.text = text
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    fitting = [
        s
        for s in range(int(size), int(size * 0.6), -2)
        if _lines(text, CONTENT_W, s) * s * 1.2 / 72 <= height
    ]
    for run in para.runs:
        _style(run, fitting[0] if fitting else int(size * 0.6), bold=True)


def _lines(text: str, width_in: float, size_pt: float) -> int:
    """Estimated wrapped lines of ``text`` in a box ``width_in`` wide (Arial ≈ 0.5 em per char)."""
    per_line = max(8, int(width_in * 72 / (size_pt * 0.52)))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in (text.split("\n") or [""]))


# --- the deck --------------------------------------------------------------------------------------


class _Deck:
    def __init__(self, paper: Paper) -> None:
        self.paper = paper
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
        props = self.prs.core_properties
        props.title = paper.title
        props.subject = paper.subtitle
        props.author = paper.municipality or "Planungsatlas"
        props.language = "de-DE"
        props.created = paper.created

    def slide(self, title: str, kicker: str = "") -> Slide:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # "Title Only"
        if kicker:
            _textbox(slide, MARGIN, 0.28, CONTENT_W, 0.32, kicker, 14, color=ACCENT)
        _set_title(slide, title)
        return slide

    def source_line(self, slide: Slide, source: str, note: str = "") -> None:
        text = " · ".join(x for x in (note, source) if x)
        if text:
            size = 12 if len(text) <= 190 else 11
            _textbox(slide, MARGIN, CONTENT_BOTTOM + 0.05, CONTENT_W, 0.45, text, size, color=MUTED)

    def title_slide(self) -> None:
        p = self.paper
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[0])
        if p.municipality:
            _textbox(
                slide, MARGIN + 0.2, 1.35, CONTENT_W - 0.4, 0.5, p.municipality.upper(), 18, color=ACCENT
            )
        _set_title(slide, p.title, top=1.9, height=1.6, size=40)
        assert slide.shapes.title is not None
        slide.shapes.title.left, slide.shapes.title.width = Inches(MARGIN + 0.2), Inches(CONTENT_W - 0.4)
        sub = slide.placeholders[1]
        sub.left, sub.top, sub.width, sub.height = (
            Inches(MARGIN + 0.2),
            Inches(3.65),
            Inches(CONTENT_W - 0.4),
            Inches(1.0),
        )
        frame = sub.text_frame
        frame.word_wrap = True
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(0)
        frame.text = p.subtitle or ""
        frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        for run in frame.paragraphs[0].runs:
            _style(run, 24, color=MUTED)
        bar = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(MARGIN + 0.2), Inches(4.85), Inches(2.2), Inches(0.06)
        )
        bar.fill.solid()
        bar.fill.fore_color.rgb = ACCENT
        bar.line.fill.background()
        created = f"Erstellt am {p.created:%d.%m.%Y, %H:%M}"
        _textbox(slide, MARGIN + 0.2, 5.1, CONTENT_W - 0.4, 0.45, created, 18, color=MUTED)

    def section_slide(self, section: Section) -> None:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])
        _textbox(slide, MARGIN, 2.0, CONTENT_W, 0.4, self.paper.title, 16, color=ACCENT)
        _set_title(slide, section.title, top=2.45, height=1.5, size=36)
        if section.subtitle:
            _textbox(slide, MARGIN, 4.0, CONTENT_W, 1.0, section.subtitle, 22, color=MUTED)
        if section.link:
            frame = _textbox(
                slide, MARGIN, 5.3, CONTENT_W, 0.8, "Ansicht in Planungsatlas: ", 12, color=MUTED
            )
            run = frame.paragraphs[0].add_run()
            _style(run, 12, color=ACCENT)
            run.text = section.link
            run.hyperlink.address = section.link

    def chart_slide(self, section: Section, chart: Chart) -> None:
        slide = self.slide(chart.title or section.title, section.title if chart.title else "")
        slide.shapes.add_picture(
            io.BytesIO(_png(chart)),
            Inches(MARGIN),
            Inches(CONTENT_TOP),
            Inches(CONTENT_W),
            Inches(CHART_BOX_H),
        )
        self.source_line(slide, chart.source, chart.note)

    def table_slides(self, section: Section, table: Table) -> None:
        layout = _TableLayout.of(table)
        pages = layout.pages()
        for n, rows in enumerate(pages):
            title = (table.title or section.title) + (CONTINUED if n else "")
            slide = self.slide(title, section.title if table.title else "")
            layout.draw(slide, rows)
            note = table.note if n == len(pages) - 1 else ""
            page_info = f"Teil {n + 1} von {len(pages)}" if len(pages) > 1 else ""
            self.source_line(slide, table.source, " · ".join(x for x in (page_info, note) if x))

    def notes_slides(self, section: Section, items: Sequence[Text | Remark]) -> None:
        title = "Kommentare und Beschlüsse" if any(isinstance(i, Remark) for i in items) else "Erläuterungen"
        capacity = (CONTENT_BOTTOM - CONTENT_TOP) * 72 / (TEXT_PT * 1.25)  # lines per slide
        pages: list[list[tuple[Text | Remark, str]]] = [[]]
        used = 0.0
        for item in items:
            for chunk in _chunks(item.text, CONTENT_W, capacity - 2):
                need = _lines(chunk, CONTENT_W, TEXT_PT) + (1.3 if isinstance(item, Remark) else 0) + 0.5
                if pages[-1] and used + need > capacity:
                    pages.append([])
                    used = 0.0
                pages[-1].append((item, chunk))
                used += need
        for n, page in enumerate(pages):
            slide = self.slide(title + (CONTINUED if n else ""), section.title)
            box = slide.shapes.add_textbox(
                Inches(MARGIN), Inches(CONTENT_TOP), Inches(CONTENT_W), Inches(CONTENT_BOTTOM - CONTENT_TOP)
            )
            frame = box.text_frame
            frame.word_wrap = True
            frame.margin_left = frame.margin_right = frame.margin_top = Emu(0)
            first = True
            for item, chunk in page:
                if isinstance(item, Remark):
                    para = frame.paragraphs[0] if first else frame.add_paragraph()
                    label, color = KIND.get(item.kind, (item.kind, MUTED))
                    _style(run := para.add_run(), 14, bold=True, color=color)
                    run.text = label.upper() + "  "
                    _style(run := para.add_run(), TEXT_PT, bold=True)
                    run.text = item.heading
                    if item.status:
                        _style(run := para.add_run(), 14, italic=True, color=MUTED)
                        run.text = f"  [{item.status}]"
                    para.space_before = Pt(0 if first else 10)
                    first = False
                para = frame.paragraphs[0] if first else frame.add_paragraph()
                for k, line in enumerate(chunk.split("\n")):
                    if k:
                        para.add_line_break()
                    _style(run := para.add_run(), TEXT_PT)
                    run.text = line
                para.space_before = Pt(2 if isinstance(item, Remark) else (0 if first else 10))
                first = False

    def footers(self) -> None:
        slides = list(self.prs.slides)
        for n, slide in enumerate(slides, 1):
            line = slide.shapes.add_connector(
                MSO_CONNECTOR.STRAIGHT, Inches(MARGIN), Inches(6.98), Inches(SLIDE_W - MARGIN), Inches(6.98)
            )
            line.line.color.rgb = RGBColor(0xD1, 0xD5, 0xDB)
            line.line.width = Pt(0.75)
            if self.paper.footer:
                _textbox(slide, MARGIN, 7.05, CONTENT_W - 1.8, 0.35, self.paper.footer, 11, color=MUTED)
            _textbox(
                slide,
                SLIDE_W - MARGIN - 1.7,
                7.05,
                1.7,
                0.35,
                f"{n} / {len(slides)}",
                11,
                color=MUTED,
                align=PP_ALIGN.RIGHT,
            )


def _chunks(text: str, width_in: float, max_lines: float) -> list[str]:
    """Split a long text at word boundaries into pieces that fit on one slide each."""
    if _lines(text, width_in, TEXT_PT) <= max_lines:
        return [text]
    chunks, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and _lines(candidate, width_in, TEXT_PT) > max_lines:
            chunks.append(current + " …")
            current = word
        else:
            current = candidate
    return [*chunks, current]


@dataclass
class _TableLayout:
    table: Table
    widths: list[float]  # inches
    font_pt: float
    row_lines: list[int]
    header_lines: int

    @classmethod
    def of(cls, table: Table) -> _TableLayout:
        frame = table.frame
        cells = frame.map(_cell_text) if len(frame) else frame.astype(str)
        font = 14 if len(frame.columns) <= 6 else 12
        lengths = [
            min(max([len(str(c)), *(len(v) for v in cells.iloc[:, i])], default=4), 42) + 2
            for i, c in enumerate(frame.columns)
        ]
        total = sum(lengths) or 1.0
        # Natural width (≈ 0.6 em per character), stretched a little; few short columns stay narrow.
        width = min(CONTENT_W, max(6.0, total * font * 0.6 / 72 * 1.15))
        widths = [width * w / total for w in lengths]
        row_lines = [
            max([_lines(v, w - 0.2, font) for v, w in zip(row, widths, strict=True)], default=1)
            for row in cells.itertuples(index=False, name=None)
        ]
        header = max(
            [_lines(str(c), w - 0.2, font * 1.1) for c, w in zip(frame.columns, widths, strict=True)],  # bold
            default=1,
        )
        return cls(table, widths, font, row_lines, header)

    def row_height(self, lines: int) -> float:
        return lines * self.font_pt * 1.2 / 72 + 0.09

    def pages(self) -> list[list[int]]:
        """Row positions per slide: at most ``MAX_TABLE_ROWS``, and never taller than the slide."""
        room = CONTENT_BOTTOM - CONTENT_TOP - 0.1 - self.row_height(self.header_lines)
        pages: list[list[int]] = [[]]
        used = 0.0
        for i, lines in enumerate(self.row_lines):
            h = self.row_height(lines)
            if pages[-1] and (len(pages[-1]) >= MAX_TABLE_ROWS or used + h > room):
                pages.append([])
                used = 0.0
            pages[-1].append(i)
            used += h
        return pages

    def draw(self, slide: Slide, rows: list[int]) -> None:
        frame = self.table.frame
        numeric = set(self.table.numeric)
        height = self.row_height(self.header_lines) + sum(self.row_height(self.row_lines[i]) for i in rows)
        shape = slide.shapes.add_table(
            len(rows) + 1,
            max(len(frame.columns), 1),
            Inches(MARGIN),
            Inches(CONTENT_TOP),
            Inches(sum(self.widths)),
            Inches(height),
        )
        tbl = shape.table
        tbl.first_row = True
        tbl.horz_banding = False
        for j, w in enumerate(self.widths):
            tbl.columns[j].width = Inches(w)
        tbl.rows[0].height = Inches(self.row_height(self.header_lines))
        for j, col in enumerate(frame.columns):
            self._cell(tbl.cell(0, j), str(col), header=True, right=col in numeric, fill=ACCENT)
        for r, i in enumerate(rows, 1):
            tbl.rows[r].height = Inches(self.row_height(self.row_lines[i]))
            fill = ZEBRA if r % 2 == 0 else WHITE
            for j, col in enumerate(frame.columns):
                text = _cell_text(frame.iat[i, j])
                self._cell(tbl.cell(r, j), text, right=col in numeric, fill=fill, secret=text == GEHEIM)

    def _cell(
        self, cell, text: str, *, right: bool, fill: RGBColor, header: bool = False, secret: bool = False
    ) -> None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill
        cell.margin_left = cell.margin_right = Inches(0.08)
        cell.margin_top = cell.margin_bottom = Inches(0.04)
        cell.vertical_anchor = MSO_ANCHOR.BOTTOM if header else MSO_ANCHOR.MIDDLE
        frame = cell.text_frame
        frame.word_wrap = True
        para = frame.paragraphs[0]
        para.alignment = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
        run = para.add_run()
        _style(
            run,
            self.font_pt,
            bold=header,
            color=WHITE if header else (MUTED if secret else INK),
            italic=secret,
        )
        run.text = text


def _cell_text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return "–"
    return str(value)


def _png(chart: Chart) -> bytes:
    """The chart filling the content box of a slide."""
    height_px = round(CHART_WIDTH_PX * CHART_BOX_H / CONTENT_W)
    return figure_png(chart.figure, CHART_WIDTH_PX, height_px, scale=CHART_SCALE)


def render_pptx(paper: Paper, progress: Progress | None = None) -> bytes:
    """The paper as a .pptx file (bytes). Raises ``images.ExportError`` when a chart cannot be drawn.

    The charts are drawn first (``progress`` is told after each), then laid out from the image cache.
    """
    charts = paper.charts()
    for done, chart in enumerate(charts, 1):
        _png(chart)
        if progress is not None:
            progress(done, len(charts))
    deck = _Deck(paper)
    deck.title_slide()
    for section in paper.sections:
        if section.subtitle or section.link or not section.blocks:
            deck.section_slide(section)
        notes: list[Text | Remark] = []
        for block in section.blocks:
            if isinstance(block, Chart):
                deck.chart_slide(section, block)
            elif isinstance(block, Table):
                deck.table_slides(section, block)
            else:
                notes.append(block)
        if notes:
            deck.notes_slides(section, notes)
    deck.footers()
    out = io.BytesIO()
    deck.prs.save(out)
    return out.getvalue()
