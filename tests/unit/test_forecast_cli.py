"""`python -m planning forecast`: the CSV contract (columns, IDs, years) on the demo city."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.cli import main


@pytest.fixture(scope="module")
def demo_url(demo_template, tmp_path_factory):
    return demo_template.copy(tmp_path_factory.mktemp("fc"))


def test_forecast_csv_contract(demo_url, tmp_path):
    out = tmp_path / "prognose.csv"
    assert main(["--db", demo_url, "forecast", "--years", "3", "--out", str(out)]) == 0
    df = pd.read_csv(out, dtype={"area_id": str})
    assert list(df.columns) == ["area_id", "year", "age", "children"]
    assert sorted(df["year"].unique()) == [2026, 2027, 2028]
    assert len(df) == 32 * 3 * 18 and "0101" in set(df["area_id"])
    assert (df["children"] >= 0).all()
    # next year's 1-year-olds come from this year's 0-year-olds: same order of magnitude per area
    assert df.loc[(df["year"] == 2026) & (df["age"] == 1), "children"].sum() > 900


def test_forecast_variants_and_unknown_scenario(demo_url, tmp_path, capsys):
    low, high = tmp_path / "n.csv", tmp_path / "h.csv"
    assert (
        main(["--db", demo_url, "forecast", "--years", "5", "--variante", "niedrig", "--out", str(low)]) == 0
    )
    assert main(["--db", demo_url, "forecast", "--years", "5", "--variante", "hoch", "--out", str(high)]) == 0
    assert pd.read_csv(high)["children"].sum() > pd.read_csv(low)["children"].sum()
    assert main(["--db", demo_url, "forecast", "--scenario", "Traum", "--out", str(low)]) == 1
    assert "Szenario „Traum“ gibt es nicht" in capsys.readouterr().err


def test_backtest_json_on_the_demo_city(demo_url, capsys):
    import json

    assert main(["--db", demo_url, "backtest", "--base-year", "2020", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    horizons = result["horizons"]
    assert result["base_year"] == 2020 and [h["horizon"] for h in horizons] == [1, 2, 3, 4, 5]
    assert all({"mape", "bias", "city_error", "areas"} <= set(h) for h in horizons)
    assert horizons[0]["mape"] < 10  # one year ahead a small-area forecast stays within a few percent
    assert horizons[-1]["mape"] > horizons[0]["mape"]  # error grows with the horizon
    assert main(["--db", demo_url, "backtest", "--base-year", "2030"]) == 1
    capsys.readouterr()
    assert main(["--db", demo_url, "backtest", "--json"]) == 0  # every base year, pooled
    pooled = json.loads(capsys.readouterr().out)
    assert pooled["base_years"] == list(range(2015, 2025)) and pooled["base_year"] is None
    first = pooled["horizons"][0]
    assert first["areas"] == 32 * 10
    assert {"mape_carry_forward", "mape_ageing"} <= set(first)
    assert first["mape"] < first["mape_carry_forward"]


def test_plan_csv_contract_and_scenarios(demo_url, tmp_path, capsys):
    base, school = tmp_path / "basis.csv", tmp_path / "schule.csv"
    assert main(["--db", demo_url, "plan", "--out", str(base)]) == 0
    df = pd.read_csv(base, dtype={"area_id": str})
    assert list(df.columns) == [
        "area_id", "year", "u3_demand", "u3_places", "ue3_demand", "ue3_places", "kita_gap",
        "school_entrants", "classes_needed", "classes_available", "ganztag_demand", "ganztag_places",
    ]  # fmt: skip
    assert len(df) == 32 * 11 and df["year"].min() == 2025 and df["year"].max() == 2035
    gap = df["u3_places"] + df["ue3_places"] - df["u3_demand"] - df["ue3_demand"]
    assert (gap - df["kita_gap"]).abs().max() < 0.02  # rounded to 2 decimals
    assert (
        main(["--db", demo_url, "plan", "--scenario", "Grundschule Sonnenhang 2028", "--out", str(school)])
        == 0
    )
    s = pd.read_csv(school, dtype={"area_id": str}).set_index(["area_id", "year"])
    b = df.set_index(["area_id", "year"])
    assert s.loc[("0405", 2028), "classes_available"] - b.loc[("0405", 2028), "classes_available"] == 12
    assert s.loc[("0405", 2027), "classes_available"] == b.loc[("0405", 2027), "classes_available"]
    capsys.readouterr()
    assert main(["--db", demo_url, "scenarios", "--json"]) == 0
    import json

    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["name"] == "Basis" and len(listed) == 4
    assert "Wohnbauprojekt W03 2 Jahr(e) später" in listed[2]["changes"]


def test_forecast_follows_the_scenario_housing(demo_url, tmp_path):
    base, later = tmp_path / "b.csv", tmp_path / "l.csv"
    assert main(["--db", demo_url, "forecast", "--out", str(base)]) == 0
    assert (
        main(
            ["--db", demo_url, "forecast", "--scenario", "Heidkamp-Nord 2 Jahre später", "--out", str(later)]
        )
        == 0
    )
    b = pd.read_csv(base, dtype={"area_id": str})
    lt = pd.read_csv(later, dtype={"area_id": str})
    in_2027 = [f[(f["area_id"] == "0704") & (f["year"] == 2027)]["children"].sum() for f in (b, lt)]
    assert in_2027[0] > in_2027[1]  # the delayed new build brings its children later
    others = [f[(f["area_id"] != "0704")]["children"].sum() for f in (b, lt)]
    assert others[0] == pytest.approx(others[1])


def test_spanne_adds_low_and_high_columns_and_leaves_the_contract_alone(demo_url, tmp_path, capsys):
    plain, ranged = tmp_path / "p.csv", tmp_path / "s.csv"
    assert main(["--db", demo_url, "forecast", "--years", "3", "--out", str(plain)]) == 0
    assert main(["--db", demo_url, "forecast", "--years", "3", "--spanne", "--out", str(ranged)]) == 0
    p = pd.read_csv(plain, dtype={"area_id": str})
    s = pd.read_csv(ranged, dtype={"area_id": str})
    assert list(p.columns) == ["area_id", "year", "age", "children"]
    assert list(s.columns) == ["area_id", "year", "age", "children", "children_low", "children_high"]
    assert (s["children_low"] <= s["children"] + 0.01).all() and (
        s["children"] <= s["children_high"] + 0.01
    ).all()
    width = s.assign(w=s["children_high"] - s["children_low"]).groupby("year")["w"].sum()
    assert width[2026] < width[2028]  # wider further ahead
    assert "Spanne: 80 % der Rückrechnungsfehler (Basisjahre 2015–2024)" in capsys.readouterr().err

    plan_plain, plan_ranged = tmp_path / "pp.csv", tmp_path / "ps.csv"
    assert main(["--db", demo_url, "plan", "--out", str(plan_plain)]) == 0
    assert main(["--db", demo_url, "plan", "--spanne", "--out", str(plan_ranged)]) == 0
    a = pd.read_csv(plan_plain, dtype={"area_id": str})
    b = pd.read_csv(plan_ranged, dtype={"area_id": str})
    value_columns = [c for c in a.columns if c not in ("area_id", "year")]
    assert list(b.columns) == ["area_id", "year"] + [
        name for c in value_columns for name in (c, f"{c}_low", f"{c}_high")
    ]
    assert (b["u3_places_low"] == b["u3_places"]).all()  # places are facts: no range
    future = b[b["year"] > 2025]
    assert (future["kita_gap_low"] < future["kita_gap_high"]).mean() > 0.9
    assert (future["kita_gap_low"] <= future["kita_gap"] + 0.01).all()
    first = b[b["year"] == 2025]
    assert (first["kita_gap_low"] == first["kita_gap"]).all()  # the base year is observed
