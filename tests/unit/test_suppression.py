"""Small-number protection: hand-computed cases, attacks on random hierarchies and the demo city.

The attacks are independent of the implementation: from the hierarchy and which cells are
published (every row of ``with_totals`` that ``suppress`` did not blank) they try to recompute
each secret cell from the published totals, by any linear combination and with the knowledge that
counts are non-negative. The true values only serve to decide whether another world that fits the
published figures exists.
"""

from __future__ import annotations

import os
from collections import deque
from itertools import product

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.indicators import INDICATORS, get_indicator
from planning.suppression import (
    DEFAULT_RULE,
    GEHEIM,
    GESAMTSTADT,
    GESAMTSTADT_LEVEL,
    KEINE_DATEN,
    PRIMAER,
    SEKUNDAER,
    SuppressionRule,
    cell_text,
    export_frame,
    suppress,
    with_totals,
)

# --------------------------------------------------------------------------- helpers


def _flat(
    values: list[float | None], dens: list[float | None] | None = None, year: int = 2024
) -> pd.DataFrame:
    """Areas a, b, c, … of one year without hierarchy (their sum, the city, counts as published)."""
    return pd.DataFrame(
        {
            "gebiet_id": [chr(ord("a") + i) for i in range(len(values))],
            "year": year,
            "numerator": pd.array(values, dtype="Float64"),
            "denominator": pd.array(dens if dens is not None else [None] * len(values), dtype="Float64"),
        }
    )


def _areas(tree: dict[str, list[str]]) -> pd.DataFrame:
    """Hierarchy from ``{parent: [children]}``; parents that are nobody's child are top level."""
    children = {c for cs in tree.values() for c in cs}
    rows = [(p, None) for p in tree if p not in children]
    rows += [(c, p) for p, cs in tree.items() for c in cs]
    parent = dict(rows)

    def level(g: str) -> int:
        return 0 if parent[g] is None else 1 + level(parent[g])

    return pd.DataFrame(
        {
            "gebiet_id": [g for g, _ in rows],
            "name": [f"Gebiet {g}" for g, _ in rows],
            "level": [level(g) for g, _ in rows],
            "parent_gebiet_id": [p for _, p in rows],
        }
    )


def _leaves(areas: pd.DataFrame, values: dict[str, float | None], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gebiet_id": list(values),
            "year": year,
            "numerator": pd.array(list(values.values()), dtype="Float64"),
            "denominator": pd.array([None] * len(values), dtype="Float64"),
        }
    )


def _secret(out: pd.DataFrame) -> dict[str, str]:
    return dict(
        zip(out.loc[out["suppressed"], "gebiet_id"], out.loc[out["suppressed"], "reason"], strict=True)
    )


# --------------------------------------------------------------------------- attackers


def _published_tree(truth: pd.DataFrame, out: pd.DataFrame, areas: pd.DataFrame | None, year: int, col: str):
    """Cells of one year as the attacker sees the structure: parent map, children, secret flags.

    ``truth`` holds the true values (rows of :func:`with_totals` before suppression); only the
    secret *flags* of ``out`` and the published structure are used to decide what is derivable.
    """
    t = truth[truth["year"] == year]
    o = out[out["year"] == year]
    if areas is None:
        parent = {g: GESAMTSTADT for g in t["gebiet_id"] if g != GESAMTSTADT}
    else:
        parent = {
            g: (GESAMTSTADT if pd.isna(p) else p)
            for g, p in zip(areas["gebiet_id"], areas["parent_gebiet_id"], strict=True)
        }
    is_rate = bool(truth["denominator"].notna().any())
    valid = t["numerator"].notna() & (t["denominator"].notna() if is_rate else True)
    cells = t.loc[valid, "gebiet_id"].tolist()
    value = dict(zip(cells, t.loc[valid, col].astype(float), strict=True))
    flags = dict(zip(o["gebiet_id"], o["suppressed"], strict=True))
    hidden = {g: bool(flags[g]) for g in cells}
    kids: dict[str, list[str]] = {g: [] for g in cells}
    for g in cells:
        p = parent.get(g)
        if p in kids:
            kids[p].append(g)
    return cells, value, hidden, kids, parent


