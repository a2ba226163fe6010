"""The demo city's steering record: the agenda ``Demo-Sitzung`` with saved views, comments of the
departments, a decision of the previous meeting and work orders (open, overdue, done).

Why: a new user opens "Sitzung & Beschlüsse" and sees the whole workflow at once. The district the
comments and the decision talk about is the Planungsraum with the lowest U3 supply in the data, so
the interpretation fits what the map shows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from planning import indicators as ind
from planning import steering as sk
from planning.db import session_scope
from planning.models import AgendaItem, Meeting, WorkOrder
from planning.repository import active_versions, get_layout, load_planning_data
from planning.scenarios import Scenario, get_scenario

AGENDA_NAME = "Demo-Sitzung"
BODY = "Steuerkreis Bildung und Betreuung"
MEETING_DATE = dt.date(2026, 12, 10)
PREVIOUS_DATE = dt.date(2026, 9, 17)
PLANNERS = {
    "Jugendamt": "S. Becker",
    "Schulamt": "T. Yilmaz",
    "Sozialplanung": "A. Nowak",
    "Dezernat": "Dr. K. Hansen",
}


def seed_steering(engine: Engine) -> None:
    """Write the demo meetings, views, comments, decision and work orders (one transaction)."""
    layout = get_layout(engine)
    data = load_planning_data(engine, layout.code)
    versions = {k: v.id for k, v in active_versions(engine, layout.id).items()}
    level = len(layout.levels) - 1
    u3 = ind.indicator_table(data, ind.INDICATORS["versorgung_u3"], level)
    year = int(u3["year"].max())
    latest = u3[(u3["year"] == year) & u3["value"].notna() & ~u3["suppressed"]]
    kids = ind.indicator_table(data, ind.INDICATORS["kinder_u3"], level)
    kids = kids[kids["year"] == year].set_index("gebiet_id")["value"]
    # The largest gap in places (children × missing quota), not merely the lowest quota of a tiny area.
    gap = (50.0 - latest.set_index("gebiet_id")["value"]) * kids.reindex(latest["gebiet_id"]).to_numpy()
    gid = str(gap.idxmax())
    name = str(data.areas.set_index("gebiet_id").loc[gid, "name"])
    parent = data.areas.set_index("gebiet_id").loc[gid, "parent_gebiet_id"]
    upper = str(parent) if isinstance(parent, str) else ""
    sonnenhang = get_scenario(engine, layout.id, "Grundschule Sonnenhang 2028")
    who = PLANNERS

    def view(
        s: Session, title: str, page: str, state: dict[str, str], scenario: Scenario | None = None
    ) -> sk.View:
        return sk.save_view(
            engine, layout.id, title, page, state, versions, scenario, who["Jugendamt"], session=s
        )

    with session_scope(engine) as s:
        base = {"gebietsstand": layout.code, "ebene": str(level), "jahr": str(year)}
        v_u3 = view(
            s,
            "U3-Versorgung nach Planungsraum",
            "lagebild",
            base | {"kennzahl": "versorgung_u3", "gebiet": gid},
        )
        v_kita = view(
            s,
            "Kita-Platzbilanz 2028 (Basis)",
            "kita",
            base | {"teil": "Bedarfsplanung", "szenario": "Basis", "planjahr": "2028"},
        )
        v_gt = view(
            s,
            "Ganztag: Szenario Grundschule Sonnenhang",
            "schule",
            base | {"ebene": "0", "teil": "Bedarfsplanung", "szenario": sonnenhang.name, "planjahr": "2029"},
            sonnenhang,
        )
        v_armut = view(s, "Kinderarmut nach Planungsraum", "sozialraum", base | {"kennzahl": "kinderarmut"})
        v_profile = view(s, f"Stadtteilprofil {name}", "stadtteilprofil", base | {"gebiet": gid})

        previous = Meeting(
            name="Sitzung September 2026",
            body=BODY,
            date=PREVIOUS_DATE,
            location="Rathaus, Raum 214",
            status="abgeschlossen",
            minutes="Vorstellung der Kita-Bedarfsprognose; Auftrag zur Standortsuche erteilt.",
            created_by=who["Dezernat"],
            updated_by=who["Dezernat"],
        )
        meeting = Meeting(
            name=AGENDA_NAME,
            body=BODY,
            date=MEETING_DATE,
            location="Rathaus, Raum 214",
            status="geplant",
            created_by=who["Dezernat"],
            updated_by=who["Dezernat"],
        )
        s.add_all([previous, meeting])
        s.flush()
        s.add(AgendaItem(meeting_id=previous.id, position=1, title="Kita-Bedarfsprognose", view_id=v_kita.id))
        for pos, (title, v, presenter, note) in enumerate(
            [
                ("U3-Versorgung: wo fehlen Plätze heute?", v_u3, "Jugendamt", "Ampel gegen das Ziel 50 %."),
                ("Kita-Platzbilanz bis 2028", v_kita, "Jugendamt", ""),
                ("Ganztag und neue Grundschule Sonnenhang", v_gt, "Schulamt", "Rechtsanspruch ab 2026/27."),
                ("Kinderarmut und Prävention", v_armut, "Sozialplanung", ""),
                (
                    f"Stadtteilprofil {name}",
                    v_profile,
                    "AG Fachplanung",
                    "Gemeinsame Einschätzung der Fachämter.",
                ),
            ],
            start=1,
        ):
            s.add(
                AgendaItem(
                    meeting_id=meeting.id,
                    position=pos,
                    title=title,
                    view_id=v.id,
                    presenter=presenter,
                    note=note,
                )
            )

        first = sk.add_comment(
            engine,
            layout.id,
            "Die Quote sinkt 2025, weil zwei Träger Gruppen wegen Personalmangels geschlossen haben; "
            "die Plätze sind genehmigt, aber nicht belegbar.",
            "Jugendamt",
            who["Jugendamt"],
            indicator="versorgung_u3",
            session=s,
        )
        sk.add_comment(
            engine,
            layout.id,
            "Die Elternbefragung 2024 bestätigt den Bedarf von rund 50 %; die Lücke ist also echt.",
            "Statistikstelle",
            "M. Weber",
            parent_id=first,
            session=s,
        )
        sk.add_comment(
            engine,
            layout.id,
            f"{name}: niedrigste U3-Versorgung der Stadt; der Neubau an der Bahnhofstraße ist frühestens "
            "2028 fertig. Tagespflege als Zwischenlösung prüfen.",
            "Jugendamt",
            who["Jugendamt"],
            indicator="versorgung_u3",
            gebiet_id=gid,
            session=s,
        )
        sk.add_comment(
            engine,
            layout.id,
            f"In {name} kommen Sprachförderbedarf und hohe Kinderarmut zusammen; Familienzentrum an der "
            "Grundschule wäre ein Ansatzpunkt.",
            "Sozialplanung",
            who["Sozialplanung"],
            gebiet_id=gid,
            session=s,
        )
        decision = sk.add_decision(
            engine,
            f"U3-Ausbau in {name} hat Vorrang",
            f"Der Steuerkreis beauftragt die AG Fachplanung, für {name} bis zur nächsten Sitzung zwei "
            "Standorte für eine viergruppige Kita zu prüfen und die Tagespflege als Zwischenlösung "
            "auszubauen.",
            who["Dezernat"],
            meeting_id=previous.id,
            date=PREVIOUS_DATE,
            status="in Umsetzung",
            view_id=v_u3.id,
            session=s,
        )
        sk.add_work_order(
            engine,
            f"Kita-Standorte in {name} prüfen",
            "AG Fachplanung",
            who["Dezernat"],
            owner=who["Jugendamt"],
            due=dt.date(2026, 12, 31),
            decision_id=decision.id,
            meeting_id=previous.id,
            indicators=("versorgung_u3",),
            description="Zwei Grundstücke mit Stadtplanung bewerten; Kosten und Zeitplan vorlegen.",
            status="in Arbeit",
            session=s,
        )
        sk.add_work_order(
            engine,
            "Raumprogramm Ganztag Grundschule Sonnenhang",
            "Projektgruppe Ganztag",
            who["Dezernat"],
            owner=who["Schulamt"],
            due=dt.date(2026, 11, 15),
            meeting_id=previous.id,
            indicators=("ganztag_quote",),
            session=s,
        )
        done = sk.add_work_order(
            engine,
            "Elternbefragung U3-Bedarf auswerten",
            "Statistikstelle",
            who["Dezernat"],
            owner="M. Weber",
            due=dt.date(2026, 10, 31),
            meeting_id=previous.id,
            indicators=("versorgung_u3",),
            status="erledigt",
            session=s,
        )
        row = s.get(WorkOrder, done.id)
        assert row is not None
        row.done_at = dt.datetime(2026, 10, 20, 9, 0)
        if upper:
            sk.add_comment(
                engine,
                layout.id,
                "Schulentwicklungsplanung: Zügigkeit im Bezirk reicht bis 2029, danach Engpass.",
                "Schulamt",
                who["Schulamt"],
                gebiet_id=upper,
                session=s,
            )
