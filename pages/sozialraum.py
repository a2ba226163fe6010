"""Jugendhilfe & Soziales: youth-services and social-context indicators per district."""

from ui import views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "sozialraum"):
    indicator = views.indicator_explorer(ctx, domains=("Jugendhilfe", "Soziales"))
    views.footer(ctx, indicator)
