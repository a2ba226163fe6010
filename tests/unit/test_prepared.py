"""The persisted cache of prepared frames (planning.prepared) and the preparation at server start.

The cache must be used when its entry fits, never when the data or the code changed (an import, a
rebuilt database, another program version), and a damaged or old file must be ignored, not crash.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from planning import prepared
from planning.imports.service import import_file
from planning.imports.writer import VersionMeta
from planning.repository import active_versions, get_layout, load_planning_data


def _versions(engine) -> dict[str, int]:
    return {k: v.id for k, v in active_versions(engine, get_layout(engine).id).items()}


def _load_counted(engine, url: str, folder: Path, calls: list[int]):
    """The layout's facts through the persisted cache, counting the loads from the database."""
    versions = _versions(engine)

    def compute():
        calls.append(1)
        return load_planning_data(engine, "tiny", versions, exact=True)

    key = prepared.data_key(engine, url, "tiny", versions)
    return prepared.cached(key, compute, folder=folder, min_seconds=0)


@pytest.fixture
def url(tiny_engine) -> str:
    return str(tiny_engine.url)


def test_second_process_reads_the_prepared_frames_from_the_cache(tiny_engine, url, tmp_path):
    calls: list[int] = []
    first = _load_counted(tiny_engine, url, tmp_path, calls)
    second = _load_counted(tiny_engine, url, tmp_path, calls)
    assert calls == [1]  # the second call did not touch the database's facts
    assert len(list(tmp_path.glob("*.pkl"))) == 1
    for kind, frame in first.tables.items():
        pd.testing.assert_frame_equal(second.tables[kind], frame)
    assert second.areas.crs == first.areas.crs
    assert second.areas.geometry.geom_equals_exact(first.areas.geometry, 0).all()


def test_an_import_invalidates_the_cached_frames(tiny_engine, url, tmp_path):
    calls: list[int] = []
    before = _load_counted(tiny_engine, url, tmp_path, calls)
    births = tmp_path / "geburten.csv"
    births.write_text("gebiet_id;jahr;anzahl\n0101;2025;99\n0102;2025;1\n0201;2025;2\n", encoding="utf-8")
    import_file(
        tiny_engine, "geburten", births, VersionMeta(source="Test", licence="CC0"), confirm_shrink=True
    )
    after = _load_counted(tiny_engine, url, tmp_path, calls)
    assert calls == [1, 1]  # loaded again: the active births are a new version
    assert after.versions["geburten"].id != getattr(before.versions.get("geburten"), "id", None)
    assert 99 in after.table("geburten")["count"].tolist()


def test_a_rebuilt_database_with_the_same_ids_is_not_served_the_old_frames(tiny_engine, url, tmp_path):
    versions = _versions(tiny_engine)
    key = prepared.data_key(tiny_engine, url, "tiny", versions)
    from sqlalchemy import update

    from planning.db import session_scope
    from planning.models import DatasetVersion

    with session_scope(tiny_engine) as s:  # as after a rebuild: same ids, another import time
        s.execute(update(DatasetVersion).values(imported_at=pd.Timestamp("2030-01-01").to_pydatetime()))
    assert prepared.data_key(tiny_engine, url, "tiny", versions) != key
    assert prepared.data_key(tiny_engine, url + "-other", "tiny", versions) != key


def test_another_code_version_does_not_read_old_entries(tmp_path, monkeypatch):
    prepared.store(prepared.entry_key("x"), {"a": 1}, tmp_path)
    assert prepared.load(prepared.entry_key("x"), tmp_path) == {"a": 1}
    monkeypatch.setattr(prepared, "code_version", lambda: "another-version")
    assert prepared.load(prepared.entry_key("x"), tmp_path) is None


@pytest.mark.parametrize(
    "content",
    [
        b"",  # empty (a crash while writing leaves a .tmp, but a disk may still lose the file)
        b"garbage that is no pickle at all",
        prepared._MAGIC + b"\x80\x05 torn",
        "old format",
        "wrong key",
    ],
)
def test_a_damaged_or_old_cache_file_is_ignored_and_removed(tmp_path, content):
    key = prepared.entry_key("frames", 1)
    path = tmp_path / f"{key}.pkl"
    if content == "old format":
        header = {"format": prepared.FORMAT - 1, "key": key, "code": prepared.code_version()}
        content = prepared._MAGIC + pickle.dumps(header) + pickle.dumps("stale")
    elif content == "wrong key":
        header = {"format": prepared.FORMAT, "key": "other", "code": prepared.code_version()}
        content = prepared._MAGIC + pickle.dumps(header) + pickle.dumps("stale")
    path.write_bytes(content)  # type: ignore[arg-type]
    assert prepared.load(key, tmp_path) is None
    assert not path.exists()
    assert prepared.cached([("frames", 1)], lambda: "fresh", folder=tmp_path, min_seconds=0) == "fresh"


def test_only_slow_results_are_written_and_the_folder_is_capped(tmp_path, monkeypatch):
    assert prepared.cached(["quick"], lambda: 1, folder=tmp_path) == 1
    assert not list(tmp_path.glob("*.pkl"))  # faster from the database than from a file
    monkeypatch.setattr(prepared, "MAX_ENTRIES", 3)
    for i in range(5):
        prepared.cached([i], lambda i=i: i, folder=tmp_path, min_seconds=0)
    assert len(list(tmp_path.glob("*.pkl"))) == 3


def test_an_unwritable_folder_only_costs_the_cache(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert prepared.store("k", 1, blocked / "sub") is None
    assert prepared.cached(["k"], lambda: 2, folder=blocked / "sub", min_seconds=0) == 2
