"""Messages that add up: one count of errors matching the details, no follow-up errors for rows that
already failed, the first errors of each kind with "und N weitere"."""

from __future__ import annotations

import re

import pandas as pd

from planning.cli import main
from planning.imports.problems import report
from planning.imports.readers import RawTable
from planning.imports.validate import MAX_PROBLEMS_PER_COLUMN, check_table


def _population(ages: list[str], counts: list[str]) -> RawTable:
    n = len(ages)
    frame = pd.DataFrame({"gebiet_id": ["0101"] * n, "jahr": ["2024"] * n, "alter": ages, "anzahl": counts})
    return RawTable(frame.astype("str"), "bev.csv", tuple(range(2, n + 2)))


def test_error_count_matches_the_details_and_the_report():
    n = 60
    checked = check_table(_population(["drei"] * n, ["1"] * n), "bevoelkerung")
    assert checked.error_count == n  # one per unreadable age, however many are listed
    listed = [p for p in checked.errors if p.count == 1]
    assert len(listed) == MAX_PROBLEMS_PER_COLUMN
    assert sum(p.count for p in checked.errors) == n
    text = report(checked.problems, limit=10)
    shown = len([ln for ln in text.splitlines() if ln.startswith("Fehler:") and "weitere" not in ln])
    more = sum(int(m) for m in re.findall(r"und (\d+) weitere", text))
    assert shown + more == n


def test_rows_that_failed_give_no_follow_up_duplicate_message():
    """Before: every row with an unreadable age also produced a 'Doppelte Zeile'."""
    checked = check_table(_population(["drei", "vier", "5", "5"], ["1", "2", "3", "4"]), "bevoelkerung")
    messages = [(p.row, p.message.split(":")[0]) for p in checked.errors]
    assert messages == [
        (2, "„drei“ ist kein Alter und kein Altersband (Beispiele"),
        (3, "„vier“ ist kein Alter und kein Altersband (Beispiele"),
        (5, "Doppelte Zeile"),  # a real duplicate is still found
    ]
    assert checked.error_count == 3


def test_many_duplicates_are_summarised_with_their_count():
    n = 40
    checked = check_table(_population(["4"] * n, ["1"] * n), "bevoelkerung")
    assert checked.error_count == n - 1
    assert checked.errors[-1].message == f"… und {n - 1 - MAX_PROBLEMS_PER_COLUMN} weitere doppelte Zeilen."


def test_cli_count_is_the_count_of_the_details(tiny_engine, tmp_path, capsys):
    url = tiny_engine.url.render_as_string(hide_password=False)
    p = tmp_path / "bev.csv"
    p.write_text("gebiet_id;jahr;alter;anzahl\n" + "".join(f"0101;2024;{a};zwölf\n" for a in range(70)))
    assert main(["--db", url, "check", "bevoelkerung", str(p)]) == 1
    err = capsys.readouterr().err
    assert "Prüfung fehlgeschlagen: 70 Fehler" in err
    shown = err.count("ist keine Zahl")
    more = sum(int(m) for m in re.findall(r"und (\d+) weitere", err))
    assert shown + more == 70
