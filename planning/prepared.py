"""A persisted cache of prepared frames (loaded facts, plans), so a new app process is ready at once.

Why: an 11,008-area state reads millions of rows from the database and plans them for tens of
seconds; every app process paid that after each start. Here the prepared objects are written once
to ``<data dir>/cache/prepared/`` and read back in about a second by the next process.

Never stale: an entry's name is a digest of everything its content depends on — the database
(URL), the layout, every dataset version used (id, import time, row count: a rebuilt database that
reuses ids still differs), what is computed (e.g. the scenario's full content) and the code
version (a digest of the source of ``planning/`` and ``geodata/``, the Python, pandas and
geopandas versions). An import makes new versions, hence new names: the old entries are never
looked up again and are dropped by the size cap. The file repeats its key; a file whose key, format
or content does not match, or that cannot be read, is ignored and removed.

The files are pickles: trusted like the SQLite database beside them (same folder, same owner).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import platform
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from planning.config import data_dir

LOG = logging.getLogger(__name__)
T = TypeVar("T")
#: Bumped when the file layout changes; older files are ignored.
FORMAT = 1
_MAGIC = b"PLANUNGSATLAS-PREPARED\n"
#: Entries kept (newest by use); older ones are removed after each write.
MAX_ENTRIES = 12
#: Only results that took at least this long to compute are written (small cities load faster
#: from the database than a file could be written).
MIN_SECONDS = 2.0
_SOURCES = ("planning", "geodata")


def cache_dir() -> Path:
    return data_dir() / "cache" / "prepared"


@cache
def code_version() -> str:
    """A digest of the code that computes the cached objects and of the libraries that pickle them."""
    import geopandas
    import numpy
    import pandas

    h = hashlib.blake2b(digest_size=12)
    h.update(f"{FORMAT}|{platform.python_version()}|{pandas.__version__}|{numpy.__version__}".encode())
    h.update(geopandas.__version__.encode())
    root = Path(__file__).resolve().parent.parent
    for folder in _SOURCES:
        for path in sorted((root / folder).rglob("*")):
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and path.suffix in (".py", ".toml", ".json", ".csv")
            ):
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def entry_key(*parts: Any) -> str:
    """The file name for a result determined by ``parts`` (reprs of plain values) and the code."""
    h = hashlib.blake2b(digest_size=16)
    h.update(code_version().encode())
    h.update(repr(parts).encode())
    return h.hexdigest()


def _path(folder: Path, key: str) -> Path:
    return folder / f"{key}.pkl"


def load(key: str, folder: Path | None = None) -> Any | None:
    """The object stored under ``key``, or None (missing, other format, other key, unreadable)."""
    path = _path(folder or cache_dir(), key)
    try:
        with path.open("rb") as fh:
            if fh.read(len(_MAGIC)) != _MAGIC:
                raise ValueError("kein Cache-Eintrag")
            header = pickle.load(fh)
            if header != {"format": FORMAT, "key": key, "code": code_version()}:
                raise ValueError("anderer Schlüssel oder andere Version")
            value = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a torn, foreign or old file is never used
        LOG.warning("Cache-Eintrag %s ignoriert: %s", path.name, exc)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by the size cap
    return value


def store(key: str, value: Any, folder: Path | None = None) -> Path | None:
    """Write ``value`` under ``key`` atomically (parallel processes never see half a file); None if
    the folder is not writable. Keeps at most :data:`MAX_ENTRIES` files."""
    folder = folder or cache_dir()
    path = _path(folder, key)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            fh.write(_MAGIC)
            pickle.dump({"format": FORMAT, "key": key, "code": code_version()}, fh, protocol=5)
            pickle.dump(value, fh, protocol=5)
        tmp.replace(path)
    except (OSError, pickle.PicklingError, TypeError) as exc:
        LOG.warning("Cache-Eintrag %s nicht geschrieben: %s", path.name, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return None
    _trim(folder)
    return path


def _trim(folder: Path) -> None:
    entries = sorted(folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink(missing_ok=True)


def cached(
    key_parts: Iterable[Any],
    compute: Callable[[], T],
    folder: Path | None = None,
    min_seconds: float = MIN_SECONDS,
) -> T:
    """``compute()``, read from the persisted cache when an entry for ``key_parts`` exists; a result
    that took at least ``min_seconds`` is written for the next process."""
    key = entry_key(*key_parts)
    hit = load(key, folder)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    t0 = time.perf_counter()
    value = compute()
    if time.perf_counter() - t0 >= min_seconds:
        store(key, value, folder)
    return value


def data_key(engine: Any, url: str, layout_code: str, version_ids: dict[str, int]) -> tuple[Any, ...]:
    """What loaded facts depend on: the database, the layout and each version used (id, import
    time, row count — a database rebuilt under the same URL reuses ids, never import times)."""
    from planning.repository import get_layout, list_versions

    layout = get_layout(engine, layout_code)
    known = {v.id: v for v in list_versions(engine, layout.id)}
    used = []
    for kind, vid in sorted(version_ids.items()):
        v = known.get(vid)
        used.append((kind, vid, v.imported_at.isoformat() if v else None, v.row_count if v else None))
    return ("data", url, layout.id, layout.code, layout.name, str(layout.stand), layout.levels, tuple(used))
