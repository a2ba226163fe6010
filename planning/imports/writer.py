"""Writing a validated table as a new dataset version: all or nothing.

The whole import runs in one transaction: the version record, every row, and the switch of the
active version. Any exception (including a killed process: SQLite and PostgreSQL roll back an
unfinished transaction) leaves the database exactly as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, false, insert, literal, not_, or_, select, update
from sqlalchemy.orm import Session

from planning.db import session_or_scope
from planning.imports.problems import InputFileError, Problem
from planning.imports.validate import Checked
from planning.models import (
    Area,
    AreaLayout,
    Birth,
    DatasetVersion,
    Enrollment,
    HousingDevelopment,
    IndicatorValue,
    Kindertagespflege,
    Kita,
    Population,
    School,
)


@dataclass(frozen=True)
class VersionMeta:
    """What the user states about a delivery (source, licence, Stand) plus who imports it."""

    source: str = "unbekannt"
    licence: str = "unbekannt"
    stand: dt.date | None = None
    label: str | None = None
    imported_by: str = "unbekannt"
    file_name: str | None = None
    file_hash: str | None = None
    note: str | None = None


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_same_file(
    session: Session, layout_id: int | None, kind: str, file_hash: str | None
) -> DatasetVersion | None:
    if not file_hash:
        return None
    return session.scalars(
        select(DatasetVersion)
        .where(
            DatasetVersion.kind == kind,
            DatasetVersion.layout_id == layout_id,
            DatasetVersion.file_hash == file_hash,
        )
        .order_by(DatasetVersion.id.desc())
    ).first()


def _layout(session: Session, code: str | None) -> AreaLayout:
    stmt = select(AreaLayout)
    stmt = stmt.where(AreaLayout.code == code) if code else stmt.where(AreaLayout.is_active.is_(True))
    layout = session.scalars(stmt.order_by(AreaLayout.id)).first()
    if layout is None:
        raise InputFileError(
            Problem(
                "Fehler",
                f"Gebietsstand „{code}“ gibt es nicht."
                if code
                else "Es gibt noch keinen Gebietsstand: bitte zuerst die Gebiete importieren.",
            )
        )
    return layout


def _none(v: Any) -> Any:
    """A plain Python value for the database driver: None for any missing marker, no numpy scalars."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v.item() if isinstance(v, np.generic) else v


def _rows(frame: pd.DataFrame, mapping: dict[str, str]) -> list[dict[str, Any]]:
    cols = list(mapping)
    return [
        {mapping[c]: _none(v) for c, v in zip(cols, rec, strict=True)}
        for rec in frame[cols].itertuples(index=False, name=None)
    ]


def write_checked(
    engine: Engine,
    checked: Checked,
    meta: VersionMeta,
    layout_code: str | None = None,
    allow_same_file: bool = False,
    activate: bool = True,
    session: Session | None = None,
    confirm_shrink: bool = False,
) -> int:
    """Write ``checked`` as a new dataset version; returns its id. Refuses tables with errors.

    A delivery far smaller than the active version it replaces (:mod:`planning.imports.shrink`)
    is refused unless ``confirm_shrink``.
    """
    if not checked.ok:
        raise InputFileError(checked.errors)
    if checked.kind == "gebiete":
        raise ValueError("Gebiete werden mit planning.imports.areas.write_areas importiert.")
    with session_or_scope(engine, session) as s:
        layout = _layout(s, layout_code)
        same = find_same_file(s, layout.id, checked.kind, meta.file_hash)
        if same is not None and not allow_same_file:
            raise InputFileError(
                Problem(
                    "Fehler",
                    f"Diese Datei wurde bereits am {same.imported_at:%d.%m.%Y um %H:%M} importiert "
                    f"(Datenstand Nr. {same.id}, „{same.label}“). Ein erneuter Import ist nicht nötig.",
                    meta.file_name,
                )
            )
        version = DatasetVersion(
            kind=checked.kind,
            layout_id=layout.id,
            label=meta.label or f"{checked.kind} {meta.file_name or ''}".strip(),
            source=meta.source,
            licence=meta.licence,
            stand=meta.stand,
            file_name=meta.file_name,
            file_hash=meta.file_hash,
            row_count=len(checked.frame),
            imported_by=meta.imported_by,
            is_active=False,
            note=meta.note,
        )
        s.add(version)
        s.flush()  # the flush checks the right to import: a reader is refused for that, first
        if activate and not confirm_shrink:
            from planning.imports.shrink import shrinkage

            shrink = shrinkage(s, checked.kind, layout.id, checked.frame)
            if shrink is not None:  # the transaction rolls back: nothing written
                raise InputFileError(shrink.problem(meta.file_name, "Fehler"))
        rows = s.execute(select(Area.gebiet_id, Area.id).where(Area.layout_id == layout.id)).all()
        area_ids = {gebiet_id: area_id for gebiet_id, area_id in rows}
        frame = (
            checked.frame.assign(area_id=checked.frame["gebiet_id"].map(area_ids))
            if "gebiet_id" in checked.frame.columns
            else checked.frame
        )
        _WRITERS[checked.kind](s, version.id, frame, layout.id)
        if activate:
            activate_version(s, version)
        return version.id


