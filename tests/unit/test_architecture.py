"""House rules that keep the layers apart (see ../shared/STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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


# --- no import cycles -------------------------------------------------------------------------------

PACKAGES = ("planning", "ui", "geodata")


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            rel = path.relative_to(root)
            if "migrations" in rel.parts:
                continue
            name = ".".join(rel.with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def _module_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Our modules that ``name`` imports anywhere in the file (function-local imports count: a lazy
    import hides a cycle, it does not remove it)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m in known and m != name}


def import_cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), each a cycle of imports."""
    mods = _modules(root)
    graph = {n: sorted(_module_imports(p, n, set(mods))) for n, p in mods.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return groups


def test_no_import_cycles():
    assert import_cycles(ROOT) == []


def test_the_cycle_check_can_fail(tmp_path):
    (tmp_path / "planning").mkdir()
    (tmp_path / "ui").mkdir()
    (tmp_path / "geodata").mkdir()
    (tmp_path / "planning" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "planning" / "a.py").write_text("from planning import b\n", encoding="utf-8")
    (tmp_path / "planning" / "b.py").write_text("def f():\n    from .a import g\n", encoding="utf-8")
    assert import_cycles(tmp_path) == [["planning.a", "planning.b"]]
