"""The indicator registry (Kennzahlen) and how each indicator is computed per area and year.

Every indicator yields a long table ``gebiet_id, year, numerator, denominator`` on the data level
(the lowest area level). The value is ``scale × numerator ÷ denominator`` for rates and the
numerator itself for counts. Keeping numerator and denominator means upper levels and the city are
aggregated correctly (sum of numerators over sum of denominators, never a mean of rates) and small
numbers can be suppressed later.

Pages build their selectors from :data:`INDICATORS`; an unknown code raises a ``KeyError`` that
lists the valid codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeAlias

import numpy as np
import pandas as pd

from planning import auth
from planning.formatting import format_value
from planning.population import age_range_count
from planning.repository import PlanningData
from planning.suppression import GESAMTSTADT, SuppressionRule, suppress, with_totals

DOMAINS: tuple[str, ...] = ("Demografie", "Kita", "Schule", "Ganztag", "Jugendhilfe", "Soziales")

Frame: TypeAlias = pd.DataFrame
ComputeFn: TypeAlias = Callable[[PlanningData], Frame]


@dataclass(frozen=True)
class Indicator:
    """Definition of one indicator; ``compute`` is None for imported indicators (Kennzahlen table)."""

    code: str
    label_de: str
    unit: str
    domain: str
    help_de: str
    #: +1 higher is better, -1 higher is worse, 0 neutral (colours and traffic lights follow it).
    polarity: int = 0
    #: value = scale × numerator ÷ denominator; None for plain counts (value = numerator).
    scale: float | None = None
    decimals: int = 0
    sensitive: bool = False
    #: Data kinds the figure rests on (for the source footer).
    sources: tuple[str, ...] = ("bevoelkerung",)
    compute: ComputeFn | None = None
    #: Definition for the register: what is counted (Zähler) and the base (Nenner).
    numerator_de: str = ""
    denominator_de: str = ""
    #: Department that delivers the figure and answers for it (Quelle / zuständig).
    department: str = ""
    #: Small-number thresholds of a sensitive indicator (see planning.suppression).
    min_count: int = 3
    min_denominator: float = 100.0
    #: The denominator counts people: a rate on fewer than the parameter ``mindestbasis_quote`` is
    #: marked and left out of rankings (planning.small_base). False where it counts classes or Züge.
    base_counts_people: bool = True
    #: Added by planners in the app (table ``indicator_definition``), not built in.
    custom: bool = False

    @property
    def rule(self) -> SuppressionRule | None:
        """The suppression rule when the indicator is sensitive, else None (published as is)."""
        if not self.sensitive:
            return None
        return SuppressionRule(min_count=self.min_count, min_denominator=self.min_denominator)

    @property
    def column_label(self) -> str:
        """Table header: the label, with the unit where it is not already obvious from the label."""
        return (
            self.label_de
            if self.unit in ("", "Kinder", "Personen", "Plätze")
            else f"{self.label_de} ({self.unit})"
        )

    @property
    def is_rate(self) -> bool:
        return self.scale is not None

    def format(self, value: float | None) -> str:
        """German number format with the indicator's decimals and unit."""
        return format_value(value, self.decimals, self.unit)


def _empty() -> Frame:
    return pd.DataFrame(
        {
            "gebiet_id": pd.Series(dtype="str"),
            "year": pd.Series(dtype="int64"),
            "numerator": pd.Series(dtype="Float64"),
            "denominator": pd.Series(dtype="Float64"),
        }
    )


def _ages(data: PlanningData, a0: int, a1: int | None) -> Frame:
    """``age_range_count`` of the data's population, computed once per data and age range."""
    return data.derived(("age_range_count", a0, a1), lambda: age_range_count(data.population, a0, a1))


def _count(a0: int, a1: int | None) -> ComputeFn:
    def fn(data: PlanningData) -> Frame:
        if data.population.empty:
            return _empty()
        c = _ages(data, a0, a1)
        return c.rename(columns={"count": "numerator"}).assign(denominator=pd.NA)

    return fn


def _share(a0: int, a1: int | None) -> ComputeFn:
    def fn(data: PlanningData) -> Frame:
        if data.population.empty:
            return _empty()
        num = _ages(data, a0, a1).rename(columns={"count": "numerator"})
        den = _ages(data, 0, None).rename(columns={"count": "denominator"})
        return num.merge(den, on=["gebiet_id", "year"], how="outer")

    return fn


