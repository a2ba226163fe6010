"""House rules that keep the layers apart (see ../shared/STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("folder", ["planning", "geodata"])
def test_domain_code_never_imports_streamlit(folder):
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*.py") if "streamlit" in _imports(p)
    ]
    assert offenders == [], f"streamlit imported in domain code: {offenders}"


def test_geodata_does_not_depend_on_planning():
    offenders = [
        str(p.relative_to(ROOT)) for p in (ROOT / "geodata").rglob("*.py") if "planning" in _imports(p)
    ]
    assert offenders == []


def test_pages_stay_thin_and_free_of_sql():
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 150, f"{page.name} is longer than 150 lines"
        assert "sqlalchemy" not in _imports(page), f"{page.name} talks to the database directly"
        for forbidden in (".merge(", ".groupby(", ".pivot(", ".sjoin("):
            assert forbidden not in text, f"{page.name} uses {forbidden} (belongs in planning/ or ui/)"


def test_every_page_first_makes_sure_the_app_frame_ran():
    """A deep link that is a fresh server's first request runs the page file alone (Streamlit's
    legacy mode); ``context()`` (ui/frame.py) reruns it through app.py. A page without it shows
    file names as navigation and no frame."""
    pages = (ROOT / "pages").glob("*.py")
    missing = [p.name for p in pages if "context()" not in p.read_text(encoding="utf-8")]
    assert missing == []


def test_the_rule_check_can_fail(tmp_path):
    """The import scanner really sees a streamlit import (guards against a vacuous rule)."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom streamlit import session_state\n", encoding="utf-8")
    assert "streamlit" in _imports(bad)
