"""Jugendhilfe & Soziales: youth-services and social-context indicators per district."""

from ui import components, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "Jugendhilfe & Soziales"):
    components.not_built_yet(
        "Zielwerte, Ampeln und Geheimhaltung kleiner Fallzahlen folgen; "
        "sensible Kennzahlen hier nur für den internen Gebrauch."
    )
    indicator = views.indicator_explorer(ctx, domains=("Jugendhilfe", "Soziales"), default="kinderarmut")
    views.footer(ctx, indicator)