def kita_places_by_year(kitas: Frame, years: list[int]) -> Frame:
    """Places in operation per ``gebiet_id, year``: opened by the year and not yet closed.

    Columns ``kitas, places_total, places_u3, places_ue3``. A Kita counts in year *y* if
    ``opening_year`` is empty or ≤ *y* and ``closing_year`` is empty or > *y*; a planned Kita
    without opening year never counts. Kitas without area are grouped under ``gebiet_id`` NA.
    """
    cols = ["places_total", "places_u3", "places_ue3"]
    if kitas.empty or not years:
        return pd.DataFrame(columns=["gebiet_id", "year", "kitas", *cols])
    k = kitas.assign(gebiet_id=kitas["gebiet_id"].fillna("\0"))
    yrs = pd.DataFrame({"year": years})
    grid = k.merge(yrs, how="cross")
    grid = grid[_kita_in_operation(grid, grid["year"]).to_numpy()]
    groups = grid.groupby(["gebiet_id", "year"])
    out = pd.concat([groups.size().rename("kitas"), groups[cols].sum(min_count=1)], axis=1).reset_index()
    return out.assign(gebiet_id=out["gebiet_id"].replace("\0", pd.NA))


def _population_years(data: PlanningData) -> list[int]:
    return sorted(int(y) for y in data.population["year"].unique()) if not data.population.empty else []


def _places(data: PlanningData, split: bool) -> Frame:
    """Kita places per area and year (``split``: U3/Ü3 completed by :func:`split_places`), once per data."""

    def compute() -> Frame:
        return kita_places_by_year(split_places(data.kitas) if split else data.kitas, _population_years(data))

    return data.derived(("kita_places", split), compute)


def _kita_places(data: PlanningData) -> Frame:
    places = _places(data, split=False)
    if places.empty:
        return _empty()
    return places.rename(columns={"places_total": "numerator"})[["gebiet_id", "year", "numerator"]].assign(
        denominator=pd.NA
    )


def split_places(kitas: Frame) -> Frame:
    """U3 and Ü3 places per Kita as the plan counts them: the Kita's own figures, else its total
    split by the parameter ``u3_anteil_gemischt`` (Kita lists such as Berlin's carry only totals)."""
    from planning.parameters import get_parameter

    if kitas.empty:
        return kitas
    share = float(get_parameter("u3_anteil_gemischt").default)
    u3 = kitas["places_u3"].astype("Float64")
    ue3 = kitas["places_ue3"].astype("Float64")
    total = kitas["places_total"].astype("Float64").fillna(u3 + ue3)
    u3_eff = u3.fillna(total - ue3).fillna(total * share)
    return kitas.assign(places_u3=u3_eff, places_ue3=ue3.fillna(total - u3_eff))


def _versorgung(age_from: int, age_to: int, column: str, with_tagespflege: bool) -> ComputeFn:
    def fn(data: PlanningData) -> Frame:
        if data.population.empty:
            return _empty()
        children = _ages(data, age_from, age_to).rename(columns={"count": "denominator"})
        places = _places(data, split=True)
        num = (
            places[["gebiet_id", "year", column]].rename(columns={column: "numerator"})
            if not places.empty
            else pd.DataFrame(columns=["gebiet_id", "year", "numerator"])
        )
        if with_tagespflege and not data.kindertagespflege.empty:
            ktp = data.kindertagespflege.rename(columns={"places": "ktp"})
            num = num.merge(ktp, on=["gebiet_id", "year"], how="outer")
            num["numerator"] = num["numerator"].astype("Float64").fillna(0) + num["ktp"].astype(
                "Float64"
            ).fillna(0)
            num = num.drop(columns="ktp")
        out = children.merge(num, on=["gebiet_id", "year"], how="left")
        # An area with children but no places has a quota of 0 %, not "no data".
        out["numerator"] = out["numerator"].astype("Float64").fillna(0)
        return out

    return fn


#: Catchment of the Kita reachability indicator: 1,500 m on foot (about 20 minutes with a child)
#: as straight line × detour factor (Umwegfaktor) 1.3 for an urban street network.
REACH_DISTANCE_M = 1500.0
REACH_DETOUR = 1.3


def _kita_in_operation(kitas: Frame, year: int | pd.Series) -> pd.Series:
    """Kitas in operation in ``year`` (a number, or a column of years aligned with ``kitas``):
    opened by then and not yet closed; a planned Kita without opening year never counts."""
    opened = kitas["opening_year"].isna() | (kitas["opening_year"] <= year)
    still = kitas["closing_year"].isna() | (kitas["closing_year"] > year)
    planned = (kitas["status"] == "geplant") & kitas["opening_year"].isna()
    return (opened & still & ~planned).fillna(False).astype(bool)


