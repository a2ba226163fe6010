"""An agenda item's saved view as blocks of the decision paper: the indicator map, table and city
trend, the Kita or Ganztag balance with its projection, or a district profile.

Each view is computed with the dataset versions and the scenario it pinned (:class:`PaperContext`
loads each set of versions once); suppression is applied exactly as on screen (``indicator_table``
and ``city_series`` are cut from the protected table). Assembled by :mod:`planning.paper.build`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from planning import charts, pages, small_base
from planning import indicators as ind
from planning import profile as prof
from planning import steering as sk
from planning.formatting import format_value, number_range
from planning.indicators import Indicator
from planning.models import KIND_LABELS
from planning.paper.model import Block, Chart, Table, Text
from planning.paper.print_map import static_map
from planning.plan import PlanResult, at_level, compute_plan
from planning.registry import Registry
from planning.repository import PlanningData, VersionInfo, list_layouts, list_versions, load_planning_data
from planning.scenarios import BASELINE_NAME, get_scenario
from planning.suppression import GEHEIM
from planning.targets import light

#: Rows of a district table in the paper; the full table goes to the Excel attachment.
MAX_ROWS = 15
PLAN_SOURCES = ("bevoelkerung", "geburten", "kitas", "kindertagespflege", "schulen", "schueler", "wohnbau")


def _de(value: float | None, decimals: int = 0) -> str:
    return format_value(None if value is None or pd.isna(value) else float(value), decimals)


def date_de(d: dt.date | dt.datetime | None) -> str:
    """A date as the paper prints it ("03.12.2026"; "–" for none)."""
    return d.strftime("%d.%m.%Y") if d else "–"


@dataclass
class PaperContext:
    """Loaded data per pinned version set (several agenda items share one load)."""

    engine: Engine
    registry: Registry
    cache: dict[tuple[int, tuple[tuple[str, int], ...]], PlanningData] = field(default_factory=dict)
    plans: dict[tuple[object, ...], PlanResult] = field(default_factory=dict)

    def data(self, view: sk.View) -> PlanningData:
        key = (view.layout_id, tuple(sorted(view.versions.items())))
        if key not in self.cache:
            code = next(lay.code for lay in list_layouts(self.engine) if lay.id == view.layout_id)
            self.cache[key] = load_planning_data(self.engine, code, view.versions, exact=True)
        return self.cache[key]

    tables: dict[tuple[object, ...], pd.DataFrame] = field(default_factory=dict)

    def table(self, data: PlanningData, indicator: Indicator, level: int) -> pd.DataFrame:
        """The protected district table, computed once per data, indicator and level."""
        key = ("t", id(data), indicator.code, level)
        if key not in self.tables:
            self.tables[key] = ind.indicator_table(data, indicator, level)
        return self.tables[key]

    def city(self, data: PlanningData, indicator: Indicator) -> pd.DataFrame:
        key = ("c", id(data), indicator.code)
        if key not in self.tables:
            self.tables[key] = ind.city_series(data, indicator)
        return self.tables[key]

    _known: dict[int, VersionInfo] | None = None

    def known(self) -> dict[int, VersionInfo]:
        """Every dataset version by id (old ones too), for what comments speak about."""
        if self._known is None:
            self._known = {
                v.id: v for lay in list_layouts(self.engine) for v in list_versions(self.engine, lay.id)
            }
        return self._known

    def plan(self, view: sk.View, data: PlanningData) -> PlanResult:
        scenario = view.frozen_scenario() or get_scenario(self.engine, data.layout.id, BASELINE_NAME)
        key = (view.layout_id, tuple(sorted(view.versions.items())), repr(scenario))
        if key not in self.plans:
            self.plans[key] = compute_plan(data, scenario)
        return self.plans[key]


def source_line(data: PlanningData, kinds: tuple[str, ...]) -> str:
    """ "Quelle: …; Stand …" of the dataset versions a figure uses (as the app's footer)."""
    parts = []
    for kind in dict.fromkeys(("gebiete", *kinds)):
        v = data.versions.get(kind)
        if v is None:
            continue
        parts.append(
            f"{KIND_LABELS.get(kind, kind)}: {v.source or v.label}, Stand {date_de(v.stand)} "
            f"(Datenstand Nr. {v.id}, importiert {date_de(v.imported_at)})"
        )
    return "Quellen: " + "; ".join(parts) if parts else ""


def _level(view: sk.View, data: PlanningData) -> int:
    raw = view.state.get(pages.LEVEL, "")
    levels = len(data.layout.levels)
    return int(raw) if raw.isdigit() and int(raw) < levels else levels - 1


def _year(view: sk.View, years: list[int]) -> int | None:
    if not years:
        return None
    raw = view.state.get(pages.YEAR, "")
    wanted = int(raw) if raw.isdigit() else years[-1]
    return wanted if wanted in years else min(years, key=lambda y: abs(y - wanted))


def _city_chart(indicator: Indicator, city: pd.DataFrame) -> go.Figure | None:
    """The app's city trend (planning.charts), styled for print."""
    city = city[city["value"].notna()].sort_values("year") if not city.empty else city
    if len(city) < 2:
        return None
    fig = charts.city_trend(city.assign(value=city["value"].round(indicator.decimals)), indicator)
    fig.update_layout(
        template="simple_white",
        height=None,
        margin={"l": 60, "r": 20, "t": 10, "b": 40},
        showlegend=False,
    )
    return fig


#: Areas named on a paper map: the first rows of its table (the worst) and the view's chosen one.
MAP_NAMES = 5


def _talked_about(view: sk.View, ranked: pd.Series, known: pd.Series) -> list[str]:
    """Ids of the areas an agenda item talks about: its chosen area, then the first of ``ranked``."""
    chosen = view.state.get(pages.DISTRICT, "")
    out = [chosen] if chosen and chosen in set(known) else []
    out += [g for g in ranked.head(MAP_NAMES) if g not in out]
    return out


def _indicator_blocks(
    ctx: PaperContext, view: sk.View, data: PlanningData, code: str
) -> tuple[str, list[Block]]:
    indicator = ctx.registry.indicator(code)
    level = _level(view, data)
    table_all = ctx.table(data, indicator, level)
    years = sorted(int(y) for y in table_all["year"].dropna().unique())
    year = _year(view, years)
    if year is None:
        return f"{indicator.label_de}: keine Daten", [Text("Zu dieser Kennzahl liegen keine Werte vor.")]
    table = table_all[table_all["year"] == year]
    areas = data.areas[data.areas["level"] == level][["gebiet_id", "name", "geometry"]]
    shown = areas[["gebiet_id", "name"]].merge(
        table[["gebiet_id", "value", "denominator", "suppressed"]], how="left"
    )
    shown["suppressed"] = shown["suppressed"].fillna(False).astype(bool)
    # Rates on too small a base: printed with their mark, never among the "ungünstigsten".
    min_base = small_base.default_minimum()
    shown = small_base.mark(shown, indicator, min_base)
    few_label = small_base.label(indicator)
    source = source_line(data, indicator.sources)
    level_name = data.layout.levels[level]
    blocks: list[Block] = []
    target = ctx.registry.target(code)
    ordered = shown.assign(_secret=shown["suppressed"], _missing=shown["value"].isna() & ~shown["suppressed"])
    ordered = ordered.sort_values(
        ["_missing", "_secret", "few", "value"], ascending=[True, True, True, indicator.polarity > 0]
    )
    named = _talked_about(view, ordered[small_base.rankable(ordered)]["gebiet_id"], shown["gebiet_id"])
    notes = []
    if shown["suppressed"].any():
        notes.append("Grau schraffiert: geheim (Fallzahl zu klein, Datenschutz); weiß: keine Daten.")
    if shown["few"].any():
        notes.append(f"Gepunktet: {few_label} (Quote aus weniger als {_de(min_base)} im Nenner).")
    if named:
        chosen = view.state.get(pages.DISTRICT) in set(named)
        first = "die ungünstigsten Gebiete der Tabelle" if indicator.polarity else "die ersten der Tabelle"
        notes.append(f"Beschriftet: {first}" + (" und das gewählte." if chosen else "."))
    blocks.append(
        Chart(
            f"{indicator.label_de} nach {level_name}, {year}",
            static_map(
                areas,
                shown[["gebiet_id", "value", "suppressed", "few"]],
                unit=indicator.unit,
                higher_is_better=None if indicator.polarity == 0 else indicator.polarity > 0,
                labels=named,
                few_label=few_label,
            ),
            source=source,
            note=" ".join(notes),
        )
    )
    rows = pd.DataFrame(
        {
            level_name: [
                n + (f" ({few_label})" if f else "")
                for n, f in zip(ordered["name"], ordered["few"], strict=True)
            ],
            f"{indicator.label_de} ({indicator.unit})": [
                GEHEIM if s else _de(v, indicator.decimals)
                for v, s in zip(ordered["value"], ordered["suppressed"], strict=True)
            ],
        }
    )
    if target is not None:
        rows["Ampel"] = [
            "" if s or f else (light(v, target, indicator.polarity, indicator.decimals) or "")
            for v, s, f in zip(ordered["value"], ordered["suppressed"], ordered["few"], strict=True)
        ]
    cut = len(rows) > MAX_ROWS
    worst = "ungünstigsten" if indicator.polarity != 0 else "ersten"
    blocks.append(
        Table(
            f"{indicator.label_de}: {level_name} im Vergleich, {year}",
            rows.head(MAX_ROWS),
            source=source,
            note=(
                f"Die {MAX_ROWS} {worst} von {len(rows)} {level_name}-Werten; "
                "vollständig in der Ansicht (Link) und ihrem Excel-Export. "
                if cut
                else ""
            )
            + (f"„{GEHEIM}“: aus Datenschutzgründen nicht ausgewiesen. " if shown["suppressed"].any() else "")
            + (small_base.note(indicator, min_base, int(shown["few"].sum())) if shown["few"].any() else ""),
            numeric=(rows.columns[1],),
        )
    )
    city = ctx.city(data, indicator)
    chart = _city_chart(indicator, city)
    if chart is not None:
        blocks.append(Chart(f"{indicator.label_de}: Entwicklung in der Stadt", chart, source=source))
    if target is not None:
        goal = target.describe(indicator.polarity, lambda v: _de(v, indicator.decimals))
        blocks.append(
            Text(f"Zielwert ({indicator.unit}): {goal}." + (f" {target.note}" if target.note else ""))
        )
    return f"{indicator.label_de} · Ebene {level_name} · {year}", blocks


def _plan_blocks(
    ctx: PaperContext, view: sk.View, data: PlanningData, school: bool
) -> tuple[str, list[Block]]:
    result = ctx.plan(view, data)
    level = _level(view, data)
    data_level = int(data.areas.loc[data.areas["gebiet_id"].isin(result.areas), "level"].max())
    table = at_level(result, data.areas, level, data_level)
    raw = view.state.get(pages.PLAN_YEAR, "")
    years = [y for y in result.years if y >= result.base_year]
    year = int(raw) if raw.isdigit() and int(raw) in years else min(result.base_year + 3, years[-1])
    level_name = data.layout.levels[level]
    names = dict(zip(data.areas["gebiet_id"], data.areas["name"], strict=False))
    t = table[table["year"] == year].copy()
    source = source_line(data, PLAN_SOURCES)
    if school:
        code, cols = (
            "ganztag_gap",
            {
                "school_entrants": "Einschulungen",
                "ganztag_demand": "Ganztagsbedarf",
                "ganztag_places": "Ganztagsplätze",
                "ganztag_gap": "Bilanz Ganztag",
            },
        )
        label = "Ganztagsbilanz"
    else:
        code, cols = (
            "kita_shortfall",
            {
                "u3_demand": "U3-Bedarf",
                "u3_places": "U3-Plätze",
                "u3_gap": "Bilanz U3",
                "ue3_demand": "Ü3-Bedarf",
                "ue3_places": "Ü3-Plätze",
                "ue3_gap": "Bilanz Ü3",
                "kita_shortfall": "Fehlend",
            },
        )
        label = "Platzbilanz Kita"
    cols = {k: v for k, v in cols.items() if k in t.columns}
    t = t.sort_values(code, na_position="last")
    small = set(result.derived.get("zu_klein", [])) if level == data_level else set()
    rows = pd.DataFrame(
        {level_name: [names.get(g, g) + (" (zu klein)" if g in small else "") for g in t["gebiet_id"]]}
    )
    for k, v in cols.items():
        rows[v] = [_de(x) for x in t[k]]
    if year > result.base_year and f"{code}_low" in t:
        rows["Spanne"] = [
            number_range(lo, hi) for lo, hi in zip(t[f"{code}_low"], t[f"{code}_high"], strict=True)
        ]
    geo = data.areas[data.areas["level"] == level][["gebiet_id", "name", "geometry"]]
    values = pd.DataFrame({"gebiet_id": t["gebiet_id"], "value": t[code], "suppressed": False})
    gaps = t[t[code].round(0) < 0]["gebiet_id"]  # sorted: the largest gap first
    named = _talked_about(view, gaps, geo["gebiet_id"])
    blocks: list[Block] = [
        Chart(
            f"{label} {year} nach {level_name} (Szenario {result.scenario}; negativ = Plätze fehlen)",
            static_map(geo, values, unit="Plätze", diverging=True, labels=named),
            source=source,
            note="Beschriftet: die größten Lücken der Tabelle." if named else "",
        ),
        Table(
            f"{label} {year}: {level_name} mit dem größten Fehlbedarf zuerst",
            rows.head(MAX_ROWS),
            source=source,
            note=f"{min(MAX_ROWS, len(rows))} von {len(rows)} {level_name}-Zeilen."
            if len(rows) > MAX_ROWS
            else "",
            numeric=(*cols.values(), *(["Spanne"] if "Spanne" in rows else [])),  # ranges never wrap
        ),
    ]
    city = result.aggregate(None)
    demand = ["ganztag_demand"] if school else ["u3_demand", "ue3_demand"]
    places = ["ganztag_places"] if school else ["u3_places", "ue3_places"]
    if all(c in city.columns for c in demand + places):
        # Observed years shortly before the base year, then the projection (older years lack pupils).
        city = city[city["year"] >= result.base_year - 3].sort_values("year")
        fig = go.Figure()
        ahead = city[city["year"] >= result.base_year]
        if all(f"{c}_low" in city for c in demand) and len(ahead) > 1:
            low = ahead[[f"{c}_low" for c in demand]].sum(axis=1)
            high = ahead[[f"{c}_high" for c in demand]].sum(axis=1)
            fig.add_scatter(
                x=list(ahead["year"]) + list(ahead["year"])[::-1],
                y=list(high) + list(low)[::-1],
                fill="toself",
                fillcolor="rgba(185,28,28,0.15)",
                line={"width": 0},
                name="Spanne Bedarf (80 %)",
            )
        fig.add_scatter(
            x=city["year"], y=city[demand].sum(axis=1), name="Bedarf", line={"color": "#b91c1c", "width": 3}
        )
        fig.add_scatter(
            x=city["year"],
            y=city[places].sum(axis=1, min_count=1),
            name="Plätze",
            line={"color": "#1f4e79", "width": 3},
        )
        fig.add_vline(x=result.base_year + 0.5, line_dash="dot", line_color="#666")
        fig.update_layout(
            separators=",.",
            template="simple_white",
            margin={"l": 60, "r": 20, "t": 10, "b": 40},
            legend={"orientation": "h", "y": 1.1},
            xaxis={"dtick": 1},
            yaxis_title="Kinder / Plätze",
        )
        blocks.append(
            Chart(
                f"{'Ganztag' if school else 'Kita'}: Bedarf und Plätze in der Stadt "
                "(Prognose rechts der Linie)",
                fig,
                source=source,
            )
        )
    notes = list(result.derived.get("prognose_warnungen", []))
    if small:
        notes.append(
            f"Zu klein für eine verlässliche Prognose (höchstens {result.params['mindestgroesse_prognose']} "
            f"Kinder): {', '.join(names.get(g, g) for g in sorted(small))}."
        )
    if result.derived.get("spanne_quelle"):
        notes.append(f"{result.derived['spanne_quelle']}; {result.derived.get('prognose_methode', '')}")
    if notes:
        blocks.append(Text("Zur Prognose: " + " ".join(notes)))
    scen = view.frozen_scenario()
    if scen is not None and scen.describe_changes():
        blocks.append(Text("Annahmen des Szenarios: " + "; ".join(scen.describe_changes()) + "."))
    return f"{label} · Szenario {result.scenario} · Planjahr {year} · Ebene {level_name}", blocks


def _profile_blocks(ctx: PaperContext, view: sk.View, data: PlanningData) -> tuple[str, list[Block]]:
    gid = view.state.get(pages.DISTRICT, "")
    names = dict(zip(data.areas["gebiet_id"], data.areas["name"], strict=False))
    if gid not in names:
        return "Stadtteilprofil", [Text("Die Ansicht nennt kein Gebiet.")]
    level = prof.area_level(data.areas, gid)
    years = sorted(int(y) for y in data.population["year"].unique()) if not data.population.empty else []
    year = _year(view, years) or dt.date.today().year
    indicators = ind.available_indicators(data, ctx.registry.custom.values())
    profile = prof.indicator_profile(
        data,
        indicators,
        ctx.registry.targets,
        gid,
        level,
        year,
        tables=lambda i: ctx.table(data, i, level),
        cities=lambda i: ctx.city(data, i),
    )
    shown = prof.display_table(profile, {i.code: i for i in indicators}, year)
    return f"Stadtteilprofil {names[gid]} · {year}", [
        Table(
            f"Kennzahlen {names[gid]} im Vergleich zur Stadt, {year}",
            shown,
            source=source_line(data, ("bevoelkerung", "kitas", "schulen", "kennzahlen")),
        )
    ]


def view_blocks(ctx: PaperContext, view: sk.View) -> tuple[str, list[Block]]:
    data = ctx.data(view)
    page = view.page
    if pages.shows_plan(page, view.state):
        return _plan_blocks(ctx, view, data, school=page == "schule")
    if page == "stadtteilprofil":
        return _profile_blocks(ctx, view, data)
    code = view.state.get(pages.INDICATOR) or pages.default_indicator(page)
    return _indicator_blocks(ctx, view, data, code)
