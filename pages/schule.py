"""Schule & Ganztag: school entrants, entry classes vs Züge, Ganztag under the GaFöG phase-in."""

from ui import planview, schoolview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "schule"):
    planview.domain_page(
        ctx,
        schoolview.school_plan,
        ("bevoelkerung", "schulen", "schueler", "wohnbau"),
        domains=("Schule", "Ganztag"),
        points=(False, True),
    )