def _kita_reach(data: PlanningData) -> Frame:
    """Reachable Kita places per child 0–5 by 2SFCA (see :mod:`geodata.reach`).

    numerator = places attributed to the area (A_i × children), denominator = children 0–5, so
    upper levels get the child-weighted mean. Kitas without coordinates cannot be placed and are
    left out (their count is in the indicator's help).
    """
    from geodata.reach import facility_points, representative_points, two_step_fca

    if data.population.empty or data.kitas.empty:
        return _empty()
    areas = data.areas[data.areas["level"] == data.data_level]
    points = representative_points(areas, epsg=data.layout.epsg)
    kitas = data.kitas[data.kitas["lon"].notna() & data.kitas["places_total"].notna()]
    if kitas.empty:
        return _empty()
    fac = facility_points(kitas, epsg=data.layout.epsg)
    children = _ages(data, 0, 5)
    parts = []
    for year in _population_years(data):
        open_now = fac[_kita_in_operation(fac, year).to_numpy()]
        supply = pd.DataFrame(
            {
                "id": open_now["kita_id"],
                "x": open_now["x"],
                "y": open_now["y"],
                "capacity": open_now["places_total"],
                "area": open_now["gebiet_id"],
            }
        )
        kids = children[children["year"] == year].set_index("gebiet_id")["count"]
        demand = points.assign(population=points["id"].map(kids).astype(float).fillna(0.0))
        r = two_step_fca(
            demand, supply, max_distance_m=REACH_DISTANCE_M, detour_factor=REACH_DETOUR, own_area="area"
        )
        has_children = r["id"].isin(kids.index)
        parts.append(
            pd.DataFrame(
                {
                    "gebiet_id": r["id"],
                    "year": year,
                    "numerator": r["allocated"].where(has_children),
                    "denominator": r["population"].where(has_children),
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else _empty()


def primary_enrollment(data: PlanningData) -> Frame:
    """Primary pupils (Grundschule, grades 1–4) and classes per school area and school year."""
    e = data.enrollment
    if e.empty:
        return pd.DataFrame(columns=["gebiet_id", "year", "pupils", "classes"])
    # Grade 0 holds all grades of a school together; at a Grundschule these are grades 1–4.
    e = e[(e["schulart"] == "Grundschule") & e["grade"].between(0, 4) & e["gebiet_id"].notna()]
    return (
        e.rename(columns={"school_year": "year"})
        .groupby(["gebiet_id", "year"], as_index=False)[["pupils", "classes"]]
        .sum(min_count=1)
    )


def _grundschueler(data: PlanningData) -> Frame:
    p = primary_enrollment(data)
    if p.empty:
        return _empty()
    return p.rename(columns={"pupils": "numerator"})[["gebiet_id", "year", "numerator"]].assign(
        denominator=pd.NA
    )


def _primary_schools(data: PlanningData) -> Frame:
    s = data.schools
    return s[(s["schulart"] == "Grundschule") & s["gebiet_id"].notna()] if not s.empty else s


def _ganztag_quote(data: PlanningData) -> Frame:
    p = primary_enrollment(data)
    schools = _primary_schools(data)
    if p.empty or schools.empty:
        return _empty()
    places = schools.groupby("gebiet_id", as_index=False)["ganztag_places"].sum(min_count=1)
    out = p.merge(places, on="gebiet_id", how="left")
    return out.rename(columns={"ganztag_places": "numerator", "pupils": "denominator"})[
        ["gebiet_id", "year", "numerator", "denominator"]
    ]


def _zuege_auslastung(data: PlanningData) -> Frame:
    p = primary_enrollment(data)
    schools = _primary_schools(data)
    if p.empty or schools.empty:
        return _empty()
    cap = (
        schools.assign(cap=schools["zuege"] * 4).groupby("gebiet_id", as_index=False)["cap"].sum(min_count=1)
    )
    out = p.merge(cap, on="gebiet_id", how="left")
    return out.rename(columns={"classes": "numerator", "cap": "denominator"})[
        ["gebiet_id", "year", "numerator", "denominator"]
    ]


_C = "bevoelkerung"
_REGISTRY: tuple[Indicator, ...] = (
    Indicator(
        "einwohner",
        "Einwohner:innen",
        "Personen",
        "Demografie",
        "Einwohner:innen mit Haupt- oder alleiniger Wohnung am Stichtag (31.12.).",
        compute=_count(0, None),
    ),
    Indicator(
        "kinder_u3",
        "Kinder unter 3 Jahren",
        "Kinder",
        "Demografie",
        "Kinder im Alter von 0 bis unter 3 Jahren.",
        compute=_count(0, 2),
    ),
    Indicator(
        "kinder_3_6",
        "Kinder 3 bis unter 6 Jahre",
        "Kinder",
        "Demografie",
        "Kinder im Alter von 3 bis unter 6 Jahren (Kindergartenalter).",
        compute=_count(3, 5),
    ),
    Indicator(
        "kinder_6_10",
        "Kinder 6 bis unter 10 Jahre",
        "Kinder",
        "Demografie",
        "Kinder im Alter von 6 bis unter 10 Jahren (Grundschulalter).",
        compute=_count(6, 9),
    ),
    Indicator(
        "anteil_u18",
        "Anteil unter 18-Jähriger",
        "%",
        "Demografie",
        "Einwohner:innen unter 18 Jahren ÷ Einwohner:innen insgesamt × 100.",
        scale=100.0,
        decimals=1,
        compute=_share(0, 17),
    ),
    Indicator(
        "kita_plaetze",
        "Kita-Plätze",
        "Plätze",
        "Kita",
        "Genehmigte Plätze (Betriebserlaubnis) in Kitas, die im Jahr in Betrieb sind.",
        polarity=1,
        sources=("kitas",),
        compute=_kita_places,
    ),
    Indicator(
        "versorgung_u3",
        "Versorgungsquote U3",
        "%",
        "Kita",
        "(Kita-Plätze für unter 3-Jährige + Plätze in Kindertagespflege) ÷ Kinder von 0 bis unter "
        "3 Jahren × 100. Versorgungsquote (Plätze je Kind), nicht Betreuungsquote. Kitas ohne Aufteilung "
        "zählen mit dem Parameter „U3-Anteil ungeteilter Plätze“ (wie in der Bedarfsplanung).",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("kitas", "kindertagespflege", _C),
        compute=_versorgung(0, 2, "places_u3", True),
    ),
    Indicator(
        "versorgung_ue3",
        "Versorgungsquote Ü3",
        "%",
        "Kita",
        "Kita-Plätze für Kinder ab 3 Jahren ÷ Kinder von 3 bis unter 6 Jahren × 100.",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("kitas", _C),
        compute=_versorgung(3, 5, "places_ue3", False),
    ),
    Indicator(
        "kita_erreichbar",
        "Erreichbare Kita-Plätze je 100 Kinder",
        "je 100 Kinder",
        "Kita",
        "Kita-Plätze, die Kinder von 0 bis unter 6 Jahren in höchstens 1.500 m Weg (Luftlinie × 1,3) "
        "oder im eigenen Gebiet erreichen, je 100 Kinder (Two-Step Floating Catchment Area: jede Kita "
        "teilt ihre Plätze auf alle Kinder in ihrem Einzugsbereich auf, auch über Gebietsgrenzen). Ein "
        "Gebiet ohne eigene Kita, aber mit Kitas nebenan, ist so nicht unterversorgt. Grenzen: Kitas "
        "jenseits der Stadtgrenze fehlen; ein Punkt je Gebiet; Erreichbarkeit ist kein freier Platz.",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("kitas", _C, "gebiete"),
        compute=_kita_reach,
    ),
    Indicator(
        "grundschueler",
        "Grundschüler:innen",
        "Kinder",
        "Schule",
        "Schüler:innen der Klassenstufen 1–4 an Grundschulen im Schuljahr, das im Jahr beginnt "
        "(2025 = Schuljahr 2025/26), nach Lage der Schule.",
        sources=("schueler",),
        compute=_grundschueler,
    ),
    Indicator(
        "zuege_auslastung",
        "Auslastung der Grundschul-Züge",
        "%",
        "Schule",
        "Gebildete Klassen der Stufen 1–4 ÷ (Zügigkeit × 4) × 100. Über 100 % heißt: mehr Klassen als Züge.",
        polarity=-1,
        scale=100.0,
        decimals=0,
        base_counts_people=False,
        sources=("schueler", "schulen"),
        compute=_zuege_auslastung,
    ),
    Indicator(
        "ganztag_quote",
        "Ganztagsplätze je Grundschüler:in",
        "%",
        "Ganztag",
        "Ganztagsplätze der Grundschulen (aktuelle Schulliste) ÷ Grundschüler:innen der Stufen 1–4 "
        "× 100. Rechtsanspruch (GaFöG) ab 2026/27 für Stufe 1, ab 2029/30 für Stufen 1–4.",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("schulen", "schueler"),
        compute=_ganztag_quote,
    ),
    # Imported indicators (Kennzahlen table); numerator/denominator as delivered.
    Indicator(
        "kinderarmut",
        "Kinderarmut (SGB II, unter 15)",
        "%",
        "Soziales",
        "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren in SGB-II-Bedarfsgemeinschaften ÷ "
        "Kinder unter 15 Jahren × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "sgb2_quote",
        "SGB-II-Quote (unter 65)",
        "%",
        "Soziales",
        "Regelleistungsberechtigte nach SGB II ÷ Einwohner:innen unter 65 Jahren × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "arbeitslosigkeit",
        "Arbeitslosigkeit (SGB II und III)",
        "%",
        "Soziales",
        "Arbeitslose nach SGB II und III ÷ Einwohner:innen 15 bis unter 65 Jahre × 100 (MSS S1).",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "transferbezug",
        "Transferbezug (SGB II und XII)",
        "%",
        "Soziales",
        "Empfänger:innen von Transferleistungen nach SGB II und XII ÷ Einwohner:innen × 100 (MSS S3).",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "jfe_plaetze",
        "Plätze in Jugendfreizeiteinrichtungen",
        "Plätze",
        "Jugendhilfe",
        "Plätze in Jugendfreizeiteinrichtungen und pädagogisch betreuten Spielplätzen im Gebiet (nach Lage).",
        polarity=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "hze_je_1000",
        "Hilfen zur Erziehung je 1.000 unter 21",
        "je 1.000",
        "Jugendhilfe",
        "Laufende Hilfen zur Erziehung (§§ 27–35a SGB VIII) ÷ Einwohner:innen unter 21 Jahren × 1.000.",
        polarity=-1,
        scale=1000.0,
        decimals=1,
        sensitive=True,
        sources=("kennzahlen",),
    ),
    Indicator(
        "sprachfoerderbedarf",
        "Sprachförderbedarf bei Einschulung",
        "%",
        "Schule",
        "Kinder mit Sprachförderbedarf laut Schuleingangsuntersuchung ÷ untersuchte Kinder × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "alleinerziehende",
        "Anteil Alleinerziehender",
        "%",
        "Soziales",
        "Haushalte von Alleinerziehenden ÷ Haushalte mit Kindern unter 18 × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "jugendarbeitslosigkeit",
        "Jugendarbeitslosigkeit (15 bis unter 25)",
        "%",
        "Soziales",
        "Arbeitslose von 15 bis unter 25 Jahren ÷ Einwohner:innen von 15 bis unter 25 Jahren × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
    ),
    Indicator(
        "ohne_abschluss",
        "Schulabgänge ohne Abschluss",
        "%",
        "Schule",
        "Schulabgänger:innen ohne Ersten allgemeinbildenden Abschluss ÷ alle Schulabgänger:innen × 100 "
        "(nach Wohnort).",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sensitive=True,
        # Leavers per Planungsraum are few (20–60): 3 cases and 30 leavers, else no area would show.
        min_denominator=30.0,
        sources=("kennzahlen",),
    ),
    Indicator(
        "gefluechtete_kinder",
        "Geflüchtete Kinder in Gemeinschaftsunterkünften",
        "Kinder",
        "Jugendhilfe",
        "Kinder und Jugendliche unter 18 Jahren in Gemeinschaftsunterkünften für Geflüchtete.",
        sensitive=True,
        sources=("kennzahlen",),
    ),
)

_STAT = "Statistikstelle"
_JA = "Jugendamt"
_SA = "Schulamt"
_SOZ = "Sozialplanung"
#: Register entries of the built-in indicators: numerator (Zähler), denominator (Nenner), department.
_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "einwohner": ("Einwohner:innen (Haupt- oder alleinige Wohnung)", "", _STAT),
    "kinder_u3": ("Kinder von 0 bis unter 3 Jahren", "", _STAT),
    "kinder_3_6": ("Kinder von 3 bis unter 6 Jahren", "", _STAT),
    "kinder_6_10": ("Kinder von 6 bis unter 10 Jahren", "", _STAT),
    "anteil_u18": ("Einwohner:innen unter 18 Jahren", "Einwohner:innen insgesamt", _STAT),
    "kita_plaetze": ("Genehmigte Kita-Plätze der Kitas in Betrieb", "", _JA),
    "versorgung_u3": (
        "Kita-Plätze für unter 3-Jährige + Plätze in Kindertagespflege",
        "Kinder von 0 bis unter 3 Jahren",
        _JA,
    ),
    "versorgung_ue3": ("Kita-Plätze für Kinder ab 3 Jahren", "Kinder von 3 bis unter 6 Jahren", _JA),
    "kita_erreichbar": (
        "Kita-Plätze im Einzugsbereich, anteilig nach Kindern (2SFCA)",
        "Kinder von 0 bis unter 6 Jahren",
        _JA,
    ),
    "grundschueler": ("Schüler:innen der Stufen 1–4 an Grundschulen", "", _SA),
    "zuege_auslastung": ("Gebildete Klassen der Stufen 1–4", "Zügigkeit × 4", _SA),
    "ganztag_quote": ("Ganztagsplätze der Grundschulen", "Grundschüler:innen der Stufen 1–4", _SA),
    "kinderarmut": (
        "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren (SGB II)",
        "Kinder unter 15 Jahren",
        _SOZ,
    ),
    "sgb2_quote": ("Regelleistungsberechtigte nach SGB II", "Einwohner:innen unter 65 Jahren", _SOZ),
    "arbeitslosigkeit": (
        "Arbeitslose nach SGB II und III",
        "Einwohner:innen von 15 bis unter 65 Jahren",
        _SOZ,
    ),
    "transferbezug": ("Empfänger:innen von Leistungen nach SGB II und XII", "Einwohner:innen", _SOZ),
    "jfe_plaetze": ("Plätze in Jugendfreizeiteinrichtungen", "", _JA),
    "hze_je_1000": (
        "Laufende Hilfen zur Erziehung (§§ 27–35a SGB VIII)",
        "Einwohner:innen unter 21 Jahren",
        _JA,
    ),
    "sprachfoerderbedarf": (
        "Kinder mit Sprachförderbedarf (Schuleingangsuntersuchung)",
        "Untersuchte Kinder",
        "Gesundheitsamt",
    ),
    "alleinerziehende": ("Haushalte von Alleinerziehenden", "Haushalte mit Kindern unter 18", _SOZ),
    "jugendarbeitslosigkeit": (
        "Arbeitslose von 15 bis unter 25 Jahren",
        "Einwohner:innen von 15 bis unter 25 Jahren",
        _SOZ,
    ),
    "ohne_abschluss": ("Schulabgänger:innen ohne Abschluss", "Schulabgänger:innen insgesamt", _SA),
    "gefluechtete_kinder": ("Kinder unter 18 in Gemeinschaftsunterkünften", "", _JA),
}

INDICATORS: dict[str, Indicator] = {
    i.code: replace(
        i,
        numerator_de=_DEFINITIONS[i.code][0],
        denominator_de=_DEFINITIONS[i.code][1],
        department=_DEFINITIONS[i.code][2],
    )
    for i in _REGISTRY
}

#: An indicator or its code (built-in codes only; added indicators are passed as objects).
IndicatorRef: TypeAlias = "Indicator | str"


def get_indicator(code: str, extra: Mapping[str, Indicator] | None = None) -> Indicator:
    """The built-in indicator ``code``, or one of ``extra`` (indicators added in the app)."""
    if code in INDICATORS:
        return INDICATORS[code]
    if extra and code in extra:
        return extra[code]
    valid = [*INDICATORS, *(extra or {})]
    raise KeyError(f"Unbekannte Kennzahl '{code}'. Gültig: {', '.join(valid)}")


def resolve(ref: IndicatorRef) -> Indicator:
    return ref if isinstance(ref, Indicator) else get_indicator(ref)


def available_indicators(data: PlanningData, extra: Iterable[Indicator] = ()) -> list[Indicator]:
    """Indicators that have data: computed ones whose sources exist, imported ones present in the table."""
    imported = set(data.indicator_values["code"].unique()) if not data.indicator_values.empty else set()
    out = []
    for ind in [*INDICATORS.values(), *(e for e in extra if e.code not in INDICATORS)]:
        if ind.compute is None:
            if ind.code in imported:
                out.append(ind)
        elif all(s in data.versions for s in ind.sources):
            out.append(ind)
    return out


def _imported(data: PlanningData, ind: Indicator) -> Frame:
    v = data.indicator_values
    v = v[v["code"] == ind.code]
    num = v["numerator"] if ind.is_rate else v["numerator"].fillna(v["value"])
    den = v["denominator"]
    if ind.is_rate and ind.scale is not None:
        # Delivered as count and rate without the base (Sozialatlas tables): the base follows exactly from
        # both, so the rate can be weighted when areas are added up.
        derivable = den.isna() & num.notna() & v["value"].notna() & (v["value"] > 0)
        den = den.mask(derivable, num * ind.scale / v["value"])
    return pd.DataFrame(
        {
            "gebiet_id": v["gebiet_id"],
            "year": v["year"],
            "numerator": num,
            "denominator": den,
            "delivered": v["value"],
        }
    )


def base_table(data: PlanningData, ref: IndicatorRef) -> Frame:
    """``gebiet_id, year, numerator, denominator, value`` on the data level, *unprotected*.

    For internal computation only: what reaches a page or an export goes through
    :func:`indicator_table`, :func:`city_series` or :func:`protected_table`. For imported rates
    delivered without numerator/denominator the delivered value is shown as is; such a rate cannot
    be aggregated to upper levels (it stays NA there).
    """
    ind = resolve(ref)
    return data.derived(("base_table", ind), lambda: _base_table(data, ind)).copy()


def _base_table(data: PlanningData, ind: Indicator) -> Frame:
    raw = ind.compute(data) if ind.compute is not None else _imported(data, ind)
    out = raw[["gebiet_id", "year", "numerator", "denominator"]].astype(
        {"numerator": "Float64", "denominator": "Float64", "year": "int64"}
    )
    out["value"] = _value(ind, out["numerator"], out["denominator"])
    if "delivered" in raw.columns:
        out["value"] = out["value"].fillna(raw["delivered"].astype("Float64"))
    return out.sort_values(["year", "gebiet_id"]).reset_index(drop=True)


def _value(ind: Indicator, num: pd.Series, den: pd.Series) -> pd.Series:
    if not ind.is_rate:
        return num.astype("Float64")
    safe_den = den.where(den > 0)
    return (num / safe_den * ind.scale).astype("Float64")


def protected_table(data: PlanningData, ref: IndicatorRef) -> Frame:
    """A sensitive indicator on every level and the city at once, after small-number protection.

    Columns ``gebiet_id, name, level, year, numerator, denominator, value, missing, suppressed``
    (city: ``gebiet_id`` = ``GESAMTSTADT``, ``level`` = -1). Suppression is decided once over all
    levels together (see :mod:`planning.suppression`), so no level can be subtracted from another
    to reveal a hidden cell. Suppressed cells have numerator, denominator and value NA. For an
    indicator that is not sensitive every ``suppressed`` is False.
    """
    ind = resolve(ref)
    return data.derived(("protected_table", ind), lambda: _protected_table(data, ind)).copy()


_TABLE_COLUMNS = ["gebiet_id", "name", "level", "year", "numerator", "denominator", "value", "missing"]


def _hierarchy(data: PlanningData) -> Frame:
    return pd.DataFrame(data.areas[["gebiet_id", "parent_gebiet_id", "level", "name"]])


def _full_table(data: PlanningData, ind: Indicator) -> Frame:
    """Every level and the city, summed from the data level, *before* small-number protection."""
    base = base_table(data, ind)
    areas = data.areas
    data_ids = set(areas.loc[areas["level"] == data.data_level, "gebiet_id"])
    base = base[base["gebiet_id"].isin(data_ids)]
    if not ind.is_rate:
        base = base.assign(denominator=pd.Series(pd.NA, index=base.index, dtype="Float64"))
    return with_totals(base, _hierarchy(data), scale=ind.scale if ind.is_rate else None)


def _protected_table(data: PlanningData, ind: Indicator) -> Frame:
    full = _full_table(data, ind)
    rule = ind.rule
    if rule is None:
        out = full.assign(suppressed=False)
    else:
        out = suppress(full, rule, _hierarchy(data), is_rate=ind.is_rate).drop(columns="reason")
    out["missing"] = out["missing"].fillna(0).astype("int64")
    return out[[*_TABLE_COLUMNS, "suppressed"]].reset_index(drop=True)


def unsuppressed_table(data: PlanningData, ref: IndicatorRef, level: int | None = None) -> Frame:
    """A sensitive indicator per area of ``level`` *without* small-number protection.

    Only for a person with the right to see it (Administration, Leitung, or Fachplanung of the
    indicator's department): checked here on every call, whatever the caller caches. Columns as
    :func:`indicator_table`, ``suppressed`` always False, plus ``confidential``: the cells that
    protection hides from everybody else. Exports and papers never use this table.
    """
    ind = resolve(ref)
    auth.require(
        auth.Permission.SEE_UNSUPPRESSED,
        ind.department,
        what=f"die Kennzahl „{ind.label_de}“ ungeschwärzt sehen",
    )
    lvl = data.data_level if level is None else level
    full = data.derived(("full_table", ind), lambda: _full_table(data, ind))
    secret = protected_table(data, ind)[["gebiet_id", "year", "suppressed"]]
    rows = full.loc[full["level"] == lvl, ["gebiet_id", "year", "numerator", "denominator", "value"]]
    secret = secret.rename(columns={"suppressed": "confidential"})
    rows = rows.merge(secret, on=["gebiet_id", "year"], how="left")
    names = data.areas.loc[data.areas["level"] == lvl, ["gebiet_id", "name"]]
    out = names.merge(rows, on="gebiet_id", how="left")
    out["confidential"] = out["confidential"].fillna(False).astype(bool)
    return out.assign(suppressed=False).sort_values(["year", "gebiet_id"]).reset_index(drop=True)


def indicator_table(data: PlanningData, ref: IndicatorRef, level: int | None = None) -> Frame:
    """The indicator per area of ``level`` (default: data level) and year, with names.

    Columns ``gebiet_id, name, year, numerator, denominator, value, suppressed``. Upper levels sum
    numerators and denominators of their children; a rate whose children lack a denominator stays
    NA. A sensitive indicator comes from :func:`protected_table` (suppressed cells NA).
    """
    ind = resolve(ref)
    lvl = data.data_level if level is None else level
    areas = data.areas
    names = areas.loc[areas["level"] == lvl, ["gebiet_id", "name"]]
    cols = ["gebiet_id", "year", "numerator", "denominator", "value", "suppressed"]
    if ind.sensitive:
        pt = protected_table(data, ind)
        base = pt.loc[pt["level"] == lvl, cols]
    else:
        base = base_table(data, ind)
        if lvl != data.data_level:
            mapping = ancestor_map(areas, data.data_level, lvl)
            base = base.assign(gebiet_id=base["gebiet_id"].map(mapping))
            base = base[base["gebiet_id"].notna()]
            base = _sum_group(base, ["gebiet_id", "year"], ind.is_rate)
            base["value"] = _value(ind, base["numerator"], base["denominator"])
        base = base.assign(suppressed=False)[cols]
    out = names.merge(base, on="gebiet_id", how="left")
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    return out.sort_values(["year", "gebiet_id"]).reset_index(drop=True)


def city_series(data: PlanningData, ref: IndicatorRef) -> Frame:
    """The whole municipality per year: ``year, numerator, denominator, value, missing, suppressed``.

    ``missing`` counts the data-level areas without a value in that year (see ``_sum_group``).
    """
    ind = resolve(ref)
    if ind.sensitive:
        pt = protected_table(data, ind)
        city = pt[pt["gebiet_id"] == GESAMTSTADT]
        return city[["year", "numerator", "denominator", "value", "missing", "suppressed"]].reset_index(
            drop=True
        )
    base = base_table(data, ind)
    out = _sum_group(base, ["year"], ind.is_rate)
    out["value"] = _value(ind, out["numerator"], out["denominator"])
    return out.assign(suppressed=False)


def _sum_group(df: Frame, keys: list[str], is_rate: bool) -> Frame:
    """Sum numerators and denominators per group over the areas that have data.

    For a rate an area counts only with both numerator and denominator (a delivered rate without
    them cannot be weighted). ``missing`` says how many areas of the group had no data, so the page
    can say "ohne 2 Gebiete ohne Angabe" instead of silently showing a partial figure as complete.
    """
    valid = df["numerator"].notna() & (df["denominator"].notna() if is_rate else True)
    work = df.assign(
        numerator=df["numerator"].where(valid),
        denominator=df["denominator"].where(valid),
        missing=(~valid).astype("int64"),
    )
    g = work.groupby(keys)
    sums = g[["numerator", "denominator"]].sum(min_count=1)
    return pd.concat([sums, g["missing"].sum()], axis=1).reset_index()


def ancestor_map(areas: pd.DataFrame, from_level: int, to_level: int) -> dict[str, str]:
    """Map gebiet_id on ``from_level`` to its ancestor on ``to_level``."""
    parent = dict(zip(areas["gebiet_id"], areas["parent_gebiet_id"], strict=True))
    mapping: dict[str, str] = {}
    for gid in areas.loc[areas["level"] == from_level, "gebiet_id"]:
        cur, lvl = gid, from_level
        while lvl > to_level and cur is not None and not (isinstance(cur, float) and np.isnan(cur)):
            cur, lvl = parent.get(cur), lvl - 1
        if cur is not None and lvl == to_level:
            mapping[gid] = cur
    return mapping
