"""Deliveries that shrink are held back: far fewer rows or areas than the version they replace.

A Kita list with 1 row replacing 90 Kitas, or a population file with 12 rows replacing 7,392, is
almost always a wrong export (one sheet, a filter left on), not a city that lost its Kitas. Such an
import needs an explicit confirmation (Daten › Import: a checkbox; CLI: ``--bestaetigen``); the
previous version stays and can be made active again in one step.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from planning.db import session_scope
from planning.formatting import number
from planning.imports.problems import Problem
from planning.imports.validate import Checked
from planning.models import FACT_MODELS, AreaLayout, DatasetVersion, IndicatorValue

#: A delivery with fewer than this share of the active version's rows or areas is held back.
RATIO = 0.5
CONFIRM_HINT = (
    "Wenn das so gewollt ist: in der App „Ja, ersetzen“ ankreuzen, "
    "auf der Kommandozeile --bestaetigen angeben."
)


@dataclass(frozen=True)
class Shrink:
    kind: str
    version_id: int
    label: str
    old_rows: int
    new_rows: int
    old_areas: int
    new_areas: int

    def message(self) -> str:
        what = []
        if self.new_rows < RATIO * self.old_rows:
            what.append(f"{_de(self.new_rows)} statt {_de(self.old_rows)} Zeilen")
        if self.new_areas < RATIO * self.old_areas:
            unit = "Schulen" if self.kind == "schueler" else "Gebiete"
            what.append(f"{_de(self.new_areas)} statt {_de(self.old_areas)} {unit}")
        return (
            f"Die Lieferung ist viel kleiner als der aktive Datenstand Nr. {self.version_id} "
            f"(„{self.label}“), den sie ersetzen würde: {' und '.join(what)} (weniger als die Hälfte). "
            f"Der bisherige Datenstand bleibt erhalten und kann unter Daten › Datenstände wieder aktiv "
            f"gesetzt werden (python -m planning activate {self.version_id})."
        )

    def problem(self, file_name: str | None, severity: str = "Warnung") -> Problem:
        return Problem(severity, f"{self.message()} {CONFIRM_HINT}", file_name)  # type: ignore[arg-type]


def _de(n: int) -> str:
    return number(n)


def delivery_shrink(engine: Engine, checked: Checked, layout_code: str | None = None) -> Shrink | None:
    """:func:`shrinkage` for the check (before anything is written); None without a layout."""
    with session_scope(engine) as s:
        stmt = select(AreaLayout.id)
        stmt = (
            stmt.where(AreaLayout.code == layout_code)
            if layout_code
            else stmt.where(AreaLayout.is_active.is_(True))
        )
        layout_id = s.scalars(stmt.order_by(AreaLayout.id)).first()
        if layout_id is None or checked.frame.empty:
            return None
        return shrinkage(s, checked.kind, layout_id, checked.frame)


def shrinkage(session: Session, kind: str, layout_id: int, frame: pd.DataFrame) -> Shrink | None:
    """The shrink of ``frame`` against the active version of ``kind``, or None if it is not held back.

    Kennzahlen replace only the delivered indicators in the delivered years (the others carry over),
    so only those are compared.
    """
    table = FACT_MODELS.get(kind)
    if table is None:
        return None
    active = session.scalars(
        select(DatasetVersion).where(
            DatasetVersion.kind == kind,
            DatasetVersion.layout_id == layout_id,
            DatasetVersion.is_active.is_(True),
        )
    ).first()
    if active is None:
        return None
    where = table.dataset_version_id == active.id
    if kind == "kennzahlen":
        pairs = frame.dropna(subset=["kennzahl", "jahr"])[["kennzahl", "jahr"]].drop_duplicates()
        if pairs.empty:
            return None
        where = and_(
            where,
            or_(
                *[
                    and_(IndicatorValue.code == str(c), IndicatorValue.year == int(y))
                    for c, y in pairs.itertuples(index=False)
                ]
            ),
        )
    area_col = table.school_id if kind == "schueler" else table.area_id
    old_rows, old_areas = session.execute(
        select(func.count(), func.count(area_col.distinct())).select_from(table).where(where)
    ).one()
    new_key = "schul_id" if kind == "schueler" else "gebiet_id"
    new_rows = len(frame)
    new_areas = int(frame[new_key].nunique()) if new_key in frame.columns else 0
    rows_shrink = old_rows > 1 and new_rows < RATIO * old_rows
    areas_shrink = old_areas > 1 and new_areas < RATIO * old_areas
    if not (rows_shrink or areas_shrink):
        return None
    return Shrink(kind, active.id, active.label, int(old_rows), new_rows, int(old_areas), new_areas)
