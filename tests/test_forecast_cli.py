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
