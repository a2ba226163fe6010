"""Build the decision paper of a meeting: TOP 0 (what changed since the last meeting), one section
per agenda item (its saved view, :mod:`planning.paper.views`, with the comments and decisions on
it), then this meeting's decisions, the work orders and the minutes (:mod:`planning.paper.records`).

The app and ``python -m planning paper`` call the same :func:`build_paper`, so the PDF attached to
a Vorlage is the same whichever way it was made. Rendered by :mod:`planning.paper.to_pdf` and
:mod:`planning.paper.to_pptx`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from planning import pages
from planning import since as since_mod
from planning import steering as sk
from planning.formatting import LOCAL_TZ
from planning.paper.model import Paper, Remark, Section, Text
from planning.paper.records import (
    basis_text,
    comment_remark,
    comment_remarks,
    decision_remark,
    order_remark,
    record_tables,
    since_section,
)
from planning.paper.views import PaperContext, date_de, view_blocks
from planning.registry import load_registry
from planning.repository import list_layouts

__all__ = ["build_paper", "record_tables"]


def build_paper(
    engine: Engine, key: str | int, now: dt.datetime | None = None, base_url: str | None = None
) -> Paper:
    """The decision paper of the meeting ``key`` (name of the agenda or id). ``base_url``: the
    address the app is reached at, for the links back to each view (the page passes the one the
    browser used; without it ``PLANUNGSATLAS_BASE_URL`` or the local default)."""
    rec = sk.meeting_record(engine, key)
    meeting = rec.meeting
    ctx = PaperContext(engine, load_registry(engine))

    def label(code: str) -> str:
        try:
            return ctx.registry.indicator(code).label_de
        except KeyError:
            return code

    paper = Paper(
        title=meeting.body,
        subtitle=f"Sitzung am {date_de(meeting.date)}"
        + (f", {meeting.location}" if meeting.location else "")
        + " – Entscheidungsvorlage",
        municipality="",
        created=now or dt.datetime.now(LOCAL_TZ),  # printed as the municipality reads it
        footer=f"{meeting.body} · {date_de(meeting.date)} · Planungsatlas",
    )
    paper.sections.append(since_section(since_mod.since_last_meeting(engine, meeting.id)))
    by_view: dict[int, list[sk.DecisionInfo]] = {}
    for d in sorted(sk.list_decisions(engine), key=lambda d: d.id):  # earlier meetings' too
        if d.view is not None:
            by_view.setdefault(d.view.id, []).append(d)
    for item in meeting.agenda:
        section = Section(title=f"TOP {item.position}: {item.title}")
        if item.presenter:
            section.blocks.append(Text(f"Berichterstattung: {item.presenter}"))
        if item.note:
            section.blocks.append(Text(item.note))
        if item.proposal:
            by = f", vorbereitet von {item.proposal_by}" if item.proposal_by else ""
            section.blocks.append(Remark("vorschlag", f"zu TOP {item.position}{by}", item.proposal))
        if item.view is None:
            paper.sections.append(section)
            continue
        data = ctx.data(item.view)
        paper.municipality = paper.municipality or data.layout.municipality
        subtitle, blocks = view_blocks(ctx, item.view)
        section.subtitle = f"{pages.title(item.view.page)} · {subtitle}"
        section.link = item.view.link(base_url)
        section.blocks.extend(blocks)
        names = dict(zip(data.areas["gebiet_id"], data.areas["name"], strict=False))
        section.blocks.extend(comment_remarks(ctx, item.view, names, label))
        section.blocks.extend(decision_remark(d, base_url) for d in by_view.get(item.view.id, []))
        paper.sections.append(section)
    decided = Section(title="Beschlüsse dieser Sitzung")
    decided.blocks.extend(decision_remark(d, base_url) for d in rec.decisions)
    if not rec.decisions:
        decided.blocks.append(Text("Keine Beschlüsse erfasst."))
    paper.sections.append(decided)
    overview = sk.order_overview(engine, meeting)
    orders = Section(
        title="Arbeitsaufträge",
        subtitle=f"Stand {date_de(meeting.date)}: {len(overview.open)} offen, "
        f"davon {len(overview.overdue)} überfällig; {len(overview.done_since)} erledigt seit "
        + (date_de(overview.since) if overview.since else "Beginn"),
    )
    new_ids = {o.id for o in rec.orders}
    for o in rec.orders:
        orders.blocks.append(order_remark(o, label))
    for o in overview.open:
        if o.id not in new_ids:
            orders.blocks.append(order_remark(o, label))
    for o in overview.done_since:
        if o.id not in new_ids:
            orders.blocks.append(order_remark(o, label))
    if not orders.blocks:
        orders.blocks.append(Text("Keine Arbeitsaufträge."))
    paper.sections.append(orders)
    minutes = Section(title="Protokoll")
    shown = [
        f"TOP {a.position} {a.title} (gezeigt {sk.local_time(a.shown_at):%H:%M} Uhr)"
        for a in rec.shown
        if a.shown_at
    ]
    minutes.blocks.append(
        Text("Gezeigt: " + ("; ".join(shown) if shown else "– (die Sitzung lief nicht im Sitzungsmodus)"))
    )
    minutes.blocks.append(
        Text(
            f"Beschlossen: {len(rec.decisions)} · Beauftragt: {len(rec.orders)} · "
            f"Kommentare in der Sitzung: {len(rec.comments)}"
        )
    )
    if meeting.minutes:
        minutes.blocks.append(Text(meeting.minutes))
    if rec.comments:
        areas = pd.concat([d.areas[["gebiet_id", "name"]] for d in ctx.cache.values()]) if ctx.cache else None
        names = dict(zip(areas["gebiet_id"], areas["name"], strict=False)) if areas is not None else {}
        for c in rec.comments:
            minutes.blocks.append(
                comment_remark(
                    c, names, label, "in der Sitzung", with_replies=False, basis=basis_text(ctx, c)
                )
            )
    paper.sections.append(minutes)
    paper.municipality = paper.municipality or (
        list_layouts(engine)[0].municipality if list_layouts(engine) else ""
    )
    return paper
