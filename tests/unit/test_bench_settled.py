"""The bench's bookkeeping for the settled-page figures: targets per page, part runs merged into
results.json, both variants (quiet, busy neighbour) in the README table."""

from __future__ import annotations

from bench import run, table


def _figures(ratio: float) -> dict[str, object]:
    pages = {"lagebild": 2.0, "kita": 2.2}
    return {
        "page_settled_s": pages,
        "page_settled_ratio": {"lagebild": 1.0, "kita": ratio},
        "page_settled_spread": {p: [v - 0.1, v + 0.1] for p, v in pages.items()},
        "page_settled_cold_s": pages,
        "page_settled_cold_ratio": {"lagebild": 1.1, "kita": 1.2},
        "page_settled_cold_spread": {p: [v - 0.1, v + 0.1] for p, v in pages.items()},
        "floor_settled_s": 2.0,
        "floor_settled_spread": [1.9, 2.1],
        "floor_settled_cold_s": 2.0,
        "floor_settled_cold_spread": [1.9, 2.2],
        "sessions20_p95_ratio": 2.0,
    }


def test_every_page_must_meet_the_settled_target():
    rows = {key: row for key, *row in run.check("berlin", _figures(1.4))}
    value, target, met = rows["page_settled_ratio"]
    assert "kita" in value and "jede Seite" in target and not met
    assert rows["page_settled_cold_ratio"][2]
    assert all(met for _, _, _, met in run.check("berlin", _figures(1.2)))


def test_a_part_run_adds_to_the_last_figures():
    old = {"datasets": {"berlin": {"import_s": 1.9, "forecast_s": 0.05}}, "skipped": {}}
    section = {"datasets": {"berlin": {"forecast_s": 0.07}, "demo": {"areas": 32}}, "skipped": {}}
    merged = run._merged(section, old, partial=True)
    assert merged["datasets"] == {"berlin": {"import_s": 1.9, "forecast_s": 0.07}, "demo": {"areas": 32}}
    assert run._merged(section, old, partial=False) is section  # a full run replaces


def test_readme_table_shows_both_variants_with_spread_and_ratio():
    quiet = {
        "measured_at": "2026-12-03 20:00 UTC",
        "machine": {"cpus": 2},
        "datasets": {"berlin": _figures(1.1)},
    }
    results = {**quiet, "neighbour": {**quiet, "datasets": {"berlin": _figures(1.25)}}, "targets": {}}
    text = table.readme_section(results)
    assert "ohne Nachbarlast" in text and "mit Nachbarlast" in text
    assert "2,20 s [2,10–2,30] ×1,10" in text and "×1,25" in text
    assert text.count("| Grundlinie (nur eine Karte) |") == 2


def test_the_room_ratio_is_shown_on_both_layouts_and_held_on_the_shared_one():
    figures = {**_figures(1.2), "sessions20_p95_ratio_spread": [1.81, 3.4], "sessions20_p95_ratio_multi": 2.7}
    text = table.markdown({"datasets": {"berlin": figures}, "targets": {}})
    assert "| … ÷ eine Sitzung allein | 2,00 × [1,81–3,40] |" in text
    rows = {key: row for key, *row in run.check("berlin", figures)}
    # The shared installation's layout (one process per core) holds the target; one process is
    # printed without one.
    assert not rows["sessions20_p95_ratio_multi"][2] and "sessions20_p95_ratio" not in rows
    figures["sessions20_p95_ratio_multi"] = 2.4
    assert all(met for _, _, _, met in run.check("berlin", figures))