def linearly_determined(truth, out, areas, col: str) -> list[tuple[int, str]]:
    """Secret cells whose value follows from "total minus shown parts", combined over all totals.

    Every total gives ``total − Σ parts = 0``; published cells are constants. A secret cell is
    derivable iff its unit vector lies in the row space of the equations restricted to the secret
    cells (any linear combination of the equations, not only one subtraction at a time).
    """
    found = []
    for year in sorted(truth["year"].unique()):
        cells, _, hidden, kids, _ = _published_tree(truth, out, areas, year, col)
        secret = [g for g in cells if hidden[g]]
        if not secret:
            continue
        col_of = {g: j for j, g in enumerate(secret)}
        rows = []
        for p, cs in kids.items():
            if not cs:
                continue
            r = np.zeros(len(secret))
            for g, sign in [(p, 1.0), *((c, -1.0) for c in cs)]:
                if g in col_of:
                    r[col_of[g]] += sign
            rows.append(r)
        a = np.array(rows) if rows else np.zeros((0, len(secret)))
        rank = np.linalg.matrix_rank(a) if len(a) else 0
        for g, j in col_of.items():
            e = np.zeros(len(secret))
            e[j] = 1.0
            if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
                found.append((int(year), g))
    return found


def _reach(edges: dict, value: dict, src: str, dst: str, skip: str) -> bool:
    """Path from ``src`` to ``dst`` along secret edges (forward) or against positive ones."""
    adj: dict[str, list[str]] = {}
    for e, (u, v) in edges.items():
        if e == skip:
            continue
        adj.setdefault(u, []).append(v)
        if value[e] > 0:
            adj.setdefault(v, []).append(u)
    seen, todo = {src}, deque([src])
    while todo:
        x = todo.popleft()
        if x == dst:
            return True
        for y in adj.get(x, []):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return False


def _frontier_sums(g: str, value, hidden, kids, threshold: float, memo: dict, must_expand: bool = False):
    """Every (clamped secret sum, non-empty) of the frontiers of ``g``: stop at it or expand it."""
    if (g, must_expand) in memo:
        return memo[g, must_expand]
    opts: set[tuple[float, bool]] = set()
    if not must_expand:
        opts.add((min(value[g], threshold), True) if hidden[g] else (0.0, False))
    if kids[g]:
        acc = {(0.0, False)}
        for c in kids[g]:
            below = _frontier_sums(c, value, hidden, kids, threshold, memo)
            acc = {(min(s + x, threshold), a or b) for (s, a), (x, b) in product(acc, below)}
        opts |= acc
    memo[g, must_expand] = opts
    return opts


def pinned_by_bounds(truth, out, areas, col: str) -> list[tuple[int, str]]:
    """Secret cells whose value is fixed once the attacker adds "no count is negative".

    The totals form a network: each total is a vertex, each cell an edge from the total it is
    (or "outside" for a leaf) to the total it belongs to (or "outside" for the city). Secret
    values can change along a cycle of secret edges; going against an edge lowers that cell,
    which is only possible if it is positive. A secret cell is pinned iff it can neither rise
    (path from its head back to its tail) nor fall (it is positive and there is a path from its
    tail to its head) — exact for linear constraints with bounds on a network (flow theory).
    """
    outside = "∞"
    found = []
    for year in sorted(truth["year"].unique()):
        cells, value, hidden, kids, parent = _published_tree(truth, out, areas, year, col)
        present = set(cells)
        edges = {}
        for g in cells:
            if hidden[g]:
                tail = g if kids[g] else outside
                p = parent.get(g)
                head = p if p in present else outside
                edges[g] = (tail, head)

        for g, (tail, head) in edges.items():
            can_rise = _reach(edges, value, head, tail, g)
            can_fall = value[g] > 0 and _reach(edges, value, tail, head, g)
            if not (can_rise or can_fall):
                found.append((int(year), g))
    return found


