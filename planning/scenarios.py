"""Planning scenarios: a named set of parameter changes and measures, stored in the database.

A scenario answers "what if …?": the new Kita with 90 places in area X from 2027, one more Zug at
a primary school, a housing development two years later, a raised U3 quota. The baseline
(:data:`BASELINE`, "Basis") is the parameter registry's defaults without measures; it is not stored
and always exists. Scenarios belong to an area layout, because measures name its areas.

Saving checks ``revision``: if someone else saved the same scenario meanwhile, the save is refused
with a German message instead of silently overwriting their work.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, select

from planning.db import compare_and_set, concurrent_edit_message, session_scope
from planning.formatting import local_stamp
from planning.models import Scenario as ScenarioRow
from planning.models import utcnow
from planning.parameters import format_parameter, get_parameter, resolve

BASELINE_NAME = "Basis"

#: Measure kinds with their German labels (the Szenarien page and the scenario summary use them).
MEASURE_KINDS: dict[str, str] = {
    "kita_plaetze": "Kita-Plätze ändern (Neubau, Erweiterung, Schließung)",
    "schule_zuege": "Zügigkeit der Grundschulen ändern",
    "ganztag_plaetze": "Ganztagsplätze ändern",
    "wohnbau_verschieben": "Wohnbauprojekt verschieben",
    "wohnbau_neu": "Wohnbauprojekt hinzufügen",
}


class ScenarioError(ValueError):
    """A scenario cannot be saved or used; the message is German and names the cause."""


@dataclass(frozen=True)
class Measure:
    """One measure of a scenario. Which fields count depends on ``kind``:

    - ``kita_plaetze``: ``gebiet_id``, ``year`` (first Kita year), ``u3``, ``ue3`` (negative = fewer)
    - ``schule_zuege``: ``gebiet_id``, ``year`` (first school year), ``zuege`` (per grade)
    - ``ganztag_plaetze``: ``gebiet_id``, ``year``, ``places``
    - ``wohnbau_verschieben``: ``projekt_id``, ``delay`` (years; negative = earlier)
    - ``wohnbau_neu``: ``gebiet_id``, ``year`` (completion), ``units``
    """

    kind: str
    gebiet_id: str | None = None
    year: int | None = None
    u3: int = 0
    ue3: int = 0
    zuege: float = 0.0
    places: int = 0
    projekt_id: str | None = None
    delay: int = 0
    units: int = 0
    note: str = ""

    def validate(self, area_ids: set[str] | None = None, projects: set[str] | None = None) -> Measure:
        where = f"Maßnahme „{MEASURE_KINDS.get(self.kind, self.kind)}“"
        if self.kind not in MEASURE_KINDS:
            raise ScenarioError(f"Unbekannte Maßnahme „{self.kind}“. Möglich: {', '.join(MEASURE_KINDS)}.")
        if self.kind == "wohnbau_verschieben":
            if not self.projekt_id:
                raise ScenarioError(f"{where}: welches Wohnbauprojekt? (Projekt-ID fehlt)")
            if projects is not None and self.projekt_id not in projects:
                raise ScenarioError(f"{where}: Wohnbauprojekt „{self.projekt_id}“ gibt es nicht.")
            if self.delay == 0:
                raise ScenarioError(f"{where}: um wie viele Jahre? (0 ändert nichts)")
            return self
        if not self.gebiet_id:
            raise ScenarioError(f"{where}: in welchem Gebiet? (Gebiets-ID fehlt)")
        if area_ids is not None and self.gebiet_id not in area_ids:
            raise ScenarioError(f"{where}: Gebiet „{self.gebiet_id}“ gibt es im Gebietsstand nicht.")
        if self.year is None or not 1990 <= int(self.year) <= 2100:
            raise ScenarioError(f"{where}: ab welchem Jahr? (Jahr fehlt oder ist unplausibel: {self.year})")
        changes = {
            "kita_plaetze": self.u3 != 0 or self.ue3 != 0,
            "schule_zuege": self.zuege != 0,
            "ganztag_plaetze": self.places != 0,
            "wohnbau_neu": self.units > 0,
        }
        if not changes[self.kind]:
            raise ScenarioError(f"{where} in {self.gebiet_id}: die Anzahl fehlt (0 ändert nichts).")
        return self

    def describe(self) -> str:
        """One German line, e.g. ``Kita-Plätze in 0305 ab 2027: +30 U3, +60 Ü3``."""
        if self.kind == "wohnbau_verschieben":
            sign = "später" if self.delay > 0 else "früher"
            return f"Wohnbauprojekt {self.projekt_id} {abs(self.delay)} Jahr(e) {sign}"
        if self.kind == "kita_plaetze":
            what = f"{self.u3:+d} U3, {self.ue3:+d} Ü3"
            return f"Kita-Plätze in {self.gebiet_id} ab {self.year}: {what}"
        if self.kind == "schule_zuege":
            return f"Grundschul-Züge in {self.gebiet_id} ab Schuljahr {self.year}: {self.zuege:+g}".replace(
                ".", ","
            )
        if self.kind == "ganztag_plaetze":
            return f"Ganztagsplätze in {self.gebiet_id} ab Schuljahr {self.year}: {self.places:+d}"
        return f"Wohnbau in {self.gebiet_id} ab {self.year}: {self.units} Wohnungen"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    measures: tuple[Measure, ...] = ()
    id: int | None = None
    revision: int = 0
    updated_by: str = ""

    def describe_changes(self) -> list[str]:
        """German lines for the parameter changes and measures, e.g. for captions and exports."""
        lines = []
        for key, value in self.params.items():
            p = get_parameter(key)
            lines.append(
                f"{p.label}: {format_parameter(p, value)} (Standard {format_parameter(p, p.default)})"
            )
        return lines + [m.describe() for m in self.measures]

    def resolved_params(self) -> dict[str, Any]:
        try:
            return resolve(self.params)
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"Szenario „{self.name}“: {exc.args[0]}") from None


BASELINE = Scenario(
    name=BASELINE_NAME, description="Standardannahmen des Parameterregisters, keine Maßnahmen."
)


def _from_row(row: ScenarioRow) -> Scenario:
    measures = tuple(Measure(**m) for m in json.loads(row.measures_json or "[]"))
    return Scenario(
        name=row.name,
        description=row.description,
        params=json.loads(row.params_json or "{}"),
        measures=measures,
        id=row.id,
        revision=row.revision,
        updated_by=row.updated_by,
    )


def list_scenarios(engine: Engine, layout_id: int) -> list[Scenario]:
    """The baseline first, then the stored scenarios of the layout by name."""
    with session_scope(engine) as s:
        rows = s.scalars(
            select(ScenarioRow).where(ScenarioRow.layout_id == layout_id).order_by(ScenarioRow.name)
        ).all()
        return [BASELINE, *(_from_row(r) for r in rows)]


def get_scenario(engine: Engine, layout_id: int, name: str | None) -> Scenario:
    """The scenario called ``name`` (None or "Basis" = baseline); German error if unknown."""
    if not name or name == BASELINE_NAME:
        return BASELINE
    for sc in list_scenarios(engine, layout_id):
        if sc.name == name:
            return sc
    known = ", ".join(sc.name for sc in list_scenarios(engine, layout_id))
    raise ScenarioError(f"Szenario „{name}“ gibt es nicht. Vorhanden: {known}.")


def save_scenario(
    engine: Engine,
    layout_id: int,
    scenario: Scenario,
    user: str = "unbekannt",
    area_ids: set[str] | None = None,
    projects: set[str] | None = None,
) -> Scenario:
    """Insert or update (by name) and return the stored scenario with its new revision.

    ``scenario.revision`` must equal the stored revision (0 for a new one); otherwise someone else
    saved in between and a :class:`ScenarioError` says so. Parameters and measures are validated.
    """
    name = scenario.name.strip()
    if not name:
        raise ScenarioError("Das Szenario braucht einen Namen.")
    if name == BASELINE_NAME:
        raise ScenarioError(
            f"„{BASELINE_NAME}“ ist das feste Basisszenario; bitte einen anderen Namen wählen."
        )
    scenario = replace(scenario, name=name)
    scenario.resolved_params()  # validates
    measures = [m.validate(area_ids, projects) for m in scenario.measures]
    with (
        compare_and_set(lambda: ScenarioError(concurrent_edit_message(f"Szenario „{name}“")), creating=True),
        session_scope(engine) as s,
    ):
        row = s.scalars(
            select(ScenarioRow).where(ScenarioRow.layout_id == layout_id, ScenarioRow.name == name)
        ).one_or_none()
        if row is None:
            if scenario.revision:
                raise ScenarioError(f"Szenario „{name}“ wurde inzwischen gelöscht oder umbenannt.")
            row = ScenarioRow(layout_id=layout_id, name=name, created_by=user, revision=0)
            s.add(row)
        elif row.revision != scenario.revision:
            raise ScenarioError(
                f"Szenario „{name}“ wurde inzwischen von {row.updated_by} geändert "
                f"(Stand {local_stamp(row.updated_at)} Uhr). Bitte neu laden; Ihre Änderungen "
                "sind nicht gespeichert."
            )
        row.description = scenario.description
        row.params_json = json.dumps(scenario.params, ensure_ascii=False, sort_keys=True)
        row.measures_json = json.dumps([asdict(m) for m in measures], ensure_ascii=False)
        row.updated_at = utcnow()
        row.updated_by = user
        row.revision = row.revision + 1
        s.flush()
        return _from_row(row)


def delete_scenario(engine: Engine, layout_id: int, name: str) -> None:
    with (
        compare_and_set(lambda: ScenarioError(concurrent_edit_message(f"Szenario „{name}“"))),
        session_scope(engine) as s,
    ):
        row = s.scalars(
            select(ScenarioRow).where(ScenarioRow.layout_id == layout_id, ScenarioRow.name == name)
        ).one_or_none()
        if row is None:
            raise ScenarioError(f"Szenario „{name}“ gibt es nicht.")
        s.delete(row)
