"""Kita: supply indicators per district (Versorgungsquoten, places, children)."""

from ui import components, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "Kita-Versorgung"):
    components.not_built_yet(
        "Bedarfsprognose und Platzlücke je Planungsraum folgen; hier die Ist-Versorgung."
    )
    indicator = views.indicator_explorer(
        ctx, domains=("Kita", "Demografie"), default="versorgung_ue3", points_default=(True, False)
    )
    views.footer(ctx, indicator)
