"""The form of the Import page below the upload: column mapping, number format, the table's layout
(wide tables, year, filters, total rows; the upper level of an area file) and saving it all as a
mapping profile. Each editor returns what the user chose; :mod:`ui.importer` checks and writes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from planning.imports.formats import KindSpec
from planning.imports.points import POINT_KINDS
from planning.imports.profiles import save_profile
from planning.imports.shape import WIDE_VALUE
from planning.imports.validate import normalise_header
from planning.imports.values import NUMBER_FORMATS
from planning.imports.writer import hash_bytes
from ui import components

NONE = "– nicht vorhanden –"


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
        path = kept_file(upload)
        out["ober_datei"] = str(path)
        try:
            from geodata.io import VectorFileError, read_vector

            head = read_vector(path, upload.name, max_features=1)  # its columns, not every area
            columns = [c for c in head.columns if c != "geometry"]
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


#: Kept uploads older than this are removed when a new one is kept (a form is long finished by then).
KEEP_UPLOAD_S = 6 * 3600


def kept_file(upload, digest: str | None = None) -> Path:  # type: ignore[no-untyped-def]
    """An upload kept as a file for the reruns of its check (named by its content, so never stale;
    written once per content). Writing a new one removes those kept longer than :data:`KEEP_UPLOAD_S`."""
    root = Path(tempfile.gettempdir()) / "planungsatlas-upload"
    folder = root / (digest or hash_bytes(upload.getvalue()))[:24]
    path = folder / Path(upload.name).name
    if not path.is_file():
        _remove_old_uploads(root)
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.getvalue())
    return path


def _remove_old_uploads(root: Path) -> None:
    import shutil
    import time

    if not root.is_dir():
        return
    limit = time.time() - KEEP_UPLOAD_S
    for old in root.iterdir():
        try:
            if old.stat().st_mtime < limit:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:  # removed by another session meanwhile
            continue


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