def activate_version(session: Session, version: DatasetVersion) -> None:
    """Make ``version`` the active one of its kind and layout; older versions stay readable."""
    session.execute(
        update(DatasetVersion)
        .where(
            DatasetVersion.kind == version.kind,
            DatasetVersion.layout_id == version.layout_id,
            DatasetVersion.id != version.id,
        )
        .values(is_active=False)
    )
    version.is_active = True


#: The rows each kind writes: its model and file column → model column (the version id is added).
_COLUMNS: dict[str, tuple[Any, dict[str, str]]] = {
    "bevoelkerung": (
        Population,
        {
            "area_id": "area_id",
            "jahr": "year",
            "age_from": "age_from",
            "age_to": "age_to",
            "geschlecht": "sex",
            "anzahl": "count",
        },
    ),
    "geburten": (Birth, {"area_id": "area_id", "jahr": "year", "anzahl": "count"}),
    "kitas": (
        Kita,
        {
            "kita_id": "kita_id",
            "name": "name",
            "traeger": "traeger",
            "area_id": "area_id",
            "lon": "lon",
            "lat": "lat",
            "plaetze_gesamt": "places_total",
            "plaetze_u3": "places_u3",
            "plaetze_ue3": "places_ue3",
            "status": "status",
            "eroeffnung_jahr": "opening_year",
            "schliessung_jahr": "closing_year",
        },
    ),
    "kindertagespflege": (Kindertagespflege, {"area_id": "area_id", "jahr": "year", "plaetze": "places"}),
    "schulen": (
        School,
        {
            "schul_id": "schul_id",
            "name": "name",
            "schulart": "schulart",
            "area_id": "area_id",
            "lon": "lon",
            "lat": "lat",
            "zuege": "zuege",
            "ganztag_plaetze": "ganztag_places",
        },
    ),
    "schueler": (
        Enrollment,
        {
            "school_id": "school_id",
            "schuljahr": "school_year",
            "klassenstufe": "grade",
            "schueler": "pupils",
            "klassen": "classes",
        },
    ),
    "kennzahlen": (
        IndicatorValue,
        {
            "area_id": "area_id",
            "jahr": "year",
            "kennzahl": "code",
            "wert": "value",
            "zaehler": "numerator",
            "nenner": "denominator",
        },
    ),
    "wohnbau": (
        HousingDevelopment,
        {
            "projekt_id": "projekt_id",
            "name": "name",
            "area_id": "area_id",
            "wohneinheiten": "units",
            "fertigstellung_jahr": "completion_year",
        },
    ),
}


def _insert(s: Session, kind: str, f: pd.DataFrame, vid: int) -> None:
    """The rows of ``f`` into the kind's table (:data:`_COLUMNS`) as version ``vid``."""
    model, columns = _COLUMNS[kind]
    s.execute(insert(model), _rows(f.assign(_v=vid), {"_v": "dataset_version_id", **columns}))