def small_derived_sums(truth, out, areas, col: str, threshold: float) -> list[tuple[int, str, float]]:
    """Shown totals under which some "total minus shown cells" leaves secret cells summing < threshold.

    Enumerates every frontier below each shown total (expand any cell into its parts or stop);
    sums are clamped at the threshold, which keeps the sets small.
    """
    found = []
    for year in sorted(truth["year"].unique()):
        cells, value, hidden, kids, _ = _published_tree(truth, out, areas, year, col)
        memo: dict = {}
        for t in cells:
            if kids[t] and not hidden[t]:
                for s, nonempty in _frontier_sums(t, value, hidden, kids, threshold, memo, must_expand=True):
                    if nonempty and s < threshold:
                        found.append((int(year), t, s))
    return found


def _attack(truth: pd.DataFrame, out: pd.DataFrame, areas, rule: SuppressionRule, rate: bool) -> None:
    checks = [("numerator", float(rule.min_count))]
    if rate:
        checks.append(("denominator", float(rule.min_denominator)))
    for col, threshold in checks:
        assert linearly_determined(truth, out, areas, col) == [], col
        assert pinned_by_bounds(truth, out, areas, col) == [], col
        assert small_derived_sums(truth, out, areas, col, threshold) == [], col


def _assert_primary_hidden(truth: pd.DataFrame, out: pd.DataFrame, rule: SuppressionRule, rate: bool) -> None:
    small = truth["numerator"].lt(rule.min_count).fillna(False)
    if not rule.zero_is_secret:
        small &= truth["numerator"].gt(0).fillna(False)
    if rate:
        small |= truth["denominator"].lt(rule.min_denominator).fillna(False)
    assert out.loc[small.to_numpy(), "suppressed"].all()
    assert (out.loc[small.to_numpy(), "reason"] == PRIMAER).all()


# --------------------------------------------------------------------------- hand-computed cases


def test_one_small_cell_takes_the_smallest_other_with_it():
    out = suppress(_flat([1, 5, 7, 9]))
    assert _secret(out) == {"a": PRIMAER, "b": SEKUNDAER}
    assert out.loc[out["suppressed"], "numerator"].isna().all()
    assert out.loc[~out["suppressed"], "numerator"].tolist() == [7, 9]


def test_two_small_cells_that_sum_to_the_threshold_need_no_third():
    assert _secret(suppress(_flat([1, 2, 50, 60]))) == {"a": PRIMAER, "b": PRIMAER}


def test_two_small_cells_that_sum_below_the_threshold_take_a_third():
    # With zeros secret: 0 + 1 = 1 would be "total minus shown" and itself a small number.
    strict = SuppressionRule(zero_is_secret=True)
    assert _secret(suppress(_flat([0, 1, 50, 60]), strict)) == {"a": PRIMAER, "b": PRIMAER, "c": SEKUNDAER}
    assert _secret(suppress(_flat([0, 0, 50, 60]), strict)) == {"a": PRIMAER, "b": PRIMAER, "c": SEKUNDAER}
    assert _secret(suppress(_flat([1, 1, 50, 60]))) == {"a": PRIMAER, "b": PRIMAER, "c": SEKUNDAER}


def test_zeros_are_shown_and_never_taken_as_the_second_cell():
    """A 0 identifies nobody (Federal Employment Agency practice); hiding one would protect nothing."""
    assert _secret(suppress(_flat([0, 0, 50, 60]))) == {}
    # The lone 1 takes the smallest *positive* cell with it, not one of the zeros: 1 + 0 is still 1.
    assert _secret(suppress(_flat([1, 0, 0, 50, 60]))) == {"a": PRIMAER, "d": SEKUNDAER}


