"""The area hierarchy walked in one place (planning.areas)."""

from __future__ import annotations

import pandas as pd
import pytest

from planning.areas import ancestor_map, ancestors, parent_map

AREAS = pd.DataFrame(
    {
        "gebiet_id": ["1", "11", "111", "112", "2", "21", "211"],
        "parent_gebiet_id": [None, "1", "11", "11", None, "2", "21"],
        "level": [0, 1, 2, 2, 0, 1, 2],
        "name": list("ABCDEFG"),
    }
)


def test_ancestor_map_walks_any_number_of_levels():
    assert ancestor_map(AREAS, 2, 0) == {"111": "1", "112": "1", "211": "2"}
    assert ancestor_map(AREAS, 2, 1) == {"111": "11", "112": "11", "211": "21"}
    assert ancestor_map(AREAS, 1, 1) == {"11": "11", "21": "21"}


def test_chain_up_to_the_top_and_to_a_root():
    parents = parent_map(AREAS)
    assert ancestors("111", parents) == ["11", "1"]
    assert ancestors("1", parents) == []
    city = {k: (v or "stadt") for k, v in parents.items()}
    assert ancestors("211", city, strict=True, root="stadt") == ["21", "2", "stadt"]


def test_broken_chains_lenient_or_refused_in_german():
    parents = {"a": "b", "b": "x"}  # x is not listed
    assert ancestors("a", parents) == ["b", "x"]
    assert ancestor_map(
        pd.DataFrame({"gebiet_id": ["a", "b"], "parent_gebiet_id": ["b", "x"], "level": [2, 1]}), 2, 0
    ) == {"a": "x"}
    with pytest.raises(ValueError, match="fehlt in der Gebietshierarchie"):
        ancestors("a", parents, strict=True)
    with pytest.raises(ValueError, match="Zyklus"):
        ancestors("a", {"a": "b", "b": "a"})
