"""Import (not built yet)."""

from ui import components, views
from ui.frame import context

ctx = context()
views.page_frame(ctx, "Import")
components.not_built_yet(
    "Der Datei-Import ist noch nicht gebaut; bis dahin füllt python -m planning demo die Datenbank."
)
