"""The import workflow on the Import page: upload → preview → column mapping → check → confirm.

The page and ``python -m planning check``/``import`` share one service (planning.imports.service:
check_file, then write_file or import_file), so both accept and refuse exactly the same files. The
upload is kept as a file named by its digest; its preview reads only the file's head, and its check
runs once per file, mapping, options and database state (:func:`check_report`, keyed on the digest
and on :func:`~planning.imports.service.check_stamp`; only the report is cached, not the rows), not
on every rerun of the form; "Importieren" checks once more and writes. An import makes a new
version, which changes that stamp and the version keys of every cached page: nothing is cleared.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from planning.auth import Permission
from planning.db import write_generation
from planning.imports.formats import KINDS
from planning.imports.points import POINT_KINDS, is_vector_file, read_points
from planning.imports.problems import InputFileError, Problem
from planning.imports.profiles import list_profiles
from planning.imports.readers import read_table
from planning.imports.service import CheckReport, NewLayout, check_file, check_stamp, import_file
from planning.imports.templates import template_csv, template_xlsx
from planning.imports.writer import VersionMeta, hash_bytes
from ui import auth as uiauth
from ui import components
from ui import data as uidata
from ui.import_form import kept_file, mapping_editor, number_format_choice, profile_saver, table_shape_editor

UPLOAD_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip"]
#: Rows of the preview above the mapping (read from the file's head only).
PREVIEW_ROWS = 20


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Art": [p.severity for p in problems],
            "Zeile": ["" if p.row is None else str(p.row) for p in problems],
            "Spalte": [p.column or "" for p in problems],
            "Meldung": [p.message for p in problems],
        }
    )


def digest(upload) -> str:  # type: ignore[no-untyped-def]
    """The upload's SHA-256, computed once per uploaded file (not on every rerun of the form)."""
    key = f"upload_digest_{upload.file_id}"
    if key not in st.session_state:
        st.session_state[key] = hash_bytes(upload.getvalue())
    return str(st.session_state[key])


@st.cache_data(show_spinner=False, max_entries=16)
def preview(
    kind: str, file_digest: str, file_name: str, _path: Path
) -> tuple[list[str], pd.DataFrame | None, list[Problem]]:
    """Columns and first rows of an uploaded file (tables: read from the head only), or why it
    cannot be read. Keyed on the file's digest: the file is read once, not on every rerun."""
    spec = KINDS[kind]
    if spec.geometry:
        from geodata.io import VectorFileError, read_vector

        try:
            gdf = read_vector(_path, file_name, max_features=PREVIEW_ROWS)  # the head only
        except VectorFileError as exc:
            return [], None, [Problem("Fehler", str(exc))]
        rows = pd.DataFrame(gdf.drop(columns=gdf.geometry.name).head(PREVIEW_ROWS)).astype("string")
        return list(rows.columns), rows, []
    try:
        if kind in POINT_KINDS and is_vector_file(_path, file_name):
            raw = read_points(_path, file_name)
        else:
            raw = read_table(_path, file_name, head=PREVIEW_ROWS)
    except InputFileError as exc:
        return [], None, exc.problems
    return list(raw.frame.columns), raw.frame.head(PREVIEW_ROWS), []


@st.cache_data(ttl=uidata.CURRENT_TTL_S, show_spinner=False)
def _stamp(url: str, generation: int) -> tuple[Any, ...]:
    return check_stamp(uidata.engine_for(url))


@st.cache_data(show_spinner="Prüfe die Datei …", max_entries=32)
def check_report(
    url: str,
    stamp: tuple[Any, ...],
    kind: str,
    file_digest: str,
    file_name: str,
    mapping: dict[str, str] | None,
    number_format: str | None,
    crs: str | None,
    options: dict[str, Any],
    _path: Path,
) -> CheckReport:
    """The service's check of an uploaded file, once per file (digest), mapping, options and
    database state (``stamp``, :func:`~planning.imports.service.check_stamp`): a rerun of the form
    that changes none of them shows the cached result; an import changes the stamp. Only the report
    is kept (problems, row count), not the checked rows: "Importieren" checks once more and writes."""
    checked = check_file(
        uidata.engine_for(url),
        kind,
        _path,
        mapping,
        name=file_name,
        number_format=number_format,  # type: ignore[arg-type]
        crs=crs,
        options=options,
    )
    return CheckReport.of(checked)


