"""Kohortenkette: the same children of one district from birth through Kita into school and Ganztag."""

from ui import cohortview, views
from ui.frame import context

ctx = context()
if views.page_frame(ctx, "kohorten"):
    cohortview.cohort_view(ctx)
    views.footer(ctx, None, ("bevoelkerung", "geburten", "schulen", "schueler", "wohnbau"))
