"""„Seit der letzten Sitzung“: what opens a meeting (TOP 0, and the paper's first page).

Compared with the previous meeting of the same body: the dataset versions that are new since then,
the figures that moved most against the snapshots that meeting looked at (its agenda views and the
views its decisions rest on, each with the versions it pinned), the targets newly missed or met, and
the work orders done and overdue.

"Then" is what the previous meeting's snapshots pinned (what the room saw); without snapshots, the
versions imported up to the previous meeting's day. "Now" is the active data. A figure is compared
as the view showed it: same indicator (or plan balance), level and year, per area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from planning import indicators as ind
from planning import pages, small_base
from planning import steering as sk
from planning.formatting import number
from planning.models import KIND_LABELS
from planning.plan import PlanResult, at_level, compute_plan
from planning.registry import Registry, load_registry
from planning.repository import (
    PlanningData,
    VersionInfo,
    active_versions,
    get_layout,
    list_layouts,
    list_versions,
    load_planning_data,
)
from planning.scenarios import BASELINE_NAME, get_scenario
from planning.targets import GRUEN, Target, light

TITLE = "Seit der letzten Sitzung"
#: Areas listed per compared figure (the largest changes first).
MOVED_PER_VIEW = 5
#: Plan views: the balance they show (negative = places missing), label and unit.
PLAN_FIGURE = {
    "kita": ("kita_shortfall", "Kita: fehlende Plätze U3 + Ü3 (negativ)", "Plätze", 1),
    "szenarien": ("kita_shortfall", "Kita: fehlende Plätze U3 + Ü3 (negativ)", "Plätze", 1),
    "schule": ("ganztag_gap", "Ganztagsbilanz", "Plätze", 1),
}


@dataclass(frozen=True)
class Moved:
    """One area's figure then and now."""

    figure: str  # "U3-Versorgungsquote" / "Fehlende Kita-Plätze (U3 + Ü3)"
    view_title: str
    area: str
    level: str
    year_before: int
    year_now: int
    unit: str
    decimals: int
    before: float
    now: float
    #: +1 the change is an improvement, −1 a worsening, 0 neutral.
    direction: int

    @property
    def delta(self) -> float:
        return self.now - self.before


@dataclass(frozen=True)
class TargetChange:
    figure: str
    area: str  # "Gesamtstadt" or the area's name
    unit: str
    decimals: int
    before: float
    now: float
    year_before: int
    year_now: int
    met: bool  # True: newly met; False: newly missed


@dataclass(frozen=True)
class SinceReport:
    meeting: sk.MeetingInfo
    previous: sk.MeetingInfo | None
    new_versions: tuple[VersionInfo, ...]
    #: The version each new one replaced (kind → version then), for "vorher …".
    replaced: dict[str, VersionInfo]
    moved: tuple[Moved, ...]
    targets: tuple[TargetChange, ...]
    orders: sk.OrderOverview
    #: Whether the comparison rests on the previous meeting's snapshots (else on import dates).
    from_snapshots: bool

    @property
    def since_label(self) -> str:
        if self.previous is None:
            return "Erste Sitzung: kein Vergleich mit einer früheren Sitzung"
        return f"Seit der Sitzung vom {self.previous.date:%d.%m.%Y} ({self.previous.name})"


def previous_meeting(engine: Engine, meeting: sk.MeetingInfo) -> sk.MeetingInfo | None:
    """The latest meeting of the same body before this one."""
    earlier = [
        m
        for m in sk.list_meetings(engine)
        if m.id != meeting.id and m.body == meeting.body and m.date < meeting.date
    ]
    return max(earlier, key=lambda m: (m.date, m.id), default=None)


def _snapshots(engine: Engine, meeting: sk.MeetingInfo) -> tuple[list[sk.View], list[sk.View]]:
    """The views a meeting showed (its agenda) and those its decisions rest on (no duplicates)."""
    shown = list({a.view.id: a.view for a in meeting.agenda if a.view is not None}.values())
    ids = {v.id for v in shown}
    bases = [
        d.view for d in sk.list_decisions(engine, meeting.id) if d.view is not None and d.view.id not in ids
    ]
    return shown, list({v.id: v for v in bases}.values())


