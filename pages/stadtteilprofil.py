"""Stadtteilprofil: one area with every domain side by side, for all departments and for printing."""

from ui import profile, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "stadtteilprofil"):
    sources = profile.profile_view(ctx)
    views.footer(ctx, None, sources)
