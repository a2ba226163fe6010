"""The indicator register as data: added indicators, targets, sets — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from planning.indicators import INDICATORS, Indicator, indicator_table
from planning.registry import (
    KennzahlenSet,
    RegistryError,
    add_indicator,
    delete_indicator,
    delete_set,
    delete_target,
    load_registry,
    registry_records,
    registry_stamp,
    save_set,
    save_target,
)
from planning.targets import Target
from tests.conftest import build_tiny

ABSENTISMUS = Indicator(
    code="schulabsentismus",
    label_de="Schulabsentismus",
    unit="%",
    domain="Schule",
    help_de="Schüler:innen mit mehr als 20 unentschuldigten Fehltagen.",
    polarity=-1,
    scale=100.0,
    decimals=1,
    sensitive=True,
    numerator_de="Schüler:innen mit > 20 unentschuldigten Fehltagen",
    denominator_de="Schüler:innen",
    department="Schulamt",
    min_count=3,
    min_denominator=10,
)


def test_targets_round_trip_and_parallel_edit_is_refused(any_engine):
    t = save_target(any_engine, Target("versorgung_u3", 50.0, 5.0, "Bedarfsplan"), "Frau A")
    assert t.revision == 1
    reg = load_registry(any_engine)
    assert reg.target("versorgung_u3") == Target("versorgung_u3", 50.0, 5.0, "Bedarfsplan", "Frau A", 1)
    # B started from revision 1 as well, A saves first: B is refused and nothing of B is stored.
    save_target(any_engine, Target("versorgung_u3", 55.0, 5.0, revision=1), "Frau A")
    with pytest.raises(RegistryError, match="inzwischen von Frau A geändert"):
        save_target(any_engine, Target("versorgung_u3", 40.0, 1.0, revision=1), "Herr B")
    assert load_registry(any_engine).target("versorgung_u3").target == 55.0
    with pytest.raises(RegistryError, match="gibt es nicht"):
        save_target(any_engine, Target("gibtsnicht", 1.0), "Frau A")
    delete_target(any_engine, "versorgung_u3")
    assert load_registry(any_engine).target("versorgung_u3") is None


def test_sets_keep_order_owner_and_refuse_unknown_codes(any_engine):
    s = save_set(
        any_engine,
        KennzahlenSet("Ganztag", "GaFöG", "Projektgruppe Ganztag", ("ganztag_quote", "grundschueler")),
        "Frau A",
    )
    assert s.revision == 1
    reg = load_registry(any_engine)
    assert reg.set("Ganztag").codes == ("ganztag_quote", "grundschueler")
    assert reg.set("Ganztag").owner == "Projektgruppe Ganztag"
    with pytest.raises(RegistryError, match="unbekannte Kennzahl"):
        save_set(any_engine, KennzahlenSet("X", codes=("kinderarmut", "quatsch")), "Frau A")
    with pytest.raises(RegistryError, match="doppelt"):
        save_set(any_engine, KennzahlenSet("Y", codes=("kinderarmut", "kinderarmut")), "Frau A")
    with pytest.raises(RegistryError, match="mindestens eine"):
        save_set(any_engine, KennzahlenSet("Z"), "Frau A")
    with pytest.raises(RegistryError, match="inzwischen"):
        save_set(any_engine, replace(reg.set("Ganztag"), revision=0), "Herr B")
    assert [x.name for x in load_registry(any_engine).sets] == ["Ganztag"]
    delete_set(any_engine, "Ganztag")
    with pytest.raises(RegistryError, match="gibt es nicht"):
        load_registry(any_engine).set("Ganztag")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "Schul Absentismus"}, "nur Kleinbuchstaben"),
        ({"code": "kinderarmut"}, "eingebaute Kennzahl"),
        ({"label_de": "  "}, "Bezeichnung"),
        ({"domain": "Verkehr"}, "Bereich"),
        ({"polarity": 2}, "Richtung"),
        ({"scale": 10.0}, "Maßstab"),
        ({"denominator_de": ""}, "Nenner"),
        ({"decimals": 5}, "Nachkommastellen"),
        ({"min_count": 0}, "Mindestfallzahl"),
    ],
)
def test_added_indicator_validation(empty_engine, change, message):
    with pytest.raises(RegistryError, match=message):
        add_indicator(empty_engine, replace(ABSENTISMUS, **change), "Frau A")
    assert load_registry(empty_engine).custom == {}


def test_added_indicator_imports_and_is_protected(tiny_engine, tmp_path: Path):
    """A planner adds a sensitive indicator; its values import under the code and small numbers
    are "geheim" on every level, exactly like a built-in indicator."""
    from planning.imports.service import import_file
    from planning.imports.writer import VersionMeta
    from planning.repository import load_planning_data

    stamp0 = registry_stamp(tiny_engine)
    add_indicator(tiny_engine, ABSENTISMUS, "Frau A")
    assert registry_stamp(tiny_engine) != stamp0
    with pytest.raises(RegistryError, match="schon vergeben"):
        add_indicator(tiny_engine, ABSENTISMUS, "Herr B")
    csv = tmp_path / "absentismus.csv"
    csv.write_text(
        "gebiet_id;jahr;kennzahl;zaehler;nenner\n"
        "0101;2025;schulabsentismus;12;200\n0102;2025;schulabsentismus;2;150\n0201;2025;schulabsentismus;9;180\n",
        encoding="utf-8",
    )
    import_file(tiny_engine, "kennzahlen", csv, VersionMeta(label="Absentismus 2025", source="Schulamt"))
    reg = load_registry(tiny_engine)
    ind = reg.indicator("schulabsentismus")
    assert ind.custom and ind.sensitive and ind.rule is not None
    data = load_planning_data(tiny_engine)
    pr = indicator_table(data, ind, 1).set_index("gebiet_id")
    assert bool(pr.loc["0102", "suppressed"])  # 2 cases: primary
    assert bool(pr.loc["0101", "suppressed"])  # else Bezirk 01 − 0101 would reveal 0102
    assert not bool(pr.loc["0201", "suppressed"])
    assert pr.loc["0201", "value"] == pytest.approx(9 / 180 * 100)
    bz = indicator_table(data, ind, 0).set_index("gebiet_id")
    assert bz.loc["01", "value"] == pytest.approx(14 / 350 * 100)  # 01 itself is shown (14 cases)
    delete_indicator(tiny_engine, "schulabsentismus")
    assert "schulabsentismus" not in load_registry(tiny_engine).custom


@pytest.fixture
def tiny_engine(empty_engine):
    build_tiny(empty_engine)
    return empty_engine


def test_records_carry_the_contract_keys(empty_engine):
    save_target(empty_engine, Target("kinderarmut", 15.0, 5.0), "Frau A")
    recs = {r["code"]: r for r in registry_records(load_registry(empty_engine))}
    assert set(recs) == set(INDICATORS)
    for r in recs.values():
        assert {"code", "label", "unit", "domain", "sensitive", "threshold", "target"} <= set(r)
    assert recs["kinderarmut"]["target"] == 15.0 and recs["kinderarmut"]["tolerance"] == 5.0
    assert recs["hze_je_1000"]["sensitive"] is True and recs["hze_je_1000"]["threshold"] == 3
    assert recs["ohne_abschluss"]["min_denominator"] == 30.0
    assert recs["einwohner"]["threshold"] is None and recs["einwohner"]["target"] is None
    json.dumps(list(recs.values()))  # JSON-ready


def test_a_delivery_of_one_indicator_keeps_the_others(tiny_engine, tmp_path: Path):
    """The Jugendamt delivers only HzE: the Kennzahlen already imported (here kinderarmut) stay in
    the new active version, the delivered indicator is replaced, and the version says so."""
    from planning.imports.service import import_file
    from planning.imports.writer import VersionMeta
    from planning.repository import active_versions, get_layout, load_planning_data

    first = tmp_path / "sozial.csv"
    first.write_text(
        "gebiet_id;jahr;kennzahl;zaehler;nenner\n"
        "0101;2025;kinderarmut;20;100\n0102;2025;kinderarmut;5;50\n0101;2025;hze_je_1000;4;400\n"
        "0101;2024;hze_je_1000;3;390\n",
        encoding="utf-8",
    )
    import_file(tiny_engine, "kennzahlen", first, VersionMeta(label="Sozialmonitoring", source="Statistik"))
    second = tmp_path / "hze.csv"
    second.write_text(
        "gebiet_id;jahr;kennzahl;zaehler;nenner\n0101;2025;hze_je_1000;6;400\n", encoding="utf-8"
    )
    import_file(tiny_engine, "kennzahlen", second, VersionMeta(label="HzE 2025", source="Jugendamt"))
    values = load_planning_data(tiny_engine).indicator_values
    assert sorted(values["code"].unique()) == ["hze_je_1000", "kinderarmut"]
    assert len(values[values["code"] == "kinderarmut"]) == 2
    hze = values[values["code"] == "hze_je_1000"].set_index("year")["numerator"]
    assert hze.to_dict() == {2024: 3.0, 2025: 6.0}  # 2025 replaced (not doubled), 2024 kept
    active = active_versions(tiny_engine, get_layout(tiny_engine).id)["kennzahlen"]
    assert active.label == "HzE 2025"
    from sqlalchemy.orm import Session

    from planning.models import DatasetVersion

    with Session(tiny_engine) as s:
        note = s.get(DatasetVersion, active.id).note
    assert "Übernommen aus Datenstand" in note and "kinderarmut" in note
