"""Datenstände: compare two versions of one data kind per area, as table and map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning.auth import Permission
from planning.formatting import number
from planning.indicators import Indicator
from planning.repository import VersionInfo
from planning.versions import MEASURES, activate, compare_versions
from ui import auth as uiauth
from ui import components, figures
from ui import data as uidata
from ui.frame import Context


def activation(versions: list[VersionInfo]) -> None:
    """Make an earlier dataset version active again (e.g. a faulty delivery was imported)."""
    inactive = [v for v in versions if not v.is_active and v.kind != "gebiete"]
    if not inactive or not uiauth.allowed(Permission.IMPORT):
        return
    with st.expander("Früheren Datenstand wieder aktiv setzen"):
        vid = st.selectbox(
            "Datenstand",
            [v.id for v in inactive],
            key="activate_id",
            format_func=lambda i: next(
                f"Nr. {v.id}: {components.KIND_LABELS.get(v.kind, v.kind)} – {v.label}"
                for v in inactive
                if v.id == i
            ),
        )
        if st.button("Aktiv setzen", key="activate_go"):
            # no cache clear: the activation is a write, so every page's version key moves with it
            label = activate(uidata.engine(), vid)
            st.success(
                f"„{label}“ ist jetzt aktiv; alle Seiten zeigen diese Zahlen.", icon=":material/check_circle:"
            )


def version_comparison(ctx: Context, versions: list[VersionInfo]) -> None:
    st.subheader("Datenstände vergleichen")
    kinds = [k for k in MEASURES if sum(v.kind == k for v in versions) >= 2]
    if not kinds:
        st.caption(
            "Sobald eine Datenart mehr als einen Datenstand hat, lässt sich hier vergleichen, was sich je "
            "Gebiet geändert hat."
        )
        return
    kind = st.selectbox(
        "Datenart", kinds, format_func=lambda k: components.KIND_LABELS.get(k, k), key="cmp_kind"
    )
    options = [v for v in versions if v.kind == kind]  # newest first
    label = {
        v.id: f"Nr. {v.id}: {v.label} (Stand {components.fmt_date(v.stand)})"
        + (" – aktiv" if v.is_active else "")
        for v in options
    }
    c1, c2 = st.columns(2)
    old_id = c1.selectbox(
        "Früherer Datenstand", [v.id for v in options], index=1, format_func=label.get, key="cmp_old"
    )
    new_id = c2.selectbox(
        "Neuerer Datenstand", [v.id for v in options], index=0, format_func=label.get, key="cmp_new"
    )
    diff = compare_versions(uidata.engine(), kind, old_id, new_id)
    names = ctx.data.areas.set_index("gebiet_id")["name"]
    diff = diff.assign(name=diff["gebiet_id"].map(names).fillna("(ohne Gebiet)"))
    what = MEASURES[kind][0]
    counts = diff["status"].value_counts()
    components.kpi_row(
        [
            (f"{what}: vorher", number(diff["alt"].sum()), None),
            (f"{what}: nachher", number(diff["neu"].sum()), None),
            ("Gebiete geändert", str(int(counts.get("geändert", 0))), "Gebiete mit anderem Wert"),
            ("neu / entfallen", f"{int(counts.get('neu', 0))} / {int(counts.get('entfallen', 0))}", None),
        ]
    )
    left, right = st.columns([3, 2])
    with left:
        geojson, bounds = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.data.data_level)
        change = Indicator("veraenderung", f"Veränderung {what}", "", "Demografie", "neu − alt", polarity=0)
        table = pd.DataFrame(
            {"gebiet_id": diff["gebiet_id"], "name": diff["name"], "value": diff["differenz"]}
        )
        st.plotly_chart(
            figures.figure("choropleth", geojson, bounds, table, change, diverging=True),
            key="cmp_map",
            config={"displayModeBar": False},
        )
    with right:
        shown = diff[diff["status"] != "gleich"].rename(
            columns={
                "name": "Gebiet",
                "alt": "vorher",
                "neu": "nachher",
                "differenz": "Differenz",
                "differenz_prozent": "in %",
                "status": "Status",
            }
        )
        for column in ("vorher", "nachher"):  # German text: the browser would print 4029.0
            shown[column] = shown[column].map(number)
        shown["Differenz"] = shown["Differenz"].map(lambda v: number(v, signed=True))
        st.dataframe(
            shown[["Gebiet", "vorher", "nachher", "Differenz", "Status"]],
            hide_index=True,
            height=480,
            width="stretch",
        )
