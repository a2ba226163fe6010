"""Values for an indicator the app computes are refused with what to import instead (never a no-op)."""

from __future__ import annotations

import pytest

from planning.cli import main
from planning.imports.problems import InputFileError
from planning.imports.service import check_file, import_file
from planning.imports.writer import VersionMeta
from planning.indicators import INDICATORS


def test_computed_indicator_is_refused_with_what_to_import_instead(tiny_engine, tmp_path):
    assert INDICATORS["grundschueler"].compute is not None  # the premise: computed, not imported
    p = tmp_path / "schule.csv"
    p.write_text(
        "gebiet_id;jahr;kennzahl;wert\n0101;2025;kinderarmut;12,5\n0101;2025;grundschueler;80\n"
        "0102;2025;grundschueler;75\n",
        encoding="utf-8",
    )
    checked = check_file(tiny_engine, "kennzahlen", p)
    assert checked.error_count == 1
    e = checked.errors[0]
    assert (e.file, e.row, e.column) == ("schule.csv", 3, "kennzahl")
    assert "„grundschueler“" in e.message and "berechnet" in e.message and "2 Zeile(n)" in e.message
    assert "Schüler:innen nach Klassenstufe (schueler)" in e.message
    with pytest.raises(InputFileError, match="berechnet"):
        import_file(tiny_engine, "kennzahlen", p, VersionMeta(), confirm_shrink=True)


def test_imported_indicator_still_passes(tiny_engine, tmp_path, capsys):
    p = tmp_path / "armut.csv"
    p.write_text("gebiet_id;jahr;kennzahl;wert\n0101;2026;kinderarmut;12,5\n", encoding="utf-8")
    url = tiny_engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "check", "kennzahlen", str(p)]) == 0
