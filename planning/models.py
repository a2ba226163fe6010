"""Database schema of Planungsatlas (SQLAlchemy 2 ORM).

Every fact row points to the :class:`DatasetVersion` it was imported with, so a figure shown at a
past Steuerkreis can be reproduced after newer data arrived. Areas belong to an :class:`AreaLayout`
(Gebietsstand): a municipality that re-cuts its districts gets a new layout, old data stays tied to
the old one.

Geometries are stored as WKB in the layout's metric CRS (``AreaLayout.epsg``, e.g. EPSG:25832).
SQLite in this Python cannot load SpatiaLite, and WKB is exact and fast; on PostgreSQL the same
column is plain ``bytea`` so one Alembic history serves both back ends.

Conventions: external IDs (``gebiet_id``, ``kita_id``, ``schul_id``) are strings and keep leading
zeros. Counts are nullable: NULL means *missing*, never zero.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def compare_and_set(revision: Any) -> dict[str, Any]:
    """Mapper arguments of an editable object: every UPDATE/DELETE carries ``WHERE revision =
    :seen`` and the ORM checks the rows affected (``StaleDataError`` when another process saved
    first). The code counts ``revision`` itself (no generator), so a save is one atomic
    compare-and-set statement instead of a read-then-write race."""
    return {"version_id_col": revision, "version_id_generator": False}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Data kinds; the same words are the CLI's KIND names and the import templates' names.
DATA_KINDS: tuple[str, ...] = (
    "gebiete",
    "bevoelkerung",
    "geburten",
    "kitas",
    "kindertagespflege",
    "schulen",
    "schueler",
    "kennzahlen",
    "wohnbau",
)
#: German names of the data kinds (source footers in the app and in the decision paper).
KIND_LABELS: dict[str, str] = {
    "gebiete": "Gebiete",
    "bevoelkerung": "Bevölkerung",
    "geburten": "Geburten",
    "kitas": "Kitas",
    "kindertagespflege": "Kindertagespflege",
    "schulen": "Schulen",
    "schueler": "Schüler:innen",
    "kennzahlen": "Kennzahlen",
    "wohnbau": "Wohnungsbau",
}


class DatasetVersion(Base):
    """One import of one data kind: where it came from, its Stand, and whether it is active.

    Exactly one version per (kind, layout) is active; older ones stay readable.
    """

    __tablename__ = "dataset_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    layout_id: Mapped[int | None] = mapped_column(ForeignKey("area_layout.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))
    stand: Mapped[dt.date | None] = mapped_column(Date)
    file_name: Mapped[str | None] = mapped_column(String(500))
    file_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(120), default="system")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_dataset_version_kind_layout_active", "kind", "layout_id", "is_active"),)


class AreaLayout(Base):
    """A Gebietsstand: one cut of the municipality into areas, with its level names."""

    __tablename__ = "area_layout"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))
    epsg: Mapped[int] = mapped_column(Integer)
    stand: Mapped[dt.date | None] = mapped_column(Date)
    #: Level names from top to bottom, separated by "|", e.g. "Stadtbezirk|Planungsraum".
    level_names: Mapped[str] = mapped_column(String(200), default="Planungsraum")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    areas: Mapped[list[Area]] = relationship(back_populates="layout", cascade="all, delete-orphan")

    @property
    def levels(self) -> list[str]:
        return self.level_names.split("|")


class Area(Base):
    """A district (Planungsraum, Stadtteil, Bezirk ...) with geometry and parent."""

    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("area_layout.id", ondelete="CASCADE"), index=True)
    gebiet_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    #: 0 = top level; the lowest level carries the data.
    level: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    geom_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)
    area_m2: Mapped[float | None] = mapped_column(Float)

    layout: Mapped[AreaLayout] = relationship(back_populates="areas")

    __table_args__ = (UniqueConstraint("layout_id", "gebiet_id"),)


class Population(Base):
    """Residents of an area in a year, by age (single year or band) and optionally sex.

    ``age_from``/``age_to`` are inclusive; ``age_to`` NULL means open-ended ("18+").
    The total of an area is the band (0, NULL). ``sex`` NULL means all sexes.
    """

    __tablename__ = "population"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    age_from: Mapped[int] = mapped_column(Integer)
    age_to: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(1))
    count: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_population_area_year", "area_id", "year"),)


class Birth(Base):
    __tablename__ = "birth"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    count: Mapped[int | None] = mapped_column(Integer)


class Kita(Base):
    """A Kindertageseinrichtung with approved places (Betriebserlaubnis)."""

    __tablename__ = "kita"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    kita_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    traeger: Mapped[str | None] = mapped_column(String(300))
    traeger_art: Mapped[str | None] = mapped_column(String(60))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    places_total: Mapped[int | None] = mapped_column(Integer)
    places_u3: Mapped[int | None] = mapped_column(Integer)
    places_ue3: Mapped[int | None] = mapped_column(Integer)
    #: "in Betrieb", "geplant", "geschlossen"
    status: Mapped[str] = mapped_column(String(20), default="in Betrieb")
    opening_year: Mapped[int | None] = mapped_column(Integer)
    closing_year: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("dataset_version_id", "kita_id"),)


class Kindertagespflege(Base):
    """Places in Kindertagespflege (childminders) per area and year, mostly for under-threes."""

    __tablename__ = "kindertagespflege"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    places: Mapped[int | None] = mapped_column(Integer)


class School(Base):
    """A school with its capacity in Züge and classrooms, and Ganztag places."""

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    schul_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    #: Grundschule, Gemeinschaftsschule, Gymnasium, Förderschule, ...
    schulart: Mapped[str] = mapped_column(String(80))
    traeger: Mapped[str | None] = mapped_column(String(120))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    zuege: Mapped[float | None] = mapped_column(Float)
    classrooms: Mapped[int | None] = mapped_column(Integer)
    ganztag_places: Mapped[int | None] = mapped_column(Integer)
    #: offen, gebunden, teilgebunden, Hort, or NULL
    ganztag_form: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("dataset_version_id", "schul_id"),)


class Enrollment(Base):
    """Pupils and classes of a school by school year and grade (Klassenstufe)."""

    __tablename__ = "enrollment"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    #: Year in which the school year starts: 2025 for "2025/26".
    school_year: Mapped[int] = mapped_column(Integer)
    #: Klassenstufe 1–13; 0 = all grades together (statistics with one total per school).
    grade: Mapped[int] = mapped_column(Integer)
    pupils: Mapped[int | None] = mapped_column(Integer)
    classes: Mapped[int | None] = mapped_column(Integer)


class IndicatorValue(Base):
    """A value of an imported indicator (Kennzahl) per area and year.

    For rates, ``numerator`` and ``denominator`` are kept so that values can be aggregated to upper
    levels and small numbers can be suppressed.
    """

    __tablename__ = "indicator_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_indicator_value_code_year", "code", "year"),)


class HousingDevelopment(Base):
    """A housing development (Neubaugebiet) whose units bring children in their completion years."""

    __tablename__ = "housing_development"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_version.id", ondelete="CASCADE"), index=True
    )
    projekt_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    units: Mapped[int] = mapped_column(Integer)
    #: First year of completion; units are spread evenly up to ``completion_year_end``.
    completion_year: Mapped[int] = mapped_column(Integer)
    completion_year_end: Mapped[int | None] = mapped_column(Integer)
    #: geplant, im Bau, fertig
    status: Mapped[str] = mapped_column(String(20), default="geplant")


#: The model of each data kind's rows (every kind of :data:`DATA_KINDS` but "gebiete", whose rows are
#: :class:`Area`): imports, the demo, the audit check and the repository look them up here.
FACT_MODELS: dict[str, Any] = {
    "bevoelkerung": Population,
    "geburten": Birth,
    "kitas": Kita,
    "kindertagespflege": Kindertagespflege,
    "schulen": School,
    "schueler": Enrollment,
    "kennzahlen": IndicatorValue,
    "wohnbau": HousingDevelopment,
}


class MappingProfile(Base):
    """A saved column mapping (source column → canonical field) for one data kind and office.

    Next year's file of the same office imports in one step with ``--mapping NAME``.
    """

    __tablename__ = "mapping_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: JSON object {"source column": "field"}.
    mapping_json: Mapped[str] = mapped_column(Text)
    #: Defaults for the dataset version (JSON: source, licence, sheet …).
    options_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="unbekannt")


class Scenario(Base):
    """A named planning scenario: parameter changes against the registry defaults plus measures.

    The baseline ("Basis") is not stored: it is the registry defaults without measures and always
    exists. ``revision`` counts saves, so a later save can detect a parallel edit.
    """

    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("area_layout.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    #: JSON object {parameter key: value} — only the changes against the defaults.
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    #: JSON list of measures (see planning.scenarios.Measure).
    measures_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)

    __table_args__ = (UniqueConstraint("layout_id", "name"),)


class IndicatorDefinition(Base):
    """An indicator a planner added in the app, beside the built-in registry (values: Kennzahlen import).

    Its values arrive through the ``kennzahlen`` import under ``code`` with numerator and denominator,
    exactly like the built-in imported indicators; ``min_count``/``min_denominator`` are its
    small-number thresholds when ``sensitive``.
    """

    __tablename__ = "indicator_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    label_de: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    domain: Mapped[str] = mapped_column(String(40))
    help_de: Mapped[str] = mapped_column(Text, default="")
    numerator_de: Mapped[str] = mapped_column(Text, default="")
    denominator_de: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str] = mapped_column(String(120), default="")
    #: +1 higher is better, -1 higher is worse, 0 neutral.
    polarity: Mapped[int] = mapped_column(Integer, default=0)
    #: value = scale × numerator ÷ denominator; NULL for a count.
    scale: Mapped[float | None] = mapped_column(Float)
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    min_count: Mapped[int] = mapped_column(Integer, default=3)
    min_denominator: Mapped[float] = mapped_column(Float, default=100.0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)


class IndicatorTarget(Base):
    """The agreed target (Zielwert) of one indicator with its tolerance band, for the traffic lights."""

    __tablename__ = "indicator_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    target: Mapped[float] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    #: Why this target (decision, law, council paper).
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)


class IndicatorSet(Base):
    """A named indicator set (Kennzahlenset) of one theme with its owner, as a steering body uses it."""

    __tablename__ = "indicator_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    theme: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    #: JSON list of indicator codes, in display order.
    codes_json: Mapped[str] = mapped_column(Text, default="[]")
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)


# ----------------------------------------------------------------- steering (Steuerkreis)


class SavedView(Base):
    """A frozen view (snapshot): page, its filters, the dataset versions and the scenario it used.

    Reopening it shows the same figures after newer data arrived: the versions are pinned by id and
    the scenario's parameters and measures are copied, not referenced.
    """

    __tablename__ = "saved_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("area_layout.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The page's URL path, e.g. "kita", "stadtteilprofil".
    page: Mapped[str] = mapped_column(String(80))
    #: JSON object of the shared URL parameters (ebene, jahr, kennzahl, gebiet, szenario …).
    state_json: Mapped[str] = mapped_column(Text, default="{}")
    #: JSON object {data kind: dataset version id} in use when the view was saved.
    versions_json: Mapped[str] = mapped_column(Text, default="{}")
    #: JSON of the scenario (name, description, params, measures, revision); NULL without one.
    scenario_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="unbekannt")


class Meeting(Base):
    """A Steuerkreis meeting; its ``name`` is the agenda's name (``paper --agenda NAME``)."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    body: Mapped[str] = mapped_column(String(200), default="Steuerkreis")
    date: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")
    #: "geplant", "laufend", "abgeschlossen".
    status: Mapped[str] = mapped_column(String(20), default="geplant")
    #: Free minutes text (Protokollnotizen) beside the recorded items.
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)


