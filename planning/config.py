"""Where the database lives and how the app is configured.

Resolution order for the database URL: explicit argument (``--db``), environment variable
``PLANUNGSATLAS_DB_URL``, ``[database] url`` in ``.streamlit/secrets.toml``, then a SQLite file
``planungsatlas.db`` in the data directory (``PLANUNGSATLAS_DATA_DIR``, default ``./data``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_DB_URL = "PLANUNGSATLAS_DB_URL"
ENV_DATA_DIR = "PLANUNGSATLAS_DATA_DIR"


def data_dir() -> Path:
    """The folder for the default SQLite file and other local state."""
    return Path(os.environ.get(ENV_DATA_DIR, PROJECT_ROOT / "data")).resolve()


def default_sqlite_url() -> str:
    return f"sqlite:///{data_dir() / 'planungsatlas.db'}"


def _secrets_db_url(secrets_file: Path) -> str | None:
    if not secrets_file.is_file():
        return None
    with secrets_file.open("rb") as fh:
        secrets = tomllib.load(fh)
    url = secrets.get("database", {}).get("url")
    return str(url) if url else None


def resolve_db_url(explicit: str | None = None, secrets_file: Path | None = None) -> str:
    """Return the database URL following the documented resolution order."""
    if explicit:
        return explicit
    if os.environ.get(ENV_DB_URL):
        return os.environ[ENV_DB_URL]
    from_secrets = _secrets_db_url(secrets_file or PROJECT_ROOT / ".streamlit" / "secrets.toml")
    return from_secrets or default_sqlite_url()
