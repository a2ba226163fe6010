"""The decision paper of a meeting from the app: the PDF and PowerPoint buttons, building the paper
with progress in the run that asked for it, and its download kept in the session.

The paper itself is :mod:`planning.paper`; this module is only the Streamlit side of getting it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from planning import steering as sk
from planning.auth import Permission
from planning.formatting import number
from planning.paper.build import build_paper
from planning.paper.images import ExportError
from ui import auth as uiauth
from ui import components
from ui import data as uidata

PDF_MIME = "application/pdf"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#: Format → (button label, short name, MIME type); the labels are what people (and the e2e test) click.
EXPORTS = {
    "pdf": ("Entscheidungsvorlage (PDF)", "PDF", PDF_MIME),
    "pptx": ("Foliensatz (PowerPoint)", "PowerPoint", PPTX_MIME),
}
EXPORT_ICONS = {"pdf": ":material/picture_as_pdf:", "pptx": ":material/slideshow:"}
EXPORT_KEY = "sk_exports"


@dataclass(frozen=True)
class _Export:
    meeting_id: int
    fmt: str
    data: bytes
    file_name: str
    created: dt.datetime


def button(col: DeltaGenerator, fmt: str) -> bool:
    may = uiauth.allowed(Permission.EXPORT)
    return col.button(
        EXPORTS[fmt][0],
        icon=EXPORT_ICONS[fmt],
        key=f"sk_{fmt}",
        width="stretch",
        disabled=not may,
        help=None if may else "Nur mit dem Recht zu exportieren.",
    )


def build(m: sk.MeetingInfo, fmt: str, stem: str) -> None:
    """Build the paper in this run, with progress: a chart-heavy paper takes minutes on a busy
    server, longer than the browser waits for a deferred download; the result stays in the session."""
    label, kind, _ = EXPORTS[fmt]
    with st.status(f"{label} wird erstellt …", expanded=True) as status:
        st.write("Inhalte zusammenstellen: Kennzahlen und Pläne im Datenstand der Ansichten, Kommentare …")
        try:
            paper = build_paper(uidata.engine(), m.id, base_url=components.base_url())
            total = len(paper.charts())
            bar = st.progress(0.0, text=f"Karten und Diagramme zeichnen (0 von {total}) …")

            def progress(done: int, total: int) -> None:
                bar.progress(done / total, text=f"Karten und Diagramme zeichnen ({done} von {total}) …")

            if fmt == "pdf":
                from planning.paper.to_pdf import render_pdf

                st.write("Seiten setzen …")
                data = render_pdf(paper, progress)
            else:
                from planning.paper.to_pptx import render_pptx

                data = render_pptx(paper, progress)
        except (ExportError, sk.SteeringError) as exc:
            status.update(label=f"{label} konnte nicht erstellt werden", state="error", expanded=True)
            st.error(str(exc))
            return
        status.update(
            label=f"{label} erstellt ({kind}, {_size(len(data))})", state="complete", expanded=False
        )
    exports = st.session_state.setdefault(EXPORT_KEY, {})
    exports[fmt] = _Export(m.id, fmt, data, f"{stem}.{fmt}", dt.datetime.now(sk.LOCAL_TZ))


def downloads(m: sk.MeetingInfo) -> None:
    """The papers built in this session for this meeting, ready to download (no rerun on click)."""
    exports: dict[str, _Export] = st.session_state.get(EXPORT_KEY, {})
    for fmt, export in exports.items():
        if export.meeting_id != m.id:
            continue
        label, kind, mime = EXPORTS[fmt]
        c1, c2 = st.columns([3, 5], vertical_alignment="center")
        c1.download_button(
            f"{kind} herunterladen",
            data=export.data,
            file_name=export.file_name,
            mime=mime,
            icon=":material/download:",
            type="primary",
            key=f"sk_{fmt}_download",
            on_click="ignore",
            width="stretch",
        )
        c2.caption(
            f"{label}, erstellt um {export.created:%H:%M} Uhr ({_size(len(export.data))}). "
            "Spätere Beschlüsse und Kommentare erst nach erneutem Erstellen."
        )


def _size(n_bytes: int) -> str:
    if n_bytes < 1024 * 1024:
        return f"{max(1, round(n_bytes / 1024))} KB"
    return f"{number(n_bytes / 1024 / 1024, 1)} MB"
