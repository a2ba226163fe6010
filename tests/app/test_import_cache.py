"""The Import page checks an upload once per file, mapping, options and database state (issue 21):
``ui.importer.check_report`` is an ``st.cache_data`` keyed on the file's digest and the service's
``check_stamp`` (it keeps the report, not the rows); an import changes the stamp instead of clearing
every session's cache."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from planning.imports.service import check_file, check_stamp, write_file
from planning.imports.writer import VersionMeta, hash_file
from ui import importer

ROOT = Path(__file__).resolve().parents[2]


def _births(path: Path) -> Path:
    path.write_text("gebiet_id;jahr;anzahl\n0101;2026;7\n0102;2026;8\n0201;2026;9\n", encoding="utf-8")
    return path


def test_one_check_per_file_and_options_and_another_after_an_import(tiny_engine, tmp_path, monkeypatch):
    url = str(tiny_engine.url)
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    path = _births(tmp_path / "geburten_2026.csv")
    digest = hash_file(path)
    stamp = importer.current_stamp()
    assert stamp == check_stamp(tiny_engine)

    def check(stamp, options):  # type: ignore[no-untyped-def]
        args = (digest, path.name, None, None, None, options, path)
        return importer.check_report(url, stamp, "geburten", *args)

    first = check(stamp, {})
    assert first.ok and first.rows == 3 and first.error_count == 0
    content = path.read_bytes()
    path.unlink()  # a second read would now fail: a cached check does not read
    again = check(stamp, {})
    assert again == first
    other = check(stamp, {"summenzeilen": "ueberspringen"})  # other options: checked anew
    assert not other.ok and "Die Datei wurde nicht gefunden." in {p.message for p in other.problems}

    path.write_bytes(content)
    meta = VersionMeta(source="Standesamt", licence="intern", stand=dt.date(2026, 12, 31), file_hash=digest)
    write_file(tiny_engine, check_file(tiny_engine, "geburten", path), meta)
    path.unlink()
    after = importer.current_stamp()  # the write in this process is seen at once
    assert after != stamp and after == check_stamp(tiny_engine)
    assert check(stamp, {}).ok  # the old entry is still there for its own state …
    rechecked = check(after, {})  # … but the new state checks the file again
    assert not rechecked.ok and "Die Datei wurde nicht gefunden." in {p.message for p in rechecked.problems}


def test_the_import_page_clears_no_cache():
    """An import makes a new version (new keys); no ``st.cache_data.clear()`` wipes other sessions."""
    for name in ("ui/importer.py", "ui/import_form.py", "ui/import_bundle.py", "pages/import.py"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert ".clear()" not in text, name


class _Upload:
    """What kept_file reads of Streamlit's UploadedFile: its name and bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def test_a_kept_upload_is_written_once_and_old_ones_go(tmp_path, monkeypatch):
    import os
    import tempfile
    import time

    from ui.import_form import KEEP_UPLOAD_S, kept_file

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = kept_file(_Upload("alt.csv", b"a;b\n1;2\n"))
    stale = time.time() - KEEP_UPLOAD_S - 60
    os.utime(old.parent, (stale, stale))
    path = kept_file(_Upload("neu.csv", b"a;b\n3;4\n"))
    assert path.read_bytes() == b"a;b\n3;4\n" and path.parent.parent == tmp_path / "planungsatlas-upload"
    assert not old.exists()  # kept longer than KEEP_UPLOAD_S: removed
    written = path.stat().st_mtime_ns
    assert kept_file(_Upload("neu.csv", b"a;b\n3;4\n")) == path and path.stat().st_mtime_ns == written
