"""The decision paper as plain data: what the PDF and the PPTX renderer both draw.

The builder decides the content (which figures, which rows, which comments; suppression already
applied, every value already formatted in German); the renderers only lay it out. So a PDF and a
PPTX of the same agenda never disagree, and both can be tested on a hand-made paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

#: Called after each chart was drawn: (charts done, charts in the paper). The UI shows a progress bar.
Progress = Callable[[int, int], None]


@dataclass
class Chart:
    """A plotly figure drawn as a static image (maps included: see ``images.static_map``)."""

    title: str
    figure: go.Figure
    source: str = ""  # "Quelle: Melderegister, Stand 31.12.2025 (Datenstand 3, importiert 02.02.2026)"
    note: str = ""  # e.g. "Grau: geheim (Fallzahl unter 3); weiß: keine Daten"


@dataclass
class Table:
    """A table of already formatted strings (German numbers, "geheim", "–" for missing)."""

    title: str
    frame: pd.DataFrame
    source: str = ""
    note: str = ""  # e.g. "15 von 32 Planungsräumen; vollständige Tabelle als Excel-Anhang"
    #: Columns holding numbers (right-aligned).
    numeric: tuple[str, ...] = ()


@dataclass
class Text:
    text: str


@dataclass
class Remark:
    """A comment, decision or work order printed beside the figures it belongs to."""

    kind: Literal["kommentar", "beschluss", "auftrag", "vorschlag"]
    heading: str  # "Jugendamt · M. Weber · 03.11.2026"
    text: str
    status: str = ""  # "offen", "erledigt", "beschlossen" …


Block = Chart | Table | Text | Remark


@dataclass
class Section:
    """One agenda item (TOP) or one part of the minutes."""

    title: str  # "TOP 2: Kita-Versorgung U3 nach Planungsraum"
    subtitle: str = ""  # "Kennzahl …, Jahr 2025, Ebene Planungsraum, Szenario Basis"
    blocks: list[Block] = field(default_factory=list)
    link: str = ""  # snapshot link that reopens the view in the app


@dataclass
class Paper:
    title: str  # "Steuerkreis Bildung und Betreuung"
    subtitle: str  # "Sitzung am 12.11.2026 – Entscheidungsvorlage"
    municipality: str
    created: datetime
    sections: list[Section] = field(default_factory=list)
    #: Printed small on every page / slide footer.
    footer: str = ""

    def charts(self) -> list[Chart]:
        """All charts in reading order (the renderers draw them first, reporting progress)."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]
