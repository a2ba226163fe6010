"""Import recipes on the Import page: a city's open data loaded from a folder on the server in one
step (planning.imports.bundles), with the same checks as a single file; administration only."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from planning.auth import Permission
from planning.imports.problems import InputFileError, report
from ui import auth as uiauth
from ui import components
from ui import data as uidata
from ui.importer import problems_frame


def bundle_section() -> None:
    """Load a city's open data with its import recipe from a folder on the server (administration)."""
    from planning.imports.bundles.berlin import import_berlin
    from planning.imports.bundles.flensburg import import_flensburg

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
            st.success(
                f"{recipes[city][0]}: {len(result.steps)} Datenstände importiert.",
                icon=":material/check_circle:",
            )
            if result.warnings:
                st.warning(
                    f"{len(result.warnings)} Warnungen aus den Quelldateien:", icon=":material/warning:"
                )
                st.dataframe(problems_frame(result.warnings), hide_index=True, width="stretch")