def _then_versions(
    shown: list[sk.View], bases: list[sk.View], known: dict[int, VersionInfo], day: dt.date
) -> tuple[dict[str, int], bool]:
    """Versions per kind as the previous meeting saw them: pinned by the views it showed (a
    decision's basis for kinds none of them used; the latest delivery where several were
    pinned); without snapshots, the latest imported by the meeting's day."""

    def newest(ids: list[int]) -> int:
        return max(ids, key=lambda i: (known[i].imported_at, i) if i in known else (dt.datetime.min, i))

    pinned: dict[str, list[int]] = {}
    for views in (shown, bases):
        found: dict[str, list[int]] = {}
        for v in views:
            for kind, vid in v.versions.items():
                if kind not in pinned:
                    found.setdefault(kind, []).append(vid)
        pinned |= found
    if pinned:
        return {kind: newest(ids) for kind, ids in pinned.items()}, True
    by_date: dict[str, list[int]] = {}
    for version in known.values():
        if version.imported_at.date() <= day:
            by_date.setdefault(version.kind, []).append(version.id)
    return {kind: newest(ids) for kind, ids in by_date.items()}, False


class _Loader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.data: dict[tuple[int, tuple[tuple[str, int], ...]], PlanningData] = {}
        self.plans: dict[tuple[object, ...], PlanResult] = {}

    def load(self, layout_id: int, versions: dict[str, int]) -> PlanningData:
        key = (layout_id, tuple(sorted(versions.items())))
        if key not in self.data:
            code = next(lay.code for lay in list_layouts(self.engine) if lay.id == layout_id)
            self.data[key] = load_planning_data(self.engine, code, versions, exact=True)
        return self.data[key]

    def plan(self, view: sk.View, data: PlanningData) -> PlanResult:
        scenario = view.frozen_scenario() or get_scenario(self.engine, data.layout.id, BASELINE_NAME)
        key = (id(data), repr(scenario))
        if key not in self.plans:
            self.plans[key] = compute_plan(data, scenario)
        return self.plans[key]


def _level(view: sk.View, data: PlanningData) -> int:
    raw = view.state.get(pages.LEVEL, "")
    n = len(data.layout.levels)
    return int(raw) if raw.isdigit() and int(raw) < n else n - 1


def _indicator_frame(
    data: PlanningData, registry: Registry, code: str, level: int, year: int | None
) -> tuple[pd.DataFrame, int | None]:
    """The indicator's rankable values (not secret, not on too small a base) in ``year`` (None:
    the latest year of the data)."""
    indicator = registry.indicator(code)
    table = ind.indicator_table(data, indicator, level)
    years = sorted(int(y) for y in table["year"].dropna().unique())
    if not years:
        return table.iloc[0:0], None
    y = year if year in years else years[-1]
    t = table[(table["year"] == y) & ~table["suppressed"].fillna(False).astype(bool)]
    t = small_base.mark(t, indicator, small_base.default_minimum())
    return t[~t["few"]][["gebiet_id", "value"]], y


def _compare_view(
    loader: _Loader, registry: Registry, view: sk.View, now_versions: dict[str, int]
) -> list[Moved]:
    then = loader.load(view.layout_id, view.versions)
    now_pins = {k: now_versions.get(k, v) for k, v in view.versions.items()}
    if now_pins == view.versions:
        return []  # the same data: nothing moved
    now = loader.load(view.layout_id, now_pins)
    level = _level(view, then)
    names = dict(zip(then.areas["gebiet_id"], then.areas["name"], strict=False))
    if view.page in PLAN_FIGURE and pages.shows_plan(view.page, view.state):
        code, label, unit, direction_sign = PLAN_FIGURE[view.page]
        frames = []
        found: list[int] = []
        for data in (then, now):
            result = loader.plan(view, data)
            data_level = int(data.areas.loc[data.areas["gebiet_id"].isin(result.areas), "level"].max())
            table = at_level(result, data.areas, level, data_level)
            raw = view.state.get(pages.PLAN_YEAR, "")
            wanted = int(raw) if raw.isdigit() else result.base_year + 3
            years = sorted(int(y) for y in table["year"].unique())
            year = wanted if wanted in years else years[-1]
            found.append(year)
            frames.append(table[table["year"] == year][["gebiet_id", code]].rename(columns={code: "value"}))
        y0, y1 = found
        decimals = 0
        polarity = direction_sign
    else:
        default = pages.BY_SLUG[view.page].default_indicator if view.page in pages.BY_SLUG else None
        code = view.state.get(pages.INDICATOR) or default or ""
        if not code:
            return []
        try:
            indicator = registry.indicator(code)
        except KeyError:
            return []
        raw = view.state.get(pages.YEAR, "")
        t0, found0 = _indicator_frame(then, registry, code, level, int(raw) if raw.isdigit() else None)
        if found0 is None:
            return []
        y0 = found0
        # A view of the then latest year is compared with the latest year now (the current figure,
        # e.g. 2024 then, 2025 now); a view of an earlier year with the same year.
        latest_then = _indicator_frame(then, registry, code, level, None)[1]
        t1, found1 = _indicator_frame(now, registry, code, level, None if y0 == latest_then else y0)
        if found1 is None:
            return []
        y1 = found1
        frames = [t0, t1]
        label, unit, decimals, polarity = (
            indicator.label_de,
            indicator.unit,
            indicator.decimals,
            indicator.polarity,
        )
    both = frames[0].merge(frames[1], on="gebiet_id", suffixes=("_then", "_now")).dropna()
    both = both[(both["value_now"] - both["value_then"]).round(decimals) != 0]
    both = both.assign(_abs=(both["value_now"] - both["value_then"]).abs()).sort_values(
        ["_abs", "gebiet_id"], ascending=[False, True]
    )
    out = []
    for row in both.head(MOVED_PER_VIEW).itertuples():
        delta = row.value_now - row.value_then
        out.append(
            Moved(
                figure=label,
                view_title=view.title,
                area=names.get(row.gebiet_id, row.gebiet_id),
                level=then.layout.levels[level],
                year_before=int(y0),
                year_now=int(y1),
                unit=unit,
                decimals=decimals,
                before=float(row.value_then),
                now=float(row.value_now),
                direction=0 if polarity == 0 else (1 if delta * polarity > 0 else -1),
            )
        )
    return out


