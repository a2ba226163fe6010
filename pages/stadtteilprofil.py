"""Stadtteilprofil (not built yet)."""

from ui import components, views
from ui.frame import context

ctx = context()
views.page_frame(ctx, "Stadtteilprofil")
components.not_built_yet(
    "Das Stadtteilprofil (alle Bereiche eines Gebiets auf einer Seite) ist noch nicht gebaut."
)
