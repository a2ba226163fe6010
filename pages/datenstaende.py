"""Datenstände: every imported dataset version with source, licence, Stand, and which is active."""

import pandas as pd
import streamlit as st

from planning.formatting import local_stamp, number
from planning.repository import list_versions
from ui import components, views
from ui import data as uidata
from ui.frame import context
from ui.versions_view import activation, version_comparison

ctx = context()
if views.page_frame(ctx, "datenstaende"):
    versions = list_versions(uidata.engine(), ctx.layout.id)
    st.write(
        f"Gebietsstand **{components.plain(ctx.layout.name)}** ({ctx.layout.code}), "
        f"Koordinatensystem EPSG:{ctx.layout.epsg}, Ebenen: {' › '.join(ctx.layout.levels)}."
    )
    table = pd.DataFrame(
        {
            "Datenart": [components.KIND_LABELS.get(v.kind, v.kind) for v in versions],
            "Bezeichnung": [v.label for v in versions],
            "Stand": [components.fmt_date(v.stand) for v in versions],
            "Quelle": [v.source for v in versions],
            "Lizenz": [v.licence for v in versions],
            "Zeilen": [number(v.row_count, missing="–") for v in versions],
            "Importiert": [local_stamp(v.imported_at) for v in versions],
            "von": [v.imported_by for v in versions],
            "Aktiv": [v.is_active for v in versions],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Bezeichnung": st.column_config.TextColumn(width="medium"),
            "Quelle": st.column_config.TextColumn(width="medium"),
            "Lizenz": st.column_config.TextColumn(width="small"),
            "Zeilen": st.column_config.TextColumn(width="small"),
        },
    )
    activation(versions)
    version_comparison(ctx, versions)