def test_nothing_is_hidden_when_every_count_reaches_the_threshold():
    out = suppress(_flat([3, 4, 50]))
    assert not out["suppressed"].any()
    assert out["reason"].isna().all()


def test_hierarchy_one_small_planungsraum():
    areas = _areas({"01": ["0101", "0102", "0103"], "02": ["0201", "0202"]})
    full = with_totals(_leaves(areas, {"0101": 1, "0102": 10, "0103": 20, "0201": 30, "0202": 40}), areas)
    out = suppress(full, DEFAULT_RULE, areas)
    assert _secret(out) == {"0101": PRIMAER, "0102": SEKUNDAER}
    shown = out[~out["suppressed"]].set_index("gebiet_id")["numerator"]
    assert shown[["01", "02", GESAMTSTADT]].tolist() == [31, 70, 101]


def test_a_small_bezirk_hides_a_second_bezirk_and_one_of_its_children():
    # Bezirk 01 (1 + 1 = 2) is primary with its children. At city level 01 would be "city minus 02
    # minus 03", so the smaller Bezirk 03 is hidden too; then 03 would be the sum of its shown
    # children, so its smallest child 0301 goes as well.
    areas = _areas({"01": ["0101", "0102"], "02": ["0201", "0202"], "03": ["0301", "0302"]})
    values = {"0101": 1, "0102": 1, "0201": 30, "0202": 40, "0301": 20, "0302": 25}
    full = with_totals(_leaves(areas, values), areas)
    out = suppress(full, DEFAULT_RULE, areas)
    assert _secret(out) == {
        "01": PRIMAER,
        "0101": PRIMAER,
        "0102": PRIMAER,
        "03": SEKUNDAER,
        "0301": SEKUNDAER,
    }
    _attack(full, out, areas, DEFAULT_RULE, rate=False)


def test_secret_sum_across_levels_is_not_a_small_number():
    # With zeros secret (stricter rule): 01 (1 + 1) is primary; 02 is hidden to protect it at city
    # level and 0201 (0) is primary.
    # Then city − 03 − 0202 − 0203 = 0101 + 0102 + 0201 = 2: a small number (and 0201 = 0 could be
    # pinned with 0101 + 0102 = 2 known). The smallest cell of that sum, 0202, is hidden as well.
    areas = _areas({"01": ["0101", "0102"], "02": ["0201", "0202", "0203"], "03": ["0301"]})
    values = {"0101": 1, "0102": 1, "0201": 0, "0202": 9, "0203": 12, "0301": 50}
    full = with_totals(_leaves(areas, values), areas)
    strict = SuppressionRule(zero_is_secret=True)
    out = suppress(full, strict, areas)
    assert _secret(out) == {
        "01": PRIMAER,
        "0101": PRIMAER,
        "0102": PRIMAER,
        "02": SEKUNDAER,
        "0201": PRIMAER,
        "0202": SEKUNDAER,
    }
    _attack(full, out, areas, strict, rate=False)


def test_rate_small_base_is_primary_and_protected_by_the_smallest_numerator():
    out = suppress(_flat([5, 10, 12, 3], [50, 400, 500, 300]))
    assert _secret(out) == {"a": PRIMAER, "d": SEKUNDAER}
    secret = out[out["suppressed"]]
    assert secret[["numerator", "denominator"]].isna().all().all()


def test_rate_secret_bases_must_not_add_up_to_a_small_base():
    # Both bases are below 100 and would sum to 90: "city base minus shown bases" → hide one more.
    out = suppress(_flat([5, 6, 10, 20], [40, 50, 400, 500]))
    assert _secret(out) == {"a": PRIMAER, "b": PRIMAER, "c": SEKUNDAER}


