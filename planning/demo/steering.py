"""The demo city's steering record: the agenda ``Demo-Sitzung`` with saved views, comments of the
departments, a decision of the previous meeting and work orders (open, overdue, done).

Why: a new user opens "Sitzung & Beschlüsse" and sees the whole workflow at once. The district the
comments and the decision talk about is the Planungsraum with the lowest U3 supply in the data, so
the interpretation fits what the map shows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, insert, literal, select
from sqlalchemy.orm import Session

from planning import indicators as ind
from planning import steering as sk
from planning.db import session_scope
from planning.models import AgendaItem, DatasetVersion, Meeting, Population, WorkOrder
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


#: The register extract the September meeting saw: the same city up to 31.12.2024 (2025 arrived
#: in the winter), so "Seit der letzten Sitzung" has a new delivery and figures that moved.
PREVIOUS_POPULATION = ("Einwohnerregister 31.12.2015–31.12.2024 (Demo)", dt.date(2024, 12, 31))
PREVIOUS_IMPORT = dt.datetime(2025, 2, 12, 9, 30)


def _previous_population(s: Session, current: int) -> int:
    """An inactive copy of the population version ``current`` without its last year."""
    v = s.get(DatasetVersion, current)
    assert v is not None
    last = s.scalar(
        select(Population.year)
        .where(Population.dataset_version_id == current)
        .order_by(Population.year.desc())
        .limit(1)
    )
    old = DatasetVersion(
        kind="bevoelkerung",
        layout_id=v.layout_id,
        label=PREVIOUS_POPULATION[0],
        source=v.source,
        licence=v.licence,
        stand=PREVIOUS_POPULATION[1],
        imported_at=PREVIOUS_IMPORT,
        imported_by=v.imported_by,
        is_active=False,
        note="Vorige Lieferung (Demo): Stand der Sitzung im September.",
    )
    s.add(old)
    s.flush()
    cols = ("area_id", "year", "age_from", "age_to", "sex", "count")
    rows = select(literal(old.id), *(getattr(Population, c) for c in cols)).where(
        Population.dataset_version_id == current, Population.year < last
    )
    s.execute(insert(Population).from_select(["dataset_version_id", *cols], rows))
    count = select(func.count()).select_from(Population).where(Population.dataset_version_id == old.id)
    old.row_count = int(s.scalar(count) or 0)
    return old.id


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
        s: Session,
        title: str,
        page: str,
        state: dict[str, str],
        scenario: Scenario | None = None,
        pinned: dict[str, int] | None = None,
    ) -> sk.View:
        return sk.save_view(
            engine, layout.id, title, page, state, pinned or versions, scenario, who["Jugendamt"], session=s
        )

    with session_scope(engine) as s:
        base = {"gebietsstand": layout.code, "ebene": str(level), "jahr": str(year)}
        # What the September meeting looked at: the register up to 2024.
        then = versions | {"bevoelkerung": _previous_population(s, versions["bevoelkerung"])}
        then_base = base | {"jahr": str(year - 1)}
        v_kita_then = view(
            s,
            "Kita-Bedarfsprognose 2028 (September)",
            "kita",
            then_base | {"teil": "Bedarfsplanung", "szenario": "Basis", "planjahr": "2028"},
            pinned=then,
        )
        v_u3_then = view(
            s,
            "U3-Versorgung nach Planungsraum (September)",
            "lagebild",
            then_base | {"kennzahl": "versorgung_u3", "gebiet": gid},
            pinned=then,
        )
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
        s.add(
            AgendaItem(
                meeting_id=previous.id, position=1, title="Kita-Bedarfsprognose", view_id=v_kita_then.id
            )
        )
        s.add(AgendaItem(meeting_id=previous.id, position=2, title="U3-Versorgung", view_id=v_u3_then.id))
        for pos, (title, v, presenter, note, proposal) in enumerate(
            [
                (
                    "U3-Versorgung: wo fehlen Plätze heute?",
                    v_u3,
                    "Jugendamt",
                    "Ampel gegen das Ziel 50 %.",
                    f"Der Steuerkreis nimmt die U3-Versorgung zur Kenntnis und bittet das Jugendamt, "
                    f"für {name} "
                    "bis zur nächsten Sitzung eine Übergangslösung mit Kindertagespflege vorzulegen.",
                ),
                (
                    "Kita-Platzbilanz bis 2028",
                    v_kita,
                    "Jugendamt",
                    "",
                    "Die AG Fachplanung legt für die drei Planungsräume mit dem größten Fehlbedarf 2028 "
                    "Standortvorschläge vor.",
                ),
                (
                    "Ganztag und neue Grundschule Sonnenhang",
                    v_gt,
                    "Schulamt",
                    "Rechtsanspruch ab 2026/27.",
                    "Der Steuerkreis empfiehlt, die Grundschule Sonnenhang mit Ganztagsräumen zu planen.",
                ),
                ("Kinderarmut und Prävention", v_armut, "Sozialplanung", "", ""),
                (
                    f"Stadtteilprofil {name}",
                    v_profile,
                    "AG Fachplanung",
                    "Gemeinsame Einschätzung der Fachämter.",
                    "",
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
                    proposal=proposal,
                    proposal_by=who["Dezernat"] if proposal else None,
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
            year=year,
            versions=versions,
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
            year=year - 1,  # written for the September meeting, on the register up to 2024
            versions=then,
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
