"""Indicator tables: values per area of any level and year, the city series, and small-number
protection of sensitive indicators (upper levels sum numerators and denominators of the data level,
never average rates)."""

from __future__ import annotations

import pandas as pd

from planning import auth
from planning.areas import ancestor_map
from planning.indicators.catalogue import resolve
from planning.indicators.definition import Frame, Indicator, IndicatorRef
from planning.repository import PlanningData
from planning.suppression import GESAMTSTADT, suppress, with_totals


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