def test_rate_value_is_blanked_with_numerator_and_denominator():
    areas = _areas({"01": ["0101", "0102", "0103"]})
    base = pd.DataFrame(
        {
            "gebiet_id": ["0101", "0102", "0103"],
            "year": 2024,
            "numerator": [2.0, 40.0, 50.0],
            "denominator": [300.0, 400.0, 500.0],
        }
    )
    full = with_totals(base, areas, scale=1000.0)
    assert full.set_index("gebiet_id").loc[GESAMTSTADT, "value"] == pytest.approx(92 / 1200 * 1000)
    out = suppress(full, DEFAULT_RULE, areas)
    assert _secret(out) == {"0101": PRIMAER, "0102": SEKUNDAER}
    assert out.loc[out["suppressed"], ["numerator", "denominator", "value"]].isna().all().all()
    _attack(full, out, areas, DEFAULT_RULE, rate=True)


def test_single_child_takes_its_total_with_it():
    # A Bezirk with one Planungsraum equals it: a secret Planungsraum hides the Bezirk too.
    areas = _areas({"01": ["0101"], "02": ["0201", "0202"]})
    base = pd.DataFrame(
        {
            "gebiet_id": ["0101", "0201", "0202"],
            "year": 2024,
            "numerator": [5.0, 30.0, 40.0],
            "denominator": [50.0, 400.0, 500.0],
        }
    )
    full = with_totals(base, areas, scale=100.0)
    out = suppress(full, DEFAULT_RULE, areas)
    secret = _secret(out)
    assert secret["0101"] == PRIMAER and "01" in secret
    _attack(full, out, areas, DEFAULT_RULE, rate=True)


def test_missing_is_not_secret_and_does_not_count_as_a_part():
    out = suppress(_flat([None, 1, 8, 9]))
    assert _secret(out) == {"b": PRIMAER, "c": SEKUNDAER}
    assert not out.set_index("gebiet_id").loc["a", "suppressed"]


def test_delivered_value_that_cannot_be_checked_is_secret():
    t = _flat([None, 10, 20], [None, 400, 500]).assign(value=[1.5, 2.5, 4.0])
    assert _secret(suppress(t)) == {"a": PRIMAER}
    assert _secret(suppress(t, SuppressionRule(hide_unverifiable=False))) == {}


def test_suppress_returns_a_new_frame_and_leaves_the_input_alone():
    t = _flat([1, 5, 7, 9])
    before = t.copy()
    suppress(t)
    pd.testing.assert_frame_equal(t, before)


def test_years_are_protected_separately():
    t = pd.concat([_flat([1, 5, 7], year=2023), _flat([4, 5, 7], year=2024)], ignore_index=True)
    out = suppress(t)
    assert set(map(tuple, out.loc[out["suppressed"], ["year", "gebiet_id"]].to_numpy())) == {
        (2023, "a"),
        (2023, "b"),
    }


def test_with_totals_adds_every_level_and_the_city():
    areas = _areas({"01": ["0101", "0102"], "02": ["0201"]})
    full = with_totals(_leaves(areas, {"0101": 1, "0102": None, "0201": 7}), areas)
    f = full.set_index("gebiet_id")
    assert f.loc["01", "numerator"] == 1 and f.loc["01", "missing"] == 1
    assert f.loc[GESAMTSTADT, "numerator"] == 8 and f.loc[GESAMTSTADT, "level"] == GESAMTSTADT_LEVEL
    assert f.loc[GESAMTSTADT, "name"] == "Gesamtstadt" and f.loc["02", "name"] == "Gebiet 02"
    assert f.loc["0201", "value"] == 7


@pytest.mark.parametrize(
    ("frame", "hierarchy", "message"),
    [
        (pd.DataFrame({"gebiet_id": ["a"], "year": [2024]}), None, "numerator"),
        (pd.concat([_flat([1]), _flat([2])]), None, "mehrfach"),
        (_flat([1, 2]), _areas({"x": ["y"]}), "fehlen in der Gebietshierarchie"),
    ],
)
def test_bad_input_is_refused_with_a_german_message(frame, hierarchy, message):
    with pytest.raises(ValueError, match=message):
        suppress(frame, DEFAULT_RULE, hierarchy)


