"""The import workflow on the Daten page: upload → preview → column mapping → check → confirm.

The same services as ``python -m planning import`` do the work (planning.imports.service), so the
page and the command line accept and refuse exactly the same files.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from planning.auth import Permission
from planning.imports.areas import write_areas
from planning.imports.formats import KINDS, KindSpec
from planning.imports.points import POINT_KINDS, is_vector_file, read_points
from planning.imports.problems import InputFileError, Problem
from planning.imports.profiles import list_profiles, save_profile
from planning.imports.readers import read_table
from planning.imports.service import check_file
from planning.imports.shape import WIDE_VALUE
from planning.imports.templates import template_csv, template_xlsx
from planning.imports.validate import Checked, normalise_header
from planning.imports.values import NUMBER_FORMATS
from planning.imports.writer import VersionMeta, hash_bytes, write_checked
from ui import auth as uiauth
from ui import components
from ui import data as uidata

UPLOAD_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip"]
NONE = "– nicht vorhanden –"


@contextmanager
def _as_file(upload) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        yield path


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Art": [p.severity for p in problems],
            "Zeile": ["" if p.row is None else str(p.row) for p in problems],
            "Spalte": [p.column or "" for p in problems],
            "Meldung": [p.message for p in problems],
        }
    )


def _source_columns(upload, spec: KindSpec) -> tuple[list[str], pd.DataFrame | None, list[Problem]]:  # type: ignore[no-untyped-def]
    with _as_file(upload) as path:
        if spec.geometry:
            from geodata.io import VectorFileError, read_vector

            try:
                gdf = read_vector(path, upload.name)
            except VectorFileError as exc:
                return [], None, [Problem("Fehler", str(exc))]
            preview = pd.DataFrame(gdf.drop(columns=gdf.geometry.name).head(20)).astype("string")
            return list(preview.columns), preview, []
        try:
            if spec.kind in POINT_KINDS and is_vector_file(path, upload.name):
                raw = read_points(path, upload.name)
            else:
                raw = read_table(path, upload.name)
        except InputFileError as exc:
            return [], None, exc.problems
        return list(raw.frame.columns), raw.frame.head(20), []


def mapping_editor(
    spec: KindSpec, columns: list[str], preset: dict[str, str], scope: str = ""
) -> dict[str, str]:
    """One selectbox per canonical field; defaults from the profile, else from matching headers."""
    by_norm = {normalise_header(c): c for c in columns}
    inverse = {v: k for k, v in preset.items()}
    mapping: dict[str, str] = {}
    fields = [*spec.fields]
    cols = st.columns(3)
    for i, f in enumerate(fields):
        default = inverse.get(f.name) or by_norm.get(f.name)
        options = [NONE, *columns]
        index = options.index(default) if default in options else 0
        label = f"{f.name}{' *' if f.required else ''}"
        choice = cols[i % 3].selectbox(
            label, options, index=index, help=f.help_de, key=f"map_{spec.kind}_{f.name}_{scope}"
        )
        if choice != NONE:
            mapping[choice] = f.name
    st.caption("Felder mit \\* sind Pflichtfelder.")
    return mapping


def number_format_choice(kind: str, options: dict[str, str], scope: str = "") -> str:
    """The file's number convention: found from the values, or the user's answer when they are ambiguous."""
    labels = {"": "aus den Werten erkennen", **NUMBER_FORMATS}
    preset = options.get("zahlenformat") or ""
    choice = st.selectbox(
        "Zahlenformat",
        list(labels),
        index=list(labels).index(preset) if preset in labels else 0,
        format_func=labels.__getitem__,
        key=f"numfmt_{kind}_{scope}",
        help="Nur nötig, wenn die Prüfung fragt: eine Spalte mit Werten wie „1.234“ kann 1234 oder 1,234 "
        "bedeuten. Die Wahl wird mit dem Zuordnungsprofil gespeichert.",
    )
    return str(choice)


def upper_level_editor(kind: str, preset: dict[str, Any], scope: str) -> dict[str, Any]:
    """The level above the file's areas: from a second area file (largest share) or an id prefix."""
    out: dict[str, Any] = {}
    upload = st.file_uploader(
        "Zweite Gebietsdatei mit den übergeordneten Gebieten",
        type=["geojson", "json", "gpkg", "zip"],
        key=f"upper_file_{kind}",
        help="Jedes Gebiet kommt in das übergeordnete Gebiet, in dem der größte Teil seiner Fläche liegt; "
        "liegt es zu weniger als 90 % darin, sagt die Prüfung es.",
    )
    st.caption("GeoJSON, GeoPackage oder gezipptes Shapefile, höchstens 50 MB.")
    if upload is not None:
        path = _kept_file(upload)
        out["ober_datei"] = str(path)
        try:
            from geodata.io import VectorFileError, read_vector

            columns = [c for c in read_vector(path, upload.name).columns if c != "geometry"]
        except VectorFileError as exc:
            st.error(components.plain(exc), icon=":material/error:")
            columns = []
        c1, c2 = st.columns(2)
        for col, key, label in (
            (c1, "ober_datei_id", "Spalte mit der Kennung"),
            (c2, "ober_datei_name", "Spalte mit dem Namen"),
        ):
            options = [NONE, *columns]
            wanted = preset.get(key)
            choice = col.selectbox(
                label,
                options,
                index=options.index(wanted) if wanted in options else 0,
                key=f"{key}_{kind}_{scope}",
                placeholder="Bitte wählen",
            )
            out[key] = choice if choice != NONE else None
    else:
        out["ober_datei_id"] = preset.get("ober_datei_id")
        out["ober_datei_name"] = preset.get("ober_datei_name")
    n = st.number_input(
        "Oder: aus den ersten N Zeichen der Kennung (0 = nicht)",
        min_value=0,
        max_value=12,
        value=int(preset.get("ober_aus_praefix") or 0),
        key=f"shape_prefix_{kind}_{scope}",
    )
    out["ober_aus_praefix"] = int(n) or None
    return out


