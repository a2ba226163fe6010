"""The README's table of bench/results.json (``python bench/table.py`` prints it as Markdown)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"
NAMES = {
    "demo": "Demo-Kommune",
    "berlin": "Berlin",
    "flensburg": "Flensburg",
    "gross_11000": "Land, 11.008 Gebiete",
}
ROWS = (
    ("areas", "Gebiete (feinste Ebene)", "{:,.0f}"),
    ("import_s", "Import", "{:.2f} s"),
    ("forecast_s", "Prognose + Kita + Schule, 15 Jahre", "{:.3f} s"),
    ("page_rerun_s", "langsamste Seite, warmer Neuaufbau", "page"),
    ("map_payload_bytes", "Karte an den Browser", "{:,.0f} B"),
    ("browser_first_map_s", "erste Karte im Browser", "{:.2f} s"),
    ("baseline_first_map_s", "… Grundlinie (nur eine Karte)", "{:.2f} s"),
    ("browser_rerun_s", "Kennzahl wechseln bis Karte neu", "{:.2f} s"),
    ("baseline_rerun_s", "… Grundlinie", "{:.2f} s"),
    ("sessions20_p95_rerun_s", "20 Sitzungen: p95 je Klick", "{:.2f} s"),
    ("sessions20_p95_rerun_s_multi", "… ein Prozess je Kern", "{:.2f} s"),
    ("sessions20_single_median_s", "eine Sitzung allein: Median je Klick", "{:.2f} s"),
    ("sessions20_room_p95_s", "20 Sitzungen mit Lesepausen: p95 je Klick", "{:.2f} s"),
    ("sessions20_p95_ratio", "… ÷ eine Sitzung allein", "{:.2f} ×"),
    ("sessions20_p95_ratio_multi", "… ein Prozess je Kern, ÷ eine Sitzung allein", "{:.2f} ×"),
    ("sessions20_rss_mb", "20 Sitzungen: Speicher Server", "{:.0f} MB"),
    ("peak_rss_mb", "Spitze Speicher Server", "{:.0f} MB"),
)


def _cell(value: object, fmt: str) -> str:
    if value is None:
        return "–"
    if fmt == "page":
        pages = dict(value)  # type: ignore[call-overload]
        worst = max(pages, key=pages.get)
        return f"{pages[worst]:.2f} s ({worst})".replace(".", ",")
    text = fmt.format(value)
    return text.replace(",", "#").replace(".", ",").replace("#", ".")  # German: 1.234,5


#: Pages of the settled times (bench/settled.py) with their German names.
SETTLED = {
    "lagebild": "Lagebild",
    "kita": "Kita-Versorgung",
    "schule": "Schule & Ganztag",
    "stadtteilprofil": "Stadtteilprofil",
    "szenarien": "Szenarien",
    "sitzung_top": "Sitzung, ein TOP",
}


SETTLED_NOTE = (
    "\n\nZiele (Berlin): jede Seite warm und kalt ≤ 1,3 × Grundlinie; Kennzahl wechseln ≤ 1,3 ×"
    " Grundlinie; 20 Sitzungen mit Lesepausen p95 ≤ 2,5 × eine Sitzung allein auf einem Prozess je"
    " Kern (wie die gemeinsame Installation; ein Prozess allein steht ohne Ziel daneben); langsamste"
    " Seite, warmer Neuaufbau ≤ 0,3 s."
)


def _de(x: float, fmt: str = "{:.2f}") -> str:
    return fmt.format(x).replace(".", ",")


def settled_markdown(results: dict[str, object]) -> str:
    """Per page: navigation → page settled, warm and cold, median [min–max] and × the floor page."""
    datasets: dict[str, dict[str, Any]] = results["datasets"]  # type: ignore[assignment]
    names = [n for n in NAMES if n in datasets and "page_settled_s" in datasets[n]]
    if not names:
        return ""
    lines = [
        "| Seite fertig (Median [min–max], × Grundlinie) | "
        + " | ".join(f"{NAMES[n]} warm | {NAMES[n]} kalt" for n in names)
        + " |",
        "| --- | " + " | ".join("---: | ---:" for _ in names) + " |",
    ]

    def cell(f: dict[str, Any], kind: str, page: str | None) -> str:
        if page is None:
            key = "floor_settled_s" if kind == "" else "floor_settled_cold_s"
            lo, hi = f["floor_settled_spread" if kind == "" else "floor_settled_cold_spread"]
            return f"{_de(f[key])} s [{_de(lo)}–{_de(hi)}]"
        sfx = "" if kind == "" else "_cold"
        if page not in f[f"page_settled{sfx}_s"]:
            return "–"
        lo, hi = f[f"page_settled{sfx}_spread"][page]
        value, ratio = f[f"page_settled{sfx}_s"][page], f[f"page_settled{sfx}_ratio"][page]
        return f"{_de(value)} s [{_de(lo)}–{_de(hi)}] ×{_de(ratio)}"

    for page, label in [(None, "Grundlinie (nur eine Karte)"), *SETTLED.items()]:
        cells = [f"{cell(datasets[n], '', page)} | {cell(datasets[n], 'cold', page)}" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


#: The file checks of bench/memory.py: (label, file key, seconds key, peak key).
FILE_CHECKS = (
    ("CSV, Bevölkerung", "check_csv_mb", "check_csv_100mb_s", "check_csv_100mb_peak_rss_mb"),
    (
        "XLSX-Bombe (A1:XFD1048576)",
        "check_xlsx_bomb_bytes",
        "check_xlsx_bomb_s",
        "check_xlsx_bomb_peak_rss_mb",
    ),
)


def files_markdown(results: dict[str, object]) -> str:
    """``python -m planning check`` of an uploaded file: size, seconds, peak RSS and its target."""
    datasets: dict[str, dict[str, Any]] = results["datasets"]  # type: ignore[assignment]
    f = datasets.get("dateipruefung")
    if not f:
        return ""
    targets: dict[str, object] = results.get("targets", {})  # type: ignore[assignment]
    lines = [
        "| Datei prüfen (`python -m planning check`) | Größe | Dauer | Spitze Speicher | Ziel |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for label, size_key, s_key, rss_key in FILE_CHECKS:
        size = f.get(size_key)
        size_text = (
            f"{_de(size, '{:.1f}')} MB" if size_key.endswith("_mb") else f"{size:,} B".replace(",", ".")
        )
        goal = targets.get(f"dateipruefung.{rss_key}")
        lines.append(
            f"| {label} | {size_text} | {_de(f[s_key], '{:.1f}')} s | {f[rss_key]:.0f} MB | "
            + (f"≤ {goal:.0f} MB |" if isinstance(goal, int | float) else "– |")
        )
    return "\n".join(lines)


def readme_section(results: dict[str, object]) -> str:
    """The README's figures: the quiet run, then (if measured) the run beside a busy neighbour."""
    parts = []
    for section, title in ((results, "ohne Nachbarlast"), (results.get("neighbour"), "mit Nachbarlast")):
        if not isinstance(section, dict) or "datasets" not in section:
            continue
        m = section.get("machine", {})
        section = {**section, "targets": results.get("targets", {})}
        parts.append(
            f"Gemessen am {section.get('measured_at')} {title} auf {m.get('cpus')} Kernen, Python "
            f"{m.get('python')} ({m.get('platform')}); Grundlinie = dieselben Gebiete als eine Karte "
            "auf einer leeren Streamlit-Seite, im selben Lauf gemessen:\n\n"
            + markdown(section)
            + ("\n\n" + settled_markdown(section) + SETTLED_NOTE if settled_markdown(section) else "")
            + ("\n\n" + files_markdown(section) if files_markdown(section) else "")
        )
    return "\n\n".join(parts)


def _spread(spread: object) -> str:
    """`` [min–max]`` of a figure that is the median of several runs (the room's ratios)."""
    if not isinstance(spread, list | tuple) or len(spread) != 2:
        return ""
    return f" [{_de(spread[0])}–{_de(spread[1])}]"


def markdown(results: dict[str, object]) -> str:
    datasets: dict[str, dict[str, object]] = results["datasets"]  # type: ignore[assignment]
    names = [n for n in NAMES if n in datasets]
    lines = [
        "| Messung | " + " | ".join(NAMES[n] for n in names) + " | Ziel |",
        "| --- | " + " | ".join("---:" for _ in names) + " | --- |",
    ]
    targets: dict[str, object] = results.get("targets", {})  # type: ignore[assignment]
    for key, label, fmt in ROWS:
        goal = "; ".join(
            f"{NAMES[d.split('.')[0]]} ≤ {t}" for d, t in targets.items() if d.split(".")[1] == key
        )
        cells = [_cell(datasets[n].get(key), fmt) + _spread(datasets[n].get(f"{key}_spread")) for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal or '–'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(readme_section(json.loads(RESULTS.read_text(encoding="utf-8"))))
    sys.exit(0)
