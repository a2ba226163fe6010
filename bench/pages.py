"""Warm reruns of every page in Streamlit's AppTest, and the Lagebild map's payload.

A warm rerun is what a planner waits for after a click once the data is loaded: the page script
runs again with every cache filled. Each page is opened once (cold, not counted), then rerun
``runs`` times; the median counts. The map payload is what the browser receives for the Lagebild
map: the figure spec (every rerun) plus the geometry file it fetches once.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (page file, short key in results.json): every page of the app's navigation.
PAGES = (
    ("pages/lagebild.py", "lagebild"),
    ("pages/kita.py", "kita"),
    ("pages/schule.py", "schule"),
    ("pages/sozialraum.py", "sozialraum"),
    ("pages/stadtteilprofil.py", "stadtteilprofil"),
    ("pages/querschnitt.py", "querschnitt"),
    ("pages/szenarien.py", "szenarien"),
    ("pages/kohorten.py", "kohorten"),
    ("pages/prognose.py", "prognose"),
    ("pages/steuerkreis.py", "steuerkreis"),
    ("pages/kennzahlen.py", "kennzahlen"),
    ("pages/datenstaende.py", "datenstaende"),
    ("pages/import.py", "import"),
    ("pages/protokoll.py", "protokoll"),
)


def _app(db_url: str):  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    os.environ["PLANUNGSATLAS_DB_URL"] = db_url
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.run()
    return at


def page_reruns(db_url: str, runs: int = 5) -> dict[str, dict[str, float]]:
    """Per page: ``median`` and ``min`` seconds of a warm rerun, and ``cold`` (first open)."""
    out: dict[str, dict[str, float]] = {}
    for path, key in PAGES:
        at = _app(db_url)
        at.switch_page(path)
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"{path}: {at.exception[0].value}")
        at.run()  # the second run fills what the first run's callbacks and fragments left
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
        out[key] = {
            "median": round(statistics.median(times), 3),
            "min": round(min(times), 3),
            "cold": round(cold, 2),
        }
    return out


def map_payload(db_url: str) -> tuple[dict[str, int], Path | None]:
    """Bytes of the Lagebild map: ``spec`` (per rerun) and ``geometry`` (the layer file, once).

    Also returns the layer file itself (the baseline page draws the same areas from it)."""
    at = _app(db_url)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [c for c in charts if any(t.get("type") == "choroplethmap" for t in c.get("data", []))]
    if not maps:
        raise RuntimeError("Lagebild: keine Karte gefunden")
    spec = maps[0]
    spec_bytes = len(json.dumps(spec, separators=(",", ":")).encode("utf-8"))
    files = {
        ROOT / layer.removeprefix("app/")
        for layer in (t.get("geojson") for t in spec["data"])
        if isinstance(layer, str) and layer.startswith("app/static/")
    }
    geometry = sum(f.stat().st_size for f in files)
    sizes = {"spec": spec_bytes, "geometry": geometry, "total": spec_bytes + geometry}
    return sizes, next(iter(files), None)
