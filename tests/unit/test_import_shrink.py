"""Deliveries that shrink are held back: a 1-row Kita list does not silently replace the city's Kitas."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planning.cli import main
from planning.imports.formats import get_kind
from planning.imports.problems import InputFileError
from planning.imports.service import check_file, import_file
from planning.imports.writer import VersionMeta
from planning.models import DatasetVersion, Kita

HEADER = ";".join(get_kind("kitas").field_names)
META = VersionMeta(source="Jugendamt", licence="CC0")


def _one_kita(tmp_path):
    p = tmp_path / "kitas_2026.csv"
    p.write_text(HEADER + "\nK9;Kita Neu;AWO;0102;;;50;10;40;;\n", encoding="utf-8")
    return p


def _kitas_active(engine) -> list[str]:
    with engine.connect() as conn:
        vid = conn.execute(
            select(DatasetVersion.id).where(
                DatasetVersion.kind == "kitas", DatasetVersion.is_active.is_(True)
            )
        ).scalar_one()
        return sorted(conn.execute(select(Kita.kita_id).where(Kita.dataset_version_id == vid)).scalars())


def test_a_one_row_kita_delivery_needs_confirmation(tiny_engine, tmp_path):
    """The tiny city has 3 Kitas in 3 areas; a list with 1 Kita is held back with numbers in words."""
    path = _one_kita(tmp_path)
    checked = check_file(tiny_engine, "kitas", path)
    assert checked.ok  # the file itself is fine …
    assert checked.shrink is not None  # … but it would replace far more
    warning = [p for p in checked.warnings if "viel kleiner" in p.message]
    assert len(warning) == 1
    assert "1 statt 3 Zeilen" in warning[0].message and "1 statt 3 Gebiete" in warning[0].message
    assert "--bestaetigen" in warning[0].message and warning[0].file == "kitas_2026.csv"

    with pytest.raises(InputFileError, match="viel kleiner"):
        import_file(tiny_engine, "kitas", path, META)
    assert _kitas_active(tiny_engine) == ["K1", "K2", "K3"]  # nothing replaced

    import_file(tiny_engine, "kitas", path, META, confirm_shrink=True)
    assert _kitas_active(tiny_engine) == ["K9"]
    with tiny_engine.connect() as conn:  # the previous version stays, one activation away
        assert (
            conn.execute(
                select(func.count()).select_from(DatasetVersion).where(DatasetVersion.kind == "kitas")
            ).scalar()
            == 2
        )


def test_a_delivery_of_similar_size_is_not_held_back(tiny_engine, tmp_path):
    p = tmp_path / "kitas.csv"
    p.write_text(
        HEADER + "\nK1;Kita A;;0101;;;40;10;30;;\nK2;Kita B;;0102;;;20;;20;2026;\n",
        encoding="utf-8",
    )
    checked = check_file(tiny_engine, "kitas", p)
    assert checked.ok and checked.shrink is None
    import_file(tiny_engine, "kitas", p, META)
    assert _kitas_active(tiny_engine) == ["K1", "K2"]


def test_a_new_indicator_is_no_shrink_of_the_others(tiny_engine, tmp_path):
    """Kennzahlen replace only the delivered indicator-years; a new indicator replaces nothing."""
    p = tmp_path / "werte.csv"
    p.write_text("gebiet_id;jahr;kennzahl;wert\n0101;2025;sprachfoerderung;12,5\n", encoding="utf-8")
    assert check_file(tiny_engine, "kennzahlen", p).shrink is None
    q = tmp_path / "armut.csv"
    q.write_text("gebiet_id;jahr;kennzahl;wert\n0101;2025;kinderarmut;12,5\n", encoding="utf-8")
    shrink = check_file(tiny_engine, "kennzahlen", q).shrink
    assert shrink is not None and shrink.new_rows == 1 and shrink.old_rows > 2


def test_cli_needs_bestaetigen(tiny_engine, tmp_path, capsys):
    url = tiny_engine.url.render_as_string(hide_password=False)
    path = str(_one_kita(tmp_path))
    assert main(["--db", url, "check", "kitas", path]) == 0  # the check passes and warns
    assert "1 statt 3 Zeilen" in capsys.readouterr().out
    assert main(["--db", url, "import", "kitas", path]) == 1
    err = capsys.readouterr().err
    assert "viel kleiner" in err and "--bestaetigen" in err
    assert _kitas_active(tiny_engine) == ["K1", "K2", "K3"]
    assert main(["--db", url, "import", "kitas", path, "--bestaetigen"]) == 0
    assert _kitas_active(tiny_engine) == ["K9"]
