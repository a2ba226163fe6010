"""Reactivating an earlier dataset version needs no cache clear (issue 21): the activation is a
write of this process, so the app's version key — which every page's cached data is keyed on —
moves at the next lookup."""

from __future__ import annotations

import pytest

from planning.db import make_engine, migrate
from planning.imports.service import import_file
from planning.imports.writer import VersionMeta
from planning.repository import get_layout, list_versions
from planning.versions import activate
from tests.conftest import build_tiny
from ui import data as uidata


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A migrated SQLite file with the tiny city, as the app's database: (url, engine)."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_tiny(engine)
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    return url, engine


def test_activating_an_earlier_version_moves_the_version_key(tiny, tmp_path):
    url, engine = tiny
    csv = tmp_path / "kitas_neu.csv"
    csv.write_text("kita_id;name;gebiet_id;plaetze_gesamt\nK1;Kita Eins;0101;55\n", encoding="utf-8")
    import_file(engine, "kitas", csv, VersionMeta(source="Jugendamt", licence="intern"), confirm_shrink=True)
    layout = get_layout(engine)
    kitas = sorted((v for v in list_versions(engine, layout.id) if v.kind == "kitas"), key=lambda v: v.id)
    old, new = kitas[0], kitas[-1]

    before = dict(uidata.version_key(layout.id))
    assert before["kitas"] == new.id
    activate(engine, old.id)
    after = dict(uidata.version_key(layout.id))  # within the 2 s the cached lookup would otherwise hold
    assert after["kitas"] == old.id
    assert len(uidata.planning_data(url, layout.code, uidata.version_key(layout.id)).kitas) == 3


def test_a_saved_view_with_the_active_versions_shares_their_cache_key(tiny):
    """A view pins the versions it was saved with; when they are the active ones, its key is the
    active key whatever order the stored mapping comes back in, so the meeting TOP reads the data
    (and the plan) the server prepared instead of loading and computing them a second time."""
    url, engine = tiny
    layout = get_layout(engine)
    active = uidata.version_key(layout.id)
    assert len(active) >= 2
    pinned = dict(reversed(active))  # a stored view's mapping, another order
    assert list(pinned) != [k for k, _ in active]
    assert uidata.as_version_key(pinned) == active
    assert uidata.planning_data(url, layout.code, uidata.as_version_key(pinned)) is uidata.planning_data(
        url, layout.code, active
    )


def test_the_active_versions_are_looked_up_once_per_write_not_per_rerun(tiny, monkeypatch):
    """Every page run asks for the version key; the database is asked again only after a write
    (or after the short TTL), not on every rerun."""
    _, engine = tiny
    layout = get_layout(engine)
    calls: list[int] = []
    real = uidata.active_versions
    monkeypatch.setattr(uidata, "active_versions", lambda eng, lid: calls.append(lid) or real(eng, lid))
    first = uidata.version_key(layout.id)
    assert uidata.version_key(layout.id) == first
    assert len(calls) <= 1