def current_stamp() -> tuple[Any, ...]:
    """:func:`~planning.imports.service.check_stamp` of the app's database, re-read after any write
    of this process and at least every few seconds (writes of other processes)."""
    return _stamp(uidata.db_url(), write_generation())


def import_workflow() -> None:
    if not uiauth.permitted(Permission.IMPORT):
        return
    engine = uidata.engine()
    kind = st.selectbox("Datenart", list(KINDS), format_func=lambda k: KINDS[k].label_de, key="import_kind")
    spec = KINDS[kind]
    st.caption(spec.help_de)
    if not spec.geometry:
        c1, c2, _ = st.columns([1, 1, 3])
        c1.download_button(
            "Vorlage CSV", template_csv(kind), f"vorlage_{kind}.csv", "text/csv", on_click="ignore"
        )
        c2.download_button(
            "Vorlage Excel",
            template_xlsx(kind),
            f"vorlage_{kind}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
        )
    upload = st.file_uploader(
        "Datei",
        type=UPLOAD_TYPES,
        key=f"upload_{kind}",
        help="CSV (Semikolon oder Komma, UTF-8 oder Windows-1252), Excel (.xlsx); für Gebiete "
        "GeoJSON, GeoPackage oder gezipptes Shapefile.",
    )
    st.caption("Datei hierher ziehen oder über „Datei wählen“ auswählen (höchstens 50 MB).")
    if upload is None:
        return
    file_digest = digest(upload)
    path = kept_file(upload, file_digest)
    columns, rows, read_problems = preview(kind, file_digest, upload.name, path)
    if read_problems:
        for p in read_problems:
            st.error(str(p), icon=":material/error:")
        return
    with st.expander(f"Vorschau: {upload.name} (erste {len(rows)} Zeilen)", expanded=False):
        st.dataframe(rows, hide_index=True)

    profiles = {p.name: p for p in list_profiles(engine, kind)}
    chosen = st.selectbox("Zuordnungsprofil", ["– keins –", *profiles], key=f"profile_{kind}")
    profile = profiles.get(chosen)
    st.subheader("Spalten zuordnen")
    # Widgets keyed by the chosen profile and the file: choosing a profile sets every field to what it
    # saved, and the next file of the same Datenart starts from the profile, not from the last file's form.
    scope = f"{chosen}|{upload.name}|{upload.size}"
    mapping = mapping_editor(spec, columns, profile.mapping if profile else {}, scope)
    number_format = number_format_choice(kind, profile.options if profile else {}, scope)
    crs = ""
    if kind in POINT_KINDS:
        crs = st.text_input(
            "Koordinatensystem (für x/y)",
            value=(profile.options if profile else {}).get("koordinatensystem", ""),
            key=f"crs_{kind}_{scope}",
            placeholder="EPSG:25832",
            help="Nur für Tabellen mit Rechts-/Hochwert (Spalten x/y), z. B. EPSG:25832 (UTM 32), "
            "EPSG:25833 (UTM 33), EPSG:31467 (Gauß-Krüger). Geodaten bringen ihr System selbst mit.",
        ).strip()
    options = {
        **(profile.options if profile else {}),
        **table_shape_editor(kind, columns, profile.options if profile else {}, scope),
        "zahlenformat": number_format,
        "koordinatensystem": crs,
    }
    options = {k: v for k, v in options.items() if v not in (None, "", [], {})}
    st.subheader("Angaben zum Datenstand")
    opts = profile.options if profile else {}
    c1, c2, c3 = st.columns(3)
    # a profile's source and licence, else the last ones typed for this Datenart (a new file keeps them)
    source = c1.text_input(
        "Quelle",
        value=opts.get("source") or st.session_state.get(f"last_src_{kind}", ""),
        key=f"src_{kind}_{scope}",
    )
    licence = c2.text_input(
        "Lizenz",
        value=opts.get("licence") or st.session_state.get(f"last_lic_{kind}", ""),
        key=f"lic_{kind}_{scope}",
    )
    st.session_state[f"last_src_{kind}"], st.session_state[f"last_lic_{kind}"] = source, licence
    stand = c3.date_input("Stand (Stichtag)", value=None, format="DD.MM.YYYY", key=f"stand_{kind}")
    saved = {**options, "source": source.strip(), "licence": licence.strip()}
    # the second area file is this delivery's, not the profile's (its columns are kept)
    saved = {k: v for k, v in saved.items() if k != "ober_datei" and v not in (None, "", [], {})}
    profile_saver(engine, kind, mapping, saved)
    label = st.text_input("Bezeichnung", value=f"{spec.label_de} {upload.name}", key=f"label_{kind}_{scope}")
    layout_extra: dict[str, str] = {}
    if spec.geometry:
        c1, c2, c3 = st.columns(3)
        layout_extra["code"] = c1.text_input("Code des neuen Gebietsstands", key="layout_code")
        layout_extra["kommune"] = c2.text_input("Kommune", key="layout_kommune")
        layout_extra["ebenen"] = c3.text_input(
            "Ebenen (von oben, mit Komma)", key="layout_levels", placeholder="Stadtbezirk, Planungsraum"
        )

    result = check_report(
        uidata.db_url(),
        current_stamp(),
        kind,
        file_digest,
        upload.name,
        mapping or None,
        number_format or None,
        crs or None,
        options,
        path,
    )
    _report(result)
    confirmed = True
    if result.shrink is not None:
        confirmed = st.checkbox(
            f"Ja, ersetzen: der neue Datenstand mit {result.shrink.new_rows} Zeilen soll den aktiven mit "
            f"{result.shrink.old_rows} Zeilen ablösen",
            key=f"confirm_shrink_{kind}",
        )
    can_import = (
        result.ok
        and confirmed
        and source.strip()
        and licence.strip()
        and (not spec.geometry or layout_extra["code"])
    )
    if not (source.strip() and licence.strip()):
        st.info("Bitte Quelle und Lizenz angeben: sie stehen später unter jeder Zahl aus diesem Datenstand.")
    if st.button("Importieren", type="primary", disabled=not can_import, key=f"do_import_{kind}"):
        meta = VersionMeta(
            source=source.strip(),
            licence=licence.strip(),
            stand=stand if isinstance(stand, dt.date) else None,
            label=label.strip() or None,
            imported_by=_user(),
            file_name=upload.name,
            file_hash=file_digest,
        )
        new_layout = None
        if spec.geometry:
            new_layout = NewLayout.from_text(
                layout_extra["code"], layout_extra["kommune"], layout_extra["ebenen"]
            )
        try:
            vid, written = import_file(
                engine,
                kind,
                path,
                meta,
                mapping or None,
                name=upload.name,
                number_format=number_format or None,  # type: ignore[arg-type]
                crs=crs or None,
                options=options,
                confirm_shrink=confirmed,
                new_layout=new_layout,
            )
        except (InputFileError, ValueError) as exc:
            st.error(
                f"Import abgebrochen, die Datenbank ist unverändert: {components.plain(exc)}",
                icon=":material/error:",
            )
            return
        st.success(
            f"Importiert: {len(written.frame)} Zeilen als Datenstand Nr. {vid}. Er ist jetzt aktiv.",
            icon=":material/check_circle:",
        )


def _report(report: CheckReport) -> None:
    n_err, n_warn = report.error_count, report.warning_count
    if n_err:
        st.error(
            f"Prüfung: {n_err} Fehler, {n_warn} Warnungen – so kann die Datei nicht importiert werden.",
            icon=":material/error:",
        )
    elif n_warn:
        st.warning(
            f"Prüfung: {report.rows} Zeilen, {n_warn} Warnungen. Import möglich.",
            icon=":material/warning:",
        )
    else:
        st.success(f"Prüfung bestanden: {report.rows} Zeilen ohne Beanstandung.", icon=":material/check:")
    if report.problems:
        st.dataframe(problems_frame(list(report.problems)), hide_index=True, width="stretch")


def _user() -> str:
    """Who imports, as the version records it (the signed-in person; else the workplace)."""
    return uiauth.who().display_name
