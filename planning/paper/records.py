"""The steering record in the decision paper: comments, decisions and work orders as remarks,
"Seit der letzten Sitzung" (TOP 0), and the meeting record as tables for the Excel attachment.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine

from planning import comment_basis, pages
from planning import since as since_mod
from planning import steering as sk
from planning.paper.model import Block, Remark, Section, Table, Text
from planning.paper.views import PaperContext, date_de


def comment_remark(
    c: sk.CommentInfo,
    names: dict[str, str],
    label: Callable[[str], str],
    status: str,
    with_replies: bool = True,
    basis: str = "",
) -> Remark:
    """A comment as printed: department, author, date and subject (indicator × district), and the
    year and data it speaks about (``basis``, from :mod:`planning.comment_basis`)."""
    district = names.get(c.gebiet_id, c.gebiet_id) if c.gebiet_id else ""
    subject = " × ".join(x for x in (label(c.indicator_code) if c.indicator_code else "", district) if x)
    replies = c.replies if with_replies else ()
    text = c.text + "".join(f"\n↳ {r.department} ({r.author}): {r.text}" for r in replies)
    if basis:
        text += "\n" + basis
    return Remark(
        "kommentar", f"{c.department} · {c.author} · {date_de(c.created_at)} · {subject}", text, status
    )


def _shown_year(view: sk.View) -> int | None:
    """The year a view shows (plan year on the planning parts)."""
    raw = view.state.get(pages.PLAN_YEAR if pages.shows_plan(view.page, view.state) else pages.YEAR, "")
    return int(raw) if raw.isdigit() else None


def comment_remarks(
    ctx: PaperContext, view: sk.View, names: dict[str, str], label: Callable[[str], str]
) -> list[Block]:
    code = view.state.get(pages.INDICATOR) if view.page not in ("stadtteilprofil",) else None
    gid = view.state.get(pages.DISTRICT)
    if not code and not gid:
        return []
    threads = sk.comments_about(ctx.engine, view.layout_id, code, gid, include_resolved=False)
    return [
        comment_remark(c, names, label, "offen", basis=basis_text(ctx, c, _shown_year(view), view.versions))
        for c in threads
    ]


def basis_text(
    ctx: PaperContext, c: sk.CommentInfo, year: int | None = None, versions: dict[str, int] | None = None
) -> str:
    """ "Bezieht sich auf 2024, Datenstand … – Zahlen inzwischen fortgeschrieben: …" or ""."""
    kinds: tuple[str, ...] = ()
    if c.indicator_code:
        try:
            kinds = ctx.registry.indicator(c.indicator_code).sources
        except KeyError:
            kinds = ()
    b = comment_basis.basis(c, ctx.known(), kinds, year, versions)
    if b is None:
        return ""
    return b.about[0].upper() + b.about[1:] + (f". {b.moved}." if b.moved else ".")


def decision_remark(d: sk.DecisionInfo, base_url: str | None = None) -> Remark:
    basis = f"\nGrundlage: Ansicht Nr. {d.view.id} ({d.view.link(base_url)})" if d.view else ""
    return Remark("beschluss", f"Beschluss vom {date_de(d.date)}: {d.title}", d.text + basis, d.status)


def order_remark(o: sk.WorkOrderInfo, label: Callable[[str], str]) -> Remark:
    parts = [f"An: {o.group}"]
    if o.owner:
        parts.append(f"verantwortlich: {o.owner}")
    parts.append(f"fällig: {date_de(o.due)}")
    if o.decision_title:
        parts.append(f"zu Beschluss „{o.decision_title}“")
    if o.indicators:
        parts.append("Kennzahlen: " + ", ".join(label(c) for c in o.indicators))
    text = (o.description + "\n" if o.description else "") + " · ".join(parts)
    return Remark("auftrag", f"Arbeitsauftrag: {o.title}", text, o.status)


def record_tables(engine: Engine, key: str | int, base_url: str | None = None) -> dict[str, pd.DataFrame]:
    """The meeting record as tables (Tagesordnung, Beschlüsse, Arbeitsaufträge, Kommentare) for Excel;
    ``base_url`` as in :func:`planning.paper.build.build_paper`."""
    rec = sk.meeting_record(engine, key)
    overview = sk.order_overview(engine, rec.meeting)
    agenda = pd.DataFrame(
        [
            {
                "TOP": a.position,
                "Titel": a.title,
                "Berichterstattung": a.presenter,
                "Ansicht": a.view.link(base_url) if a.view else "",
                "Gezeigt": sk.local_time(a.shown_at).strftime("%d.%m.%Y %H:%M") if a.shown_at else "",
            }
            for a in rec.meeting.agenda
        ],
        columns=["TOP", "Titel", "Berichterstattung", "Ansicht", "Gezeigt"],
    )
    decisions = pd.DataFrame(
        [
            {
                "Datum": date_de(d.date),
                "Titel": d.title,
                "Beschluss": d.text,
                "Status": d.status,
                "Grundlage": d.view.link(base_url) if d.view else "",
            }
            for d in rec.decisions
        ],
        columns=["Datum", "Titel", "Beschluss", "Status", "Grundlage"],
    )
    orders = pd.DataFrame(
        [
            {
                "Auftrag": o.title,
                "Beauftragt": o.group,
                "Verantwortlich": o.owner,
                "Fällig": date_de(o.due),
                "Status": o.status,
                "Überfällig": "ja" if o.overdue(rec.meeting.date) else "",
                "Beschluss": o.decision_title or "",
                "In dieser Sitzung erteilt": "ja" if o.meeting_id == rec.meeting.id else "",
            }
            for o in sorted({*overview.open, *rec.orders, *overview.done_since}, key=lambda o: o.id)
        ],
        columns=[
            "Auftrag",
            "Beauftragt",
            "Verantwortlich",
            "Fällig",
            "Status",
            "Überfällig",
            "Beschluss",
            "In dieser Sitzung erteilt",
        ],
    )
    comments = pd.DataFrame(
        [
            {
                "Datum": date_de(c.created_at),
                "Fachamt": c.department,
                "Autor": c.author,
                "Kennzahl": c.indicator_code or "",
                "Gebiet": c.gebiet_id or "",
                "Kommentar": c.text,
            }
            for c in rec.comments
        ],
        columns=["Datum", "Fachamt", "Autor", "Kennzahl", "Gebiet", "Kommentar"],
    )
    return {
        "Tagesordnung": agenda,
        "Beschlüsse": decisions,
        "Arbeitsaufträge": orders,
        "Kommentare": comments,
    }


def since_section(report: since_mod.SinceReport) -> Section:
    """ "Seit der letzten Sitzung" as the paper's first section (TOP 0, as on the screen)."""
    section = Section(title=f"TOP 0: {since_mod.TITLE}", subtitle=report.since_label)
    if report.previous is None:
        section.blocks.append(Text("Für diese Sitzung gibt es keine frühere Sitzung desselben Gremiums."))
    lines = since_mod.version_lines(report)
    section.blocks.append(Text("Neue Datenstände: " + ("; ".join(lines) if lines else "keine") + "."))
    basis = (
        "Verglichen mit den Ansichten, die die letzte Sitzung gezeigt und beschlossen hat (mit ihrem "
        "damaligen Datenstand), und den heute aktiven Daten."
        if report.from_snapshots
        else "Verglichen mit den Daten, die bis zur letzten Sitzung importiert waren."
    )
    groups = since_mod.moved_groups(report)
    if not groups:
        section.blocks.append(
            Text("Größte Veränderungen: keine; die damals gezeigten Zahlen sind unverändert.")
        )
    for title, frame in groups:
        section.blocks.append(
            Table(
                f"Größte Veränderungen: {title}",
                frame,
                note=basis,
                numeric=("damals", "jetzt", "Veränderung"),
            )
        )
    targets = since_mod.target_table(report)
    if targets.empty:
        section.blocks.append(Text("Zielwerte: keine Ampel hat gewechselt."))
    else:
        section.blocks.append(
            Table(
                "Zielwerte neu verfehlt oder erreicht",
                targets,
                note="Ampel der Gesamtstadt und jedes Gebiets, jeweils im jüngsten Jahr der Daten.",
                numeric=("damals", "jetzt"),
            )
        )
    orders = since_mod.order_table(report)
    ov = report.orders
    section.blocks.append(
        Table(
            f"Arbeitsaufträge: {len(ov.overdue)} überfällig, {len(ov.done_since)} erledigt",
            orders,
        )
        if not orders.empty
        else Text("Arbeitsaufträge: keiner überfällig, keiner erledigt.")
    )
    return section