class AgendaItem(Base):
    """A point of the agenda (TOP): a saved view to show, with a note and the time it was shown."""

    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    presenter: Mapped[str] = mapped_column(String(200), default="")
    view_id: Mapped[int | None] = mapped_column(ForeignKey("saved_view.id", ondelete="SET NULL"))
    #: First time the item was shown in meeting mode (the minutes list what was shown).
    shown_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Beschlussvorschlag prepared before the meeting; recording the decision starts from it.
    proposal: Mapped[str] = mapped_column(Text, default="", server_default="")
    proposal_by: Mapped[str | None] = mapped_column(String(120))
    proposal_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Counts edits of the proposal (two people preparing it never overwrite each other).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = compare_and_set(revision)


class Comment(Base):
    """An interpretation on an indicator, a district or a district × indicator, by department.

    ``parent_id`` makes a thread (replies); a thread is resolved as a whole on its first comment.
    """

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("area_layout.id", ondelete="CASCADE"), index=True)
    indicator_code: Mapped[str | None] = mapped_column(String(64), index=True)
    gebiet_id: Mapped[str | None] = mapped_column(String(40), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    department: Mapped[str] = mapped_column(String(120))
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    #: The year and the dataset versions ({kind: id}) on screen when the comment was made: a
    #: comment about 33 % in 2024 must not read as one about the 38 % of 2025.
    year: Mapped[int | None] = mapped_column(Integer)
    versions_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Counts resolve/reopen on the thread's first comment (a parallel toggle is refused).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = compare_and_set(revision)


class Decision(Base):
    """A Beschluss of a meeting with the snapshot of the view it was based on."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    #: "beschlossen", "vertagt", "abgelehnt", "in Umsetzung", "umgesetzt".
    status: Mapped[str] = mapped_column(String(20), default="beschlossen")
    view_id: Mapped[int | None] = mapped_column(ForeignKey("saved_view.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)


class WorkOrder(Base):
    """An Arbeitsauftrag to a group (AG Fachplanung, project group, department) with owner and due date."""

    __tablename__ = "work_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    group: Mapped[str] = mapped_column(String(160))
    owner: Mapped[str] = mapped_column(String(160), default="")
    due: Mapped[dt.date | None] = mapped_column(Date)
    #: "offen", "in Arbeit", "erledigt", "zurückgestellt".
    status: Mapped[str] = mapped_column(String(20), default="offen")
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    #: JSON list of indicator codes the order is about.
    indicators_json: Mapped[str] = mapped_column(Text, default="[]")
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="unbekannt")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)


class AppUser(Base):
    """A person of the built-in user store (installations without an identity provider).

    ``password_hash`` is bcrypt; ``role`` one of :data:`planning.auth.ROLES`; ``department`` names
    the Fachplanung's department (empty: not bound to one). Users are disabled, never deleted, so
    the audit trail keeps naming them.
    """

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Demo accounts of the demo city: their (known) password is shown on the sign-in page.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = compare_and_set(revision)
    #: Counted up by "Abmelden" and by disabling the user: sign-in cookies of an older generation
    #: (also copied ones) no longer sign in.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AuditEvent(Base):
    """One write: who, when, what, before and after (JSON objects of the changed columns).

    Written by :mod:`planning.audit` in the same transaction as the change itself; the ORM refuses
    to change or delete an event once written.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    actor_name: Mapped[str] = mapped_column(String(160))
    role: Mapped[str] = mapped_column(String(20))
    #: "angelegt", "geändert", "gelöscht", "importiert", "aktiviert", "deaktiviert".
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(40), index=True)
    object_id: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    #: Hash chain (planning.audit.chain_hash): the previous event's row_hash and this event's
    #: SHA-256 over that and its content; a change anywhere breaks the chain from there on.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))