def _target_changes(then: PlanningData, now: PlanningData, registry: Registry) -> list[TargetChange]:
    """Per indicator with a target: the city and the data-level areas whose light turned green
    (newly met) or left green (newly missed), each at the latest year of its data."""
    out: list[TargetChange] = []
    for code, target in sorted(registry.targets.items()):
        try:
            indicator = registry.indicator(code)
        except KeyError:
            continue
        level = now.data_level
        frames = []
        for data in (then, now):
            try:
                frame, year = _indicator_frame(data, registry, code, level, None)
                city = ind.city_series(data, indicator)
            except (KeyError, ValueError):
                frame, year, city = pd.DataFrame(columns=["gebiet_id", "value"]), None, pd.DataFrame()
            city = city[city["value"].notna()] if not city.empty else city
            city_value = (
                float(city.sort_values("year")["value"].iloc[-1])
                if year is not None and not city.empty
                else None
            )
            frames.append((frame, year, city_value))
        (f0, y0, c0), (f1, y1, c1) = frames
        if y0 is None or y1 is None:
            continue

        def green(value: float | None, t: Target = target, i: ind.Indicator = indicator) -> bool | None:
            lamp = light(value, t, i.polarity, i.decimals)
            return None if lamp is None else lamp == GRUEN

        names = dict(zip(now.areas["gebiet_id"], now.areas["name"], strict=False))
        pairs = [("Gesamtstadt", c0, c1)]
        both = f0.merge(f1, on="gebiet_id", suffixes=("_then", "_now"))
        pairs += [
            (names.get(g, g), a, b)
            for g, a, b in zip(both["gebiet_id"], both["value_then"], both["value_now"], strict=True)
        ]
        for area, a, b in pairs:
            was, is_ = green(a), green(b)
            if was is None or is_ is None or was == is_:
                continue
            assert a is not None and b is not None
            out.append(
                TargetChange(
                    indicator.label_de,
                    area,
                    indicator.unit,
                    indicator.decimals,
                    float(a),
                    float(b),
                    y0,
                    y1,
                    met=bool(is_),
                )
            )
    return out


def since_last_meeting(
    engine: Engine, key: str | int, progress: Callable[[str], None] | None = None
) -> SinceReport:
    """The report that opens meeting ``key`` (id or name)."""
    meeting = sk.get_meeting(engine, key)
    previous = previous_meeting(engine, meeting)
    orders = sk.order_overview(engine, meeting)
    if previous is None:
        return SinceReport(meeting, None, (), {}, (), (), orders, False)
    layout = get_layout(engine)
    by_id = {v.id: v for v in list_versions(engine, layout.id)}
    shown, bases = ([v for v in views if v.layout_id == layout.id] for views in _snapshots(engine, previous))
    snapshots = shown + bases
    then_ids, from_snapshots = _then_versions(shown, bases, by_id, previous.date)
    now = {k: v.id for k, v in active_versions(engine, layout.id).items()}
    new = tuple(by_id[vid] for kind, vid in now.items() if then_ids.get(kind) != vid)
    replaced = {v.kind: by_id[then_ids[v.kind]] for v in new if then_ids.get(v.kind) in by_id}
    registry = load_registry(engine)
    loader = _Loader(engine)
    moved: list[Moved] = []
    for view in snapshots:
        if progress:
            progress(view.title)
        moved += _compare_view(loader, registry, view, now)
    targets: list[TargetChange] = []
    if new:
        then_data = loader.load(layout.id, then_ids)
        now_data = loader.load(layout.id, now)
        targets = _target_changes(then_data, now_data, registry)
    return SinceReport(
        meeting=meeting,
        previous=previous,
        new_versions=new,
        replaced=replaced,
        moved=tuple(moved),
        targets=tuple(targets),
        orders=orders,
        from_snapshots=from_snapshots,
    )


