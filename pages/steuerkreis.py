"""Sitzung & Beschlüsse (not built yet)."""

from ui import components, views
from ui.frame import context

ctx = context()
views.page_frame(ctx, "Sitzung & Beschlüsse")
components.not_built_yet("Kommentare, Beschlüsse, Arbeitsaufträge und Sitzungsmodus sind noch nicht gebaut.")
