"""Schule & Ganztag: pupils, Züge utilisation and Ganztag places per district."""

from ui import components, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "Schule & Ganztag"):
    components.not_built_yet(
        "Einschulungsprognose, Zügigkeitsbedarf und GaFöG-Stufenplan folgen; hier der Ist-Stand."
    )
    indicator = views.indicator_explorer(
        ctx, domains=("Schule", "Ganztag"), default="ganztag_quote", points_default=(False, True)
    )
    views.footer(ctx, indicator)
