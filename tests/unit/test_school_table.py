"""Per primary school: the area's entrants shared by Züge, classes formed per school."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning.plan import compute_plan
from planning.scenarios import Scenario
from planning.school_table import per_school, unassigned
from tests.unit.test_plan import make_data


def test_entrants_are_shared_by_zuege_and_each_school_rounds_its_own_classes():
    # Area A: 60 six-year-olds, two schools with 2 and 1 Züge; area B: 10 children, no school.
    kids = {("A", y): [0] * 6 + [60] for y in (2024, 2025)} | {("B", y): [0] * 6 + [10] for y in (2024, 2025)}
    data = make_data(kids, schools=[("S1", "A", 2, 50), ("S2", "A", 1, 10)])
    res = compute_plan(data, Scenario("q", params={"einschulungsquote": 1.0}))
    table = per_school(res, data.schools, 2025).set_index("schul_id")
    assert table.loc["S1", "share"] == pytest.approx(2 / 3) and table.loc["S2", "share"] == pytest.approx(
        1 / 3
    )
    assert table.loc["S1", "school_entrants"] == pytest.approx(40)
    assert table.loc["S2", "school_entrants"] == pytest.approx(20)
    assert (
        table.loc["S1", "entry_classes"] == 2 and table.loc["S2", "entry_classes"] == 1
    )  # ceil(40/26), ceil(20/26)
    assert table.loc["S1", "entry_balance"] == 0 and table.loc["S2", "entry_balance"] == 0
    rest = unassigned(res, data.schools, 2025)
    assert list(rest["gebiet_id"]) == ["B"] and rest["school_entrants"].iloc[0] == pytest.approx(10)


def test_schools_without_zuege_share_equally_and_missing_capacity_stays_unknown():
    kids = {("A", y): [0] * 6 + [30] for y in (2024, 2025)}
    data = make_data(kids, schools=[("S1", "A", None, None), ("S2", "A", None, None)])
    data.schools["zuege"] = pd.array([None, None], dtype="Int64")
    res = compute_plan(data, Scenario("q", params={"einschulungsquote": 1.0}))
    table = per_school(res, data.schools, 2025)
    assert np.allclose(table["share"], 0.5) and np.allclose(table["school_entrants"], 15)
    assert table["entry_balance"].isna().all()  # no Züge stated: the balance is unknown, not a deficit
    assert per_school(res, data.schools.iloc[0:0], 2025).empty
