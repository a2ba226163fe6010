"""Prognose & Szenarien (not built yet)."""

from ui import components, views
from ui.frame import context

ctx = context()
views.page_frame(ctx, "Prognose & Szenarien")
components.not_built_yet("Bevölkerungsprognose und Szenarienvergleich sind noch nicht gebaut.")
