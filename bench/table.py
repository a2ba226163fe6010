"""The README's table of bench/results.json (``python bench/table.py`` prints it as Markdown)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

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
        cells = [_cell(datasets[n].get(key), fmt) for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal or '–'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(json.loads(RESULTS.read_text(encoding="utf-8"))))
    sys.exit(0)
