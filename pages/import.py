"""Import: upload a municipal file, map its columns, check it, confirm – all or nothing."""

import streamlit as st

from planning import pages
from ui import components
from ui.frame import context
from ui.import_bundle import bundle_section
from ui.importer import import_workflow

context()  # ensures the app frame ran (deep links)
st.title(pages.title("import"))
st.caption(
    "Dateien der Fachämter prüfen und als neuen Datenstand übernehmen. Eine fehlerhafte Datei ändert "
    "nichts; jeder Import bleibt als Datenstand mit Quelle, Lizenz und Stand nachvollziehbar."
)
import_workflow()
bundle_section()
components.import_guide_link()
