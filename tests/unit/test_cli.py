"""The command line: contracts (command names, JSON keys) and German errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planning.cli import main
from tests.conftest import TINY_ADULTS, TINY_CHILDREN, build_tiny

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_KEYS = {
    "areas",
    "population_total",
    "population_year",
    "children_0_3",
    "children_3_6",
    "children_6_10",
    "kitas",
    "kita_places",
    "schools",
    "pupils",
}


@pytest.fixture
def tiny_url(tmp_path):
    from planning.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_tiny(engine)
    engine.dispose()
    return url


def test_areas_json_lists_lowest_level_with_leading_zeros(tiny_url, capsys):
    assert main(["--db", tiny_url, "areas", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items == [
        {"gebiet_id": "0101", "name": "Altstadt"},
        {"gebiet_id": "0102", "name": "Hafen"},
        {"gebiet_id": "0201", "name": "Feld"},
    ]


def test_areas_upper_level(tiny_url, capsys):
    assert main(["--db", tiny_url, "areas", "--json", "--level", "0"]) == 0
    assert [i["gebiet_id"] for i in json.loads(capsys.readouterr().out)] == ["01", "02"]


def test_summary_json_contract(tiny_url, capsys):
    assert main(["--db", tiny_url, "summary", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert set(s) >= SUMMARY_KEYS
    assert s["areas"] == 3
    assert s["population_year"] == 2025
    assert s["children_0_3"] == 47
    assert s["children_3_6"] == sum(sum(v[3:6]) for (_, y), v in TINY_CHILDREN.items() if y == 2025) == 65
    assert s["kitas"] == 1 and s["kita_places"] == 40  # K2 planned for 2026, K3 closed in 2025
    assert s["schools"] == 1 and s["pupils"] == 179
    expected_total = sum(sum(v) for (_, y), v in TINY_CHILDREN.items() if y == 2025) + 3 * TINY_ADULTS
    assert s["population_total"] == expected_total == 1612


def test_summary_for_an_earlier_year_counts_the_kita_closed_later(tiny_url, capsys):
    assert main(["--db", tiny_url, "summary", "--json", "--year", "2024"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["kitas"] == 2 and s["kita_places"] == 60
    # no school year up to 2024 in the data: the nearest one is shown, labelled with its school year
    assert s["pupils"] == 179 and s["school_year"] == "2025/26"


def test_empty_database_gives_german_error_and_exit_1(tmp_path, capsys):
    code = main(["--db", f"sqlite:///{tmp_path / 'leer.db'}", "summary", "--json"])
    assert code == 1
    err = capsys.readouterr().err
    assert "Fehler:" in err and "python -m planning demo" in err


def test_unknown_level_is_a_user_error(tiny_url, capsys):
    assert main(["--db", tiny_url, "areas", "--level", "5"]) == 1
    assert "Ebene 5 gibt es nicht" in capsys.readouterr().err


def test_module_entry_point_runs_as_subprocess(tiny_url):
    out = subprocess.run(
        [sys.executable, "-m", "planning", "--db", tiny_url, "summary", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert json.loads(out.stdout)["areas"] == 3