def _kept_file(upload) -> Path:  # type: ignore[no-untyped-def]
    """An upload kept as a file for the reruns of this check (named by its content, so never stale)."""
    data = upload.getvalue()
    folder = Path(tempfile.gettempdir()) / "planungsatlas-upload" / hash_bytes(data)[:24]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(upload.name).name
    if not path.is_file():
        path.write_bytes(data)
    return path


def table_shape_editor(
    kind: str, columns: list[str], preset: dict[str, Any], scope: str = ""
) -> dict[str, Any]:
    """How the city's table is laid out (planning.imports.shape): saved with the profile."""
    out: dict[str, Any] = {}
    if kind in ("gebiete",):
        upper_preset = bool(preset.get("ober_aus_praefix") or preset.get("ober_datei_id"))
        with st.expander("Übergeordnete Ebene (z. B. Stadtbezirke)", expanded=upper_preset):
            out.update(upper_level_editor(kind, preset, scope))
        return out
    if kind not in WIDE_VALUE and kind not in POINT_KINDS:
        return out
    shaped = any(
        preset.get(k) for k in ("breit", "jahr", "jahr_aus_dateiname", "filter", "summen_ids", "kennzahl")
    )
    with st.expander("Tabellenform (breite Tabellen, Jahr, Filter, Summenzeilen)", expanded=shaped):
        c1, c2, c3 = st.columns(3)
        if kind in WIDE_VALUE:
            wide = ["", "alter", "jahr"]
            out["breit"] = c1.selectbox(
                "Breite Tabelle",
                wide,
                index=wide.index(preset.get("breit") or ""),
                format_func=lambda w: {
                    "": "nein",
                    "alter": "eine Spalte je Altersgruppe",
                    "jahr": "eine Spalte je Jahr",
                }[w],
                key=f"shape_wide_{kind}_{scope}",
            )
            year = c2.text_input(
                "Jahr (fest)", value=str(preset.get("jahr") or ""), key=f"shape_year_{kind}_{scope}"
            )
            out["jahr"] = int(year) if year.strip().isdigit() else None
            out["jahr_aus_dateiname"] = c3.checkbox(
                "Jahr aus dem Dateinamen",
                value=bool(preset.get("jahr_aus_dateiname")),
                key=f"shape_year_name_{kind}_{scope}",
            )
        f_col, f_val = next(iter((preset.get("filter") or {}).items()), ("", ""))
        options = ["", *columns]
        col = c1.selectbox(
            "Filter: Spalte",
            options,
            index=options.index(f_col) if f_col in options else 0,
            key=f"shape_filter_col_{kind}_{scope}",
            placeholder="Bitte wählen",
        )
        val = c2.text_input(
            "Filter: Wert (* = irgendeiner)", value=f_val, key=f"shape_filter_val_{kind}_{scope}"
        )
        out["filter"] = {col: val.strip()} if col and val.strip() else None
        if kind in WIDE_VALUE:
            ids = c3.text_input(
                "Summenzeilen (Kennungen, mit Komma)",
                value=",".join(preset.get("summen_ids") or []),
                key=f"shape_totals_{kind}_{scope}",
                help="z. B. 000 für die Stadt; Zeilen der Stadtbezirke werden von selbst erkannt.",
            )
            out["summen_ids"] = [x.strip() for x in ids.split(",") if x.strip()] or None
        if kind == "kennzahlen":
            code = c3.text_input(
                "Kennzahl (fester Code)",
                value=str(preset.get("kennzahl") or ""),
                key=f"shape_code_{kind}_{scope}",
                help="Für eine Datei ohne Kennzahl-Spalte, z. B. eine Spalte je Jahr für eine Kennzahl.",
            )
            out["kennzahl"] = code.strip() or None
    return out