# --------------------------------------------------------------------------- as German tables


def _value(v: float, unit: str, decimals: int, signed: bool = False) -> str:
    text = number(v, decimals, signed=signed)
    return f"{text} {unit}".strip() if unit in ("%", "Plätze", "%-Punkte") else text


def moved_table(report: SinceReport) -> pd.DataFrame:
    """The figures that moved most, one row per area (both years named)."""
    rows = [
        {
            "Kennzahl": m.figure,
            "Gebiet": m.area,
            "damals": f"{_value(m.before, m.unit, m.decimals)} ({m.year_before})",
            "jetzt": f"{_value(m.now, m.unit, m.decimals)} ({m.year_now})",
            "Veränderung": _change(m),
        }
        for m in report.moved
    ]
    return pd.DataFrame(rows, columns=["Kennzahl", "Gebiet", "damals", "jetzt", "Veränderung"])


def _change(m: Moved) -> str:
    unit = "%-Punkte" if m.unit == "%" else m.unit
    return (
        _value(m.delta, unit, m.decimals, signed=True) + {1: " besser", -1: " schlechter", 0: ""}[m.direction]
    )


def moved_groups(report: SinceReport) -> list[tuple[str, pd.DataFrame]]:
    """The moved figures per snapshot: a title naming figure, level and years, and its rows."""
    out: list[tuple[str, pd.DataFrame]] = []
    for title in dict.fromkeys(m.view_title for m in report.moved):
        ms = [m for m in report.moved if m.view_title == title]
        first = ms[0]
        years = (
            f"Planjahr {first.year_now}, Prognose damals und heute"
            if first.year_before == first.year_now
            else f"{first.year_before} damals, {first.year_now} heute"
        )
        frame = pd.DataFrame(
            [
                {
                    first.level: m.area,
                    "damals": _value(m.before, m.unit, m.decimals),
                    "jetzt": _value(m.now, m.unit, m.decimals),
                    "Veränderung": _change(m),
                }
                for m in ms
            ]
        )
        out.append((f"{first.figure} nach {first.level} ({years})", frame))
    return out


def target_table(report: SinceReport) -> pd.DataFrame:
    """Targets newly missed first, then newly met."""
    ordered = sorted(report.targets, key=lambda t: (t.met, t.figure, t.area))
    rows = [
        {
            "Ziel": "neu verfehlt" if not t.met else "neu erreicht",
            "Kennzahl": t.figure,
            "Gebiet": t.area,
            "damals": f"{_value(t.before, t.unit, t.decimals)} ({t.year_before})",
            "jetzt": f"{_value(t.now, t.unit, t.decimals)} ({t.year_now})",
        }
        for t in ordered
    ]
    return pd.DataFrame(rows, columns=["Ziel", "Kennzahl", "Gebiet", "damals", "jetzt"])


def version_lines(report: SinceReport) -> list[str]:
    """ "Bevölkerung: Einwohnerregister … (Stand 31.12.2025, Nr. 12; vorher Stand 31.12.2024, Nr. 10)"."""
    out = []
    for v in report.new_versions:
        before = report.replaced.get(v.kind)
        was = f"; vorher Stand {before.stand:%d.%m.%Y}, Nr. {before.id}" if before and before.stand else ""
        stand = f"Stand {v.stand:%d.%m.%Y}, " if v.stand else ""
        out.append(f"{KIND_LABELS.get(v.kind, v.kind)}: {v.label} ({stand}Nr. {v.id}{was})")
    return out


def order_table(report: SinceReport) -> pd.DataFrame:
    """Work orders overdue (first) and done since the previous meeting."""
    ov = report.orders
    rows = [
        {
            "Stand": "überfällig" if o in ov.overdue else "erledigt",
            "Auftrag": o.title,
            "Beauftragt": o.group + (f" ({o.owner})" if o.owner else ""),
            "Fällig": f"{o.due:%d.%m.%Y}" if o.due else "–",
        }
        for o in [*ov.overdue, *ov.done_since]
    ]
    return pd.DataFrame(rows, columns=["Stand", "Auftrag", "Beauftragt", "Fällig"])
