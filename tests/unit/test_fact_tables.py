"""The tables that give each data kind one home: its model (``models.FACT_MODELS``), its columns
when loaded (``repository._FACTS``), and how a saved row becomes a record (``rows.record_of``)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import inspect

from planning import repository
from planning.models import DATA_KINDS, FACT_MODELS, Meeting
from planning.rows import record_of
from planning.steering.meetings import MeetingInfo


def test_every_data_kind_but_the_areas_has_one_model_and_one_column_list():
    facts = set(DATA_KINDS) - {"gebiete"}
    assert set(FACT_MODELS) == facts
    assert set(repository._FACTS) == facts


@pytest.mark.parametrize("kind", sorted(repository._FACTS))
def test_loaded_columns_exist_on_the_model_or_the_row_that_carries_the_area(kind):
    fact, model = repository._FACTS[kind], FACT_MODELS[kind]
    columns = set(inspect(model).mapper.column_attrs.keys())
    if fact.via is not None:
        columns |= set(inspect(fact.via).mapper.column_attrs.keys())
    assert "gebiet_id" in fact.columns  # every fact is placed in an area (or marked as outside)
    assert set(fact.columns) - {"gebiet_id"} <= columns
    assert set(fact.dtypes) <= set(fact.columns)


def test_a_kind_not_loaded_is_an_empty_frame_with_the_loaders_columns_and_an_unknown_kind_is_refused(
    tiny_engine,
):
    data = repository.load_planning_data(tiny_engine)
    assert data.tables  # some kinds loaded, so both paths are compared
    empty = repository.PlanningData(data.layout, {}, data.areas)
    for kind, fact in repository._FACTS.items():
        assert empty.table(kind).empty
        assert list(empty.table(kind).columns) == list(fact.columns) == list(data.table(kind).columns)
    with pytest.raises(KeyError, match="Gültig: bevoelkerung"):
        empty.table("kinder")


def test_record_of_copies_columns_takes_given_fields_and_keeps_defaults():
    row = Meeting(
        id=7,
        name="Sitzung 7",
        body="Steuerkreis",
        date=dt.date(2026, 3, 4),
        location="Rathaus",
        status="geplant",
        minutes="",
        updated_by="Frau A",
        revision=3,
    )
    info = record_of(MeetingInfo, row, location="Saal 2")
    assert (info.id, info.name, info.date, info.revision, info.updated_by) == (
        7,
        "Sitzung 7",
        dt.date(2026, 3, 4),
        3,
        "Frau A",
    )
    assert info.location == "Saal 2"  # given wins over the row
    assert info.agenda == ()  # no column of that name: the default
    assert {f.name for f in dataclasses.fields(MeetingInfo)} - {"agenda"} <= set(
        inspect(Meeting).mapper.column_attrs.keys()
    )
