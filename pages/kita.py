"""Kita: where will U3 and Ü3 places be missing, when and how many (forecast), and today's supply."""

from ui import kitaview, planview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "kita"):
    planview.domain_page(
        ctx,
        kitaview.kita_plan,
        ("bevoelkerung", "kitas", "kindertagespflege", "wohnbau"),
        domains=("Kita", "Demografie"),
        points=(True, False),
    )
