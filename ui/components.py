"""Shared page components: KPI cards, source footer, notices."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from planning import auth
from planning.formatting import format_value, local_stamp
from planning.models import KIND_LABELS
from planning.repository import VersionInfo
from planning.steering import BASE_URL_ENV

#: Plural of an area level's name, for headings and notes ("alle Planungsräume").
PLURALS = {
    "Planungsraum": "Planungsräume",
    "Stadtbezirk": "Stadtbezirke",
    "Bezirk": "Bezirke",
    "Stadtteil": "Stadtteile",
    "Bezirksregion": "Bezirksregionen",
    "Prognoseraum": "Prognoseräume",
    "Sozialraum": "Sozialräume",
}


def plural(level_name: str) -> str:
    return PLURALS.get(level_name, f"Gebiete ({level_name})")


def plain(text: object) -> str:
    """Escape markdown so imported or user-written text is shown literally, never interpreted."""
    out = str(text)
    for ch in "\\`*_{}[]()#+-.!|<>~$":
        out = out.replace(ch, "\\" + ch)
    return out


def fmt_date(d: Any) -> str:
    return d.strftime("%d.%m.%Y") if d is not None else "unbekannt"


def kpi_row(items: list[tuple[str, str, str | None]]) -> None:
    """A row of metric cards: (label, value text, help text)."""
    cols = st.columns(len(items))
    for col, (label, value, help_text) in zip(cols, items, strict=True):
        col.metric(label, value, help=help_text, border=True)


#: A card's value for a domain without data. Short: a metric card cuts longer text off ("keine Daten
#: gela…" at 1920 px); the card's help and the notice under the cards say "Keine Daten geladen" and
#: link to the Import page.
NO_DATA = "keine Daten"


def city_kpis(summary: dict[str, Any]) -> None:
    n = lambda key: format_value(summary.get(key))  # noqa: E731
    pct = lambda key: format_value(summary.get(key), 1, "%")  # noqa: E731
    year = summary.get("population_year")
    kpi_row(
        [
            ("Kinder unter 3", n("children_0_3"), f"0 bis unter 3 Jahre, 31.12.{year}"),
            ("Kinder 3 bis unter 6", n("children_3_6"), f"31.12.{year}"),
            ("Kinder 6 bis unter 10", n("children_6_10"), f"Grundschulalter, 31.12.{year}"),
            (
                "Kita-Plätze",
                n("kita_places") if summary.get("kitas") is not None else NO_DATA,
                f"{summary['kitas']} Kitas in Betrieb im Jahr {year}"
                if summary.get("kitas") is not None
                else "Keine Kita-Liste geladen: Daten › Import, Datenart Kitas.",
            ),
        ]
    )
    kpi_row(
        [
            (
                "Versorgungsquote U3",
                pct("versorgung_u3") if summary.get("kitas") is not None else NO_DATA,
                "(U3-Kitaplätze + Kindertagespflege) ÷ Kinder 0 bis unter 3",
            ),
            (
                "Versorgungsquote Ü3",
                pct("versorgung_ue3") if summary.get("kitas") is not None else NO_DATA,
                "Ü3-Kitaplätze ÷ Kinder 3 bis unter 6",
            ),
            (
                "Grundschüler:innen",
                n("primary_pupils") if summary.get("school_year") else NO_DATA,
                f"Stufen 1–4, Schuljahr {summary['school_year']}"
                if summary.get("school_year")
                else "Keine Schülerzahlen geladen: Daten › Import, "
                "Datenart „Schüler:innen nach Klassenstufe“.",
            ),
            ("Einwohner:innen", n("population_total"), f"31.12.{year}"),
        ]
    )


def missing_domains_notice(items: list[tuple[str, str]]) -> None:
    """Which planning domains have no data, with the way to the Import page (missing is never 0)."""
    if not items:
        return
    what = ", ".join(dict.fromkeys(w for w, _ in items))
    st.info(
        f"Keine Daten geladen: {what}. Fehlende Daten sind nie 0: Kennzahlen, die sie brauchen, bleiben "
        "leer, Bilanzen und Defizitkarten entfallen. Laden unter Daten › Import.",
        icon=":material/database_off:",
    )
    st.page_link("pages/import.py", label="Zum Import", icon=":material/upload_file:")


def source_footer(versions: list[VersionInfo]) -> None:
    """Source, licence, Stand and import date of every figure on the page (from dataset versions)."""
    if not versions:
        return
    lines = []
    for v in versions:
        lines.append(
            f"**{KIND_LABELS.get(v.kind, v.kind)}:** {plain(v.label)} · Quelle: {plain(v.source)} · "
            f"Lizenz: {plain(v.licence)} · "
            f"Stand: {fmt_date(v.stand)} · importiert am {local_stamp(v.imported_at, time=False)}"
        )
    with st.container(border=True):
        st.caption("Datenquellen dieser Seite\n\n" + "\n\n".join(lines))


def no_data_notice() -> None:
    st.warning(
        "Die Datenbank enthält noch keine Gebiete. Bitte unter „Import“ Gebiete und Daten einlesen; "
        "die Administration kann auch die Demo-Kommune anlegen (siehe README).",
        icon=":material/database:",
    )


def import_guide_link() -> None:
    st.caption(
        "Anleitung mit allen Datenarten und Spalten: docs/import.md (auch im Handbuch der Installation)."
    )


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_export() -> bool:
    """Whether the acting person may download tables and papers (role right "exportieren")."""
    return auth.current().can(auth.Permission.EXPORT)


def excel_button(sheets: dict[str, pd.DataFrame], file_name: str, key: str, label: str = "Excel") -> None:
    """Download of one or more tables as XLSX, built only when clicked (not shown to readers)."""
    from planning.exports import workbook_bytes

    if not may_export():
        return

    st.download_button(
        label,
        data=lambda: workbook_bytes(sheets),
        file_name=file_name,
        mime=XLSX_MIME,
        key=key,
        icon=":material/table_view:",
        on_click="ignore",
    )


def base_url() -> str | None:
    """Where links to this installation point: the configured address (``PLANUNGSATLAS_BASE_URL``),
    else the one the browser asked for (scheme, host, port and Streamlit's base path) – never a
    guessed ``localhost:8501``. None outside a browser session."""
    configured = os.environ.get(BASE_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/")
    try:
        url = st.context.url
    except Exception:  # no session (AppTest, scripts)
        return None
    if not url:
        return None
    parts = urlsplit(url)
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{prefix}" if prefix else "")


def lazy_fold(label: str, key: str, follow: object = None, icon: str | None = None) -> Any:
    """A fold whose content the caller builds only while it is open (``if fold.open: with fold:``):
    Streamlit reruns on opening it. It opens by itself when ``follow`` newly names something (a
    district chosen in the map, the meeting bar or a link), so a chosen district's chart is there
    at once; a person's closing it stands until the next new choice."""
    seen = f"_{key}_folgt"
    if follow is not None and st.session_state.get(seen) != follow:
        st.session_state[key] = True
    st.session_state[seen] = follow
    return st.expander(label, key=key, on_change="rerun", icon=icon)
