"""Lagebild: city key figures, any indicator of any domain on the map, sortable district table."""

from ui import components, views
from ui import data as uidata
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "Lagebild"):
    components.city_kpis(uidata.summary(ctx.url, ctx.layout.code, ctx.versions, ctx.year))
    indicator = views.indicator_explorer(ctx, default="versorgung_u3", points_default=(True, False))
    views.footer(ctx, indicator, extra=("bevoelkerung", "kitas", "schueler"))