def test_a_total_that_is_not_the_sum_of_its_parts_is_refused():
    areas = _areas({"01": ["0101", "0102"]})
    full = with_totals(_leaves(areas, {"0101": 5, "0102": 6}), areas)
    full.loc[full["gebiet_id"] == "01", "numerator"] = 12
    with pytest.raises(ValueError, match="passt nicht"):
        suppress(full, DEFAULT_RULE, areas)


def test_rule_validation_and_hint():
    with pytest.raises(ValueError):
        SuppressionRule(min_count=-1)
    assert "von 1 bis 2" in DEFAULT_RULE.hinweis_de and "100" in DEFAULT_RULE.hinweis_de
    assert "unter 3" in SuppressionRule(zero_is_secret=True).hinweis_de
    hze = get_indicator("hze_je_1000")  # the indicator's own thresholds make its rule
    assert hze.rule == SuppressionRule(min_count=hze.min_count, min_denominator=hze.min_denominator)
    assert get_indicator("kinder_u3").rule is None


def test_export_reads_geheim_for_secret_and_keine_daten_for_missing():
    out = suppress(_flat([None, 1, 8, 9]))
    exp = export_frame(out, missing=KEINE_DATEN)
    assert exp["numerator"].tolist() == [KEINE_DATEN, GEHEIM, GEHEIM, 9.0]
    assert "reason" not in exp.columns and "suppressed" not in exp.columns
    assert export_frame(out)["numerator"].tolist()[0] == ""
    with pytest.raises(ValueError, match="Geheimhaltung"):
        export_frame(_flat([1, 2]))


def test_cell_text():
    assert cell_text(None, True) == GEHEIM
    assert cell_text(float("nan"), False) == KEINE_DATEN
    assert cell_text(pd.NA, False) == KEINE_DATEN  # type: ignore[arg-type]
    assert cell_text(4.0, False, lambda v: f"{v:.1f} %") == "4.0 %"


# --------------------------------------------------------------------------- properties

counts = st.one_of(st.integers(0, 4), st.integers(0, 50))

#: ``make test`` runs a quarter of the examples (each attack costs about a second on a small CI
#: machine); ``PLANUNGSATLAS_DEEP_TESTS=1`` runs all of them, e.g. after changing the suppression.
DEEP = os.environ.get("PLANUNGSATLAS_DEEP_TESTS") == "1"