def _plain(kind: str) -> Any:
    """The writer of a kind whose file rows are the table's rows."""

    def write(s: Session, vid: int, f: pd.DataFrame, _layout_id: int) -> None:
        _insert(s, kind, f, vid)

    return write


def _kitas(s: Session, vid: int, f: pd.DataFrame, _layout_id: int) -> None:
    status = [
        "geschlossen"
        if not pd.isna(c) and c <= dt.date.today().year
        else ("geplant" if not pd.isna(o) and o > dt.date.today().year else "in Betrieb")
        for o, c in zip(f["eroeffnung_jahr"], f["schliessung_jahr"], strict=True)
    ]
    _insert(s, "kitas", f.assign(status=status), vid)


def _enrollment(s: Session, vid: int, f: pd.DataFrame, layout_id: int) -> None:
    active = s.scalars(
        select(DatasetVersion.id).where(
            DatasetVersion.kind == "schulen",
            DatasetVersion.layout_id == layout_id,
            DatasetVersion.is_active.is_(True),
        )
    ).first()
    rows = s.execute(select(School.schul_id, School.id).where(School.dataset_version_id == active)).all()
    ids = {schul_id: school_pk for schul_id, school_pk in rows}
    # grade 0 = all grades together (statistics with only one total per school)
    grade = f["klassenstufe"].fillna(0).astype(int)
    _insert(s, "schueler", f.assign(school_id=f["schul_id"].map(ids), klassenstufe=grade), vid)


def _indicators(s: Session, vid: int, f: pd.DataFrame, layout_id: int) -> None:
    """Indicator values of the file; values of *other* indicators carry over from the active version.

    Why: indicators arrive from different offices (Jugendamt: HzE; Jobcenter: SGB II; Schulamt:
    school leavers). A delivery of one indicator must not make all others disappear; the new
    version is the previous one with the delivered indicators replaced. The version's note says
    what was carried over.
    """
    previous = s.scalars(
        select(DatasetVersion).where(
            DatasetVersion.kind == "kennzahlen",
            DatasetVersion.layout_id == layout_id,
            DatasetVersion.is_active.is_(True),
            DatasetVersion.id != vid,
        )
    ).first()
    if previous is not None:
        years = f.dropna(subset=["kennzahl"]).groupby("kennzahl")["jahr"].unique()
        delivered = sorted(str(c) for c in years.index)
        replaced = or_(
            false(),
            *[
                and_(IndicatorValue.code == str(code), IndicatorValue.year.in_([int(y) for y in ys]))
                for code, ys in years.items()
            ],
        )
        cols = ["area_id", "year", "code", "value", "numerator", "denominator"]
        keep = select(
            literal(vid).label("dataset_version_id"), *[getattr(IndicatorValue, c) for c in cols]
        ).where(IndicatorValue.dataset_version_id == previous.id, not_(replaced))
        result = s.execute(insert(IndicatorValue).from_select(["dataset_version_id", *cols], keep))
        carried = int(getattr(result, "rowcount", 0) or 0)
        if carried:
            codes = s.scalars(
                select(IndicatorValue.code)
                .where(IndicatorValue.dataset_version_id == vid)
                .distinct()
                .order_by(IndicatorValue.code)
            ).all()
            version = s.get(DatasetVersion, vid)
            if version is not None:
                version.note = (
                    (version.note + " " if version.note else "")
                    + f"Übernommen aus Datenstand Nr. {previous.id}: {carried} Werte (Kennzahlen "
                    + ", ".join(codes)
                    + f"), ersetzt: {', '.join(delivered)} in den gelieferten Jahren."
                ).strip()
    _insert(s, "kennzahlen", f, vid)


_WRITERS = {
    "bevoelkerung": _plain("bevoelkerung"),
    "geburten": _plain("geburten"),
    "kitas": _kitas,
    "kindertagespflege": _plain("kindertagespflege"),
    "schulen": _plain("schulen"),
    "schueler": _enrollment,
    "kennzahlen": _indicators,
    "wohnbau": _plain("wohnbau"),
}