def import_workflow() -> None:
    if not uiauth.permitted(Permission.IMPORT):
        return
    engine = uidata.engine()
    kind = st.selectbox("Datenart", list(KINDS), format_func=lambda k: KINDS[k].label_de, key="import_kind")
    spec = KINDS[kind]
    st.caption(spec.help_de)
    if not spec.geometry:
        c1, c2, _ = st.columns([1, 1, 3])
        c1.download_button("Vorlage CSV", template_csv(kind), f"vorlage_{kind}.csv", "text/csv")
        c2.download_button(
            "Vorlage Excel",
            template_xlsx(kind),
            f"vorlage_{kind}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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
    columns, preview, read_problems = _source_columns(upload, spec)
    if read_problems:
        for p in read_problems:
            st.error(str(p), icon=":material/error:")
        return
    with st.expander(f"Vorschau: {upload.name} (erste {len(preview)} Zeilen)", expanded=False):
        st.dataframe(preview, hide_index=True)

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

    with _as_file(upload) as path:
        checked = check_file(
            engine,
            kind,
            path,
            mapping or None,
            name=upload.name,
            number_format=number_format or None,  # type: ignore[arg-type]
            crs=crs or None,
            options=options,
        )
    _report(checked)
    confirmed = True
    if checked.shrink is not None:
        confirmed = st.checkbox(
            f"Ja, ersetzen: der neue Datenstand mit {checked.shrink.new_rows} Zeilen soll den aktiven mit "
            f"{checked.shrink.old_rows} Zeilen ablösen",
            key=f"confirm_shrink_{kind}",
        )
    can_import = (
        checked.ok
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
            file_hash=hash_bytes(upload.getvalue()),
        )
        try:
            if spec.geometry:
                levels = tuple(x.strip() for x in layout_extra["ebenen"].split(",") if x.strip()) or None
                vid = write_areas(
                    engine,
                    checked,
                    meta,
                    layout_code=layout_extra["code"].strip(),
                    municipality=layout_extra["kommune"].strip() or None,
                    level_names=levels,
                )
            else:
                vid = write_checked(engine, checked, meta, confirm_shrink=confirmed)
        except (InputFileError, ValueError) as exc:
            st.error(
                f"Import abgebrochen, die Datenbank ist unverändert: {components.plain(exc)}",
                icon=":material/error:",
            )
            return
        st.cache_data.clear()
        st.success(
            f"Importiert: {len(checked.frame)} Zeilen als Datenstand Nr. {vid}. Er ist jetzt aktiv.",
            icon=":material/check_circle:",
        )


def profile_saver(engine, kind: str, mapping: dict[str, str], options: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Save the form as a mapping profile (columns, table form, source, licence) and choose it."""
    flash = st.session_state.pop(f"profile_flash_{kind}", None)
    with st.popover("Zuordnung als Profil speichern"):
        name = st.text_input("Name des Profils", key=f"profile_name_{kind}")
        st.button(
            "Speichern",
            key=f"profile_save_{kind}",
            disabled=not name.strip(),
            on_click=_save_and_choose,
            args=(engine, name.strip(), kind, mapping, options),
        )
    if flash:
        (st.success if flash[0] == "ok" else st.error)(flash[1])


def _save_and_choose(engine, name: str, kind: str, mapping: dict[str, str], options: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Button callback (runs before the next run, so the profile box may be set to the new profile)."""
    try:
        save_profile(engine, name, kind, mapping, options)
    except ValueError as exc:
        st.session_state[f"profile_flash_{kind}"] = ("error", components.plain(exc))
        return
    st.session_state[f"profile_{kind}"] = name
    st.session_state[f"profile_flash_{kind}"] = (
        "ok",
        f"Profil „{components.plain(name)}“ gespeichert und gewählt: im nächsten Jahr genügt es, die Datei "
        "hochzuladen und dieses Profil zu wählen.",
    )


def _report(checked: Checked) -> None:
    n_err, n_warn = checked.error_count, checked.warning_count
    if n_err:
        st.error(
            f"Prüfung: {n_err} Fehler, {n_warn} Warnungen – so kann die Datei nicht importiert werden.",
            icon=":material/error:",
        )
    elif n_warn:
        st.warning(
            f"Prüfung: {len(checked.frame)} Zeilen, {n_warn} Warnungen. Import möglich.",
            icon=":material/warning:",
        )
    else:
        st.success(
            f"Prüfung bestanden: {len(checked.frame)} Zeilen ohne Beanstandung.", icon=":material/check:"
        )
    if checked.problems:
        st.dataframe(problems_frame(checked.problems), hide_index=True, width="stretch")


def _user() -> str:
    """Who imports, as the version records it (the signed-in person; else the workplace)."""
    return uiauth.who().display_name


def bundle_section() -> None:
    """Load a city's open data with its import recipe from a folder on the server (administration)."""
    from planning.imports.bundles.berlin import import_berlin
    from planning.imports.bundles.flensburg import import_flensburg
    from planning.imports.problems import report

    if not uiauth.allowed(Permission.IMPORT):
        return
    recipes = {
        "flensburg": ("Flensburg (13 Stadtteile)", import_flensburg),
        "berlin": ("Berlin (LOR 2021)", import_berlin),
    }
    with st.expander("Import-Rezept: offene Daten einer Stadt laden", expanded=False):
        st.caption(
            "Lädt alle Dateien einer Stadt in einem Schritt, mit denselben Prüfungen wie oben. "
            "Der Ordner liegt auf dem Server (Aufbau wie shared/data/real/STADT). Alles oder nichts."
        )
        city = st.selectbox("Stadt", list(recipes), format_func=lambda c: recipes[c][0], key="bundle_city")
        folder = st.text_input(
            "Ordner auf dem Server", key="bundle_dir", placeholder="/pfad/zu/shared/data/real/" + city
        )
        if st.button("Rezept ausführen", key="bundle_run", disabled=not folder.strip()):
            path = Path(folder.strip())
            if not path.is_dir():
                st.error(
                    f"Den Ordner {components.plain(path)} gibt es auf dem Server nicht.",
                    icon=":material/error:",
                )
                return
            try:
                with st.spinner("Importiere …"):
                    result = recipes[city][1](uidata.engine(), path)
            except InputFileError as exc:
                st.error(
                    "Import-Rezept abgebrochen, die Datenbank ist unverändert:\n\n" + report(exc.problems),
                    icon=":material/error:",
                )
                return
            st.cache_data.clear()
            st.success(
                f"{recipes[city][0]}: {len(result.steps)} Datenstände importiert.",
                icon=":material/check_circle:",
            )
            if result.warnings:
                st.warning(
                    f"{len(result.warnings)} Warnungen aus den Quelldateien:", icon=":material/warning:"
                )
                st.dataframe(problems_frame(result.warnings), hide_index=True, width="stretch")