def examples(n: int) -> int:
    return n if DEEP else max(10, n // 4)


@st.composite
def cities(draw, rate: bool = False, minimum: int = 0):
    """City > Bezirke > Planungsräume (> sometimes Blöcke), 1–2 years, counts 0–50, some missing."""
    tree: dict[str, list[str]] = {}
    leaves: list[str] = []
    for p in range(draw(st.integers(1, 4))):
        pid = f"{p + 1:02d}"
        tree[pid] = []
        for c in range(draw(st.integers(1, 4))):
            cid = f"{pid}{c + 1:02d}"
            tree[pid].append(cid)
            n_grand = draw(st.sampled_from([0, 0, 0, 2, 3]))
            if n_grand:
                tree[cid] = [f"{cid}{g + 1}" for g in range(n_grand)]
                leaves += tree[cid]
            else:
                leaves.append(cid)
    areas = _areas(tree)
    rows = []
    for year in range(2024, 2024 + draw(st.integers(1, 2))):
        for g in leaves:
            missing = minimum == 0 and draw(st.integers(0, 9)) == 0
            n = None if missing else draw(st.integers(minimum, 50) if minimum else counts)
            d = None
            if rate and n is not None:
                d = n + draw(st.one_of(st.integers(0, 120), st.integers(0, 400)))
            rows.append((g, year, n, d))
    base = pd.DataFrame(rows, columns=["gebiet_id", "year", "numerator", "denominator"]).astype(
        {"numerator": "Float64", "denominator": "Float64"}
    )
    return areas, base


@settings(max_examples=examples(250), deadline=None)
@given(cities())
def test_counts_cannot_be_recomputed_from_any_displayed_figures(city):
    areas, base = city
    full = with_totals(base, areas)
    out = suppress(full, DEFAULT_RULE, areas)
    _assert_primary_hidden(full, out, DEFAULT_RULE, rate=False)
    _attack(full, out, areas, DEFAULT_RULE, rate=False)
    assert out.loc[out["suppressed"], ["numerator", "value"]].isna().all().all()


@settings(max_examples=examples(200), deadline=None)
@given(cities(rate=True))
def test_rates_cannot_be_recomputed_from_any_displayed_figures(city):
    areas, base = city
    full = with_totals(base, areas, scale=100.0)
    out = suppress(full, DEFAULT_RULE, areas)
    _assert_primary_hidden(full, out, DEFAULT_RULE, rate=True)
    _attack(full, out, areas, DEFAULT_RULE, rate=True)
    assert out.loc[out["suppressed"], ["numerator", "denominator", "value"]].isna().all().all()


@settings(max_examples=examples(60), deadline=None)
@given(cities(), st.integers(1, 6))
def test_other_thresholds_hold_as_well(city, min_count):
    areas, base = city
    rule = SuppressionRule(min_count=min_count)
    full = with_totals(base, areas)
    out = suppress(full, rule, areas)
    _assert_primary_hidden(full, out, rule, rate=False)
    _attack(full, out, areas, rule, rate=False)


@settings(max_examples=examples(50), deadline=None)
@given(cities(minimum=3))
def test_no_cell_is_hidden_when_all_counts_reach_the_threshold(city):
    areas, base = city
    assert not suppress(with_totals(base, areas), DEFAULT_RULE, areas)["suppressed"].any()


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(st.integers(3, 50), min_size=1, max_size=8), st.integers(1, 2), st.data())
def test_one_small_cell_in_a_flat_table_costs_exactly_one_more(large, small, data):
    pos = data.draw(st.integers(0, len(large)))
    values = [float(v) for v in large]
    values.insert(pos, float(small))
    out = suppress(_flat(values))
    secret = out.loc[out["suppressed"], "gebiet_id"].tolist()
    assert len(secret) == 2
    others = out.drop(index=pos)
    smallest = others.loc[_flat(values).drop(index=pos)["numerator"].astype(float).idxmin(), "gebiet_id"]
    assert set(secret) == {out.loc[pos, "gebiet_id"], smallest}


