"""Docs stay honest: every registered indicator is documented with its unit; commands are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning.indicators import INDICATORS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", list(INDICATORS))
def test_indicator_documented_with_label_and_unit(code):
    ind = INDICATORS[code]
    rows = [line for line in README.splitlines() if line.startswith(f"| `{code}` |")]
    assert rows, f"indicator {code} missing in the README's Kennzahlenregister"
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[1] == ind.label_de
    assert cells[2] == ind.unit


def test_readme_names_the_two_setup_commands():
    assert "make run" in README and "make test" in README


def test_import_guide_lists_every_field_of_every_kind():
    from planning.imports.formats import KINDS

    guide = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    for kind, spec in KINDS.items():
        assert f"### `{kind}`" in guide
        for f in spec.fields:
            assert f"| `{f.name}`" in guide, f"{kind}.{f.name} missing in docs/import.md"


def test_import_guide_is_generated_from_the_registry():
    from planning.imports.guide import import_guide

    guide = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    assert guide == import_guide(), "docs/import.md is out of date: run `make docs`"


def test_parameter_guide_is_generated_from_the_registry():
    from planning.parameters import PARAMETERS, parameter_guide

    guide = (Path(__file__).resolve().parents[2] / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert guide == parameter_guide(), "docs/parameters.md is out of date: run `make docs`"
    for p in PARAMETERS:
        assert f"| `{p.key}` | {p.label} |" in guide


def test_readme_documents_the_plan_contract():
    from planning.plan import EXPORT_COLUMNS

    assert "docs/parameters.md" in README
    assert ", ".join(EXPORT_COLUMNS) in README


def _guide() -> str:
    return (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["check", "import", "mapping"])
def test_import_guide_covers_every_cli_option(command):
    """Every option of the import commands is documented (e.g. --gebietsstand/--kommune/--ebenen)."""
    import argparse

    from planning.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    options = [a.option_strings[-1] for a in sub.choices[command]._actions if a.option_strings]
    guide = _guide()
    section = guide.split(f"### `python -m planning {command}`", 1)[1].split("###", 1)[0]
    for option in options:
        if option != "--help":
            assert f"| `{option}" in section, f"{command} {option} missing in docs/import.md"


def test_import_guide_covers_every_profile_option_and_extra_field():
    from planning.imports.guide import EXTRA_FIELDS
    from planning.imports.shape import OPTIONS

    guide = _guide()
    for o in OPTIONS:
        assert f"| `{o.key}` |" in guide
    for fields in EXTRA_FIELDS.values():
        for name, _ in fields:
            assert f"| `{name}` |" in guide  # e.g. ober_name
    assert "Beispiel: breite Tabelle" in guide and "Beispiel: lange Datei mit mehreren Tabellen" in guide