@settings(max_examples=examples(50), deadline=None)
@given(cities(rate=True), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_row_order(city, rnd):
    areas, base = city
    full = with_totals(base, areas, scale=100.0)
    order = list(range(len(full)))
    rnd.shuffle(order)
    a = suppress(full, DEFAULT_RULE, areas)
    b = suppress(full.iloc[order], DEFAULT_RULE, areas.sample(frac=1, random_state=1))
    c = suppress(full, DEFAULT_RULE, areas)
    key = ["year", "gebiet_id"]
    pd.testing.assert_frame_equal(
        a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(a, c)


# --------------------------------------------------------------------------- demo city


@pytest.fixture(scope="module")
def demo_data(demo_template, tmp_path_factory):
    """The demo city as the app loads it: written to a real SQLite file and read back."""
    from planning.db import make_engine
    from planning.repository import load_planning_data

    engine = make_engine(demo_template.copy(tmp_path_factory.mktemp("demo")))
    data = load_planning_data(engine)
    engine.dispose()
    return data


SENSITIVE = [i.code for i in INDICATORS.values() if i.sensitive]


@pytest.mark.parametrize("code", SENSITIVE)
def test_demo_city_as_displayed_cannot_be_undone(demo_data, code):
    """What every page, tooltip and export shows (``protected_table`` and the tables cut from it),
    attacked by brute force over all Planungsraum, Bezirk and city figures of every year."""
    from planning import indicators as ind_mod

    ind = INDICATORS[code]
    areas = pd.DataFrame(demo_data.areas[["gebiet_id", "name", "level", "parent_gebiet_id"]])
    base = ind_mod.base_table(demo_data, code)
    if not ind.is_rate:
        base = base.assign(denominator=np.nan)
    truth = with_totals(base, areas, scale=ind.scale)
    shown = ind_mod.protected_table(demo_data, code)
    # Same rows in the same order as the truth, so the attack can compare cell by cell.
    key = ["year", "level", "gebiet_id"]
    truth = truth.sort_values(key).reset_index(drop=True)
    shown = shown.sort_values(key).reset_index(drop=True)
    assert truth[key].equals(shown[key])
    out = shown.assign(reason=np.where(shown["suppressed"], PRIMAER, None))
    small = truth["numerator"].lt(ind.min_count) & truth["numerator"].gt(0)
    if ind.is_rate:
        small |= truth["denominator"].lt(ind.min_denominator)
    assert out.loc[small.fillna(False).to_numpy(), "suppressed"].all()
    _attack(truth, out, areas, ind.rule, rate=ind.is_rate)
    # The tables the pages read are cut from exactly this protection, level by level and for the city.
    for level in (0, 1):
        page = ind_mod.indicator_table(demo_data, code, level)
        cut = shown[shown["level"] == level]
        merged = page.merge(cut, on=["gebiet_id", "year"], suffixes=("", "_pt"))
        assert len(merged) == len(cut)
        assert (merged["suppressed"] == merged["suppressed_pt"]).all()
        assert merged.loc[merged["suppressed"], "value"].isna().all()
    city = ind_mod.city_series(demo_data, code)
    assert not city["suppressed"].any()  # the city total is never small in the demo city
    if ind.is_rate:
        assert shown["suppressed"].any()


def test_unsuppressed_values_only_for_the_right_and_the_right_department(demo_data):
    """Leitung and the Jugendamt's planners see HzE unsuppressed, marked; others are refused."""
    from planning import auth
    from planning import indicators as ind_mod

    code = "hze_je_1000"
    assert INDICATORS[code].department == "Jugendamt"
    protected = ind_mod.indicator_table(demo_data, code, 1)
    assert protected["suppressed"].any()
    for who in (
        auth.Principal("gast", "Gast", auth.Role.LESEND),
        auth.Principal("s", "Schulamt", auth.Role.FACHPLANUNG, "Schulamt"),
        auth.ANONYMOUS,
    ):
        with auth.acting_as(who), pytest.raises(auth.PermissionDenied, match="ungeschwärzt"):
            ind_mod.unsuppressed_table(demo_data, code, 1)
    base = ind_mod.base_table(demo_data, code)
    for who in (
        auth.Principal("j", "Jugendamt", auth.Role.FACHPLANUNG, "jugendamt"),
        auth.Principal("l", "Leitung", auth.Role.LEITUNG),
    ):
        with auth.acting_as(who):
            open_table = ind_mod.unsuppressed_table(demo_data, code, 1)
        key = ["gebiet_id", "year"]
        assert open_table[key].equals(protected[key])
        # exactly the cells protection hides are marked, and they carry the true values
        assert (open_table["confidential"] == protected["suppressed"]).all()
        truth = open_table.merge(base, on=key, suffixes=("", "_base"))
        assert len(truth) == len(base)
        assert (truth["value"] - truth["value_base"]).abs().max() < 1e-9
        assert open_table.loc[open_table["confidential"], "value"].notna().all()
        assert not open_table["suppressed"].any()
    with auth.acting_as(auth.Principal("l", "Leitung", auth.Role.LEITUNG)):
        upper = ind_mod.unsuppressed_table(demo_data, code, 0)
    assert upper["value"].notna().all()  # Bezirke: sums of the true children
