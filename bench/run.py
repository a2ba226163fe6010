"""Benchmark: prints every figure beside its target and writes bench/results.json (``make bench``).

Datasets: the demo city, Berlin from ../shared/data/real/berlin (542 Planungsräume, 2,893 Kitas),
Flensburg (import and backtest only) and a generated federal state of 11,008 Planungsräume in 344
Gemeinden (``bench/large.py``). Per dataset, in this order (keys of ``results.json``):

- ``import_s``: loading the dataset into a fresh SQLite file (median of ``BENCH_RUNS``);
- ``forecast_s``: projection + Kita + school + Ganztag demand, all areas, 15 years (median);
- ``page_rerun_s``: warm rerun of every page in AppTest (dict page → median seconds);
- ``map_payload_bytes``: the Lagebild map sent to the browser (figure spec + geometry file);
- ``browser_first_map_s`` / ``browser_rerun_s``: real headless Chromium, navigation → Lagebild map
  drawn, and indicator change → map redrawn; ``baseline_first_map_s`` / ``baseline_rerun_s`` the
  same on a minimal page with one pre-built map of the same areas (``bench/baseline_app.py``);
- ``sessions20_p95_rerun_s`` / ``sessions20_rss_mb``: 20 concurrent sessions clicking through
  pages (websocket clients), and the server's peak memory;
- ``peak_rss_mb``: the app server's peak resident memory over the whole dataset's run.

Every figure is a median of several runs; the fastest run is kept beside it (``*_min``) because a
shared VM varies between runs. Datasets from ../shared are skipped with a plain reason when that
folder is missing. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import browser, pages  # noqa: E402
from planning.backtest import backtest_data  # noqa: E402
from planning.db import make_engine, migrate  # noqa: E402
from planning.plan import compute_plan  # noqa: E402
from planning.repository import PlanningData, load_planning_data  # noqa: E402
from planning.scenarios import Scenario  # noqa: E402
from scripts.screenshots import start_server  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
FIFTEEN_YEARS = Scenario("Bench", params={"prognose_jahre": 15})
RERUN_OPTIONS = ("Kita · Kita-Plätze", "Kita · Versorgungsquote Ü3")  # both in every dataset

#: (dataset, key) → (limit, how the limit is read). "×baseline_…": a multiple of that figure.
TARGETS: dict[tuple[str, str], tuple[float, str]] = {
    ("berlin", "forecast_s"): (0.5, ""),
    ("berlin", "page_rerun_s"): (0.3, ""),
    ("berlin", "map_payload_bytes"): (600_000, ""),
    ("berlin", "browser_first_map_s"): (1.2, "baseline_first_map_s"),
    ("berlin", "browser_rerun_s"): (1.3, "baseline_rerun_s"),
    ("berlin", "sessions20_p95_rerun_s"): (2.0, ""),
    ("berlin", "sessions20_rss_mb"): (1536, ""),
    ("gross_11000", "forecast_s"): (5.0, ""),
    ("gross_11000", "browser_first_map_s"): (8.0, ""),
}


def _median(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def _import(load: Callable[[object], object], keep: Path, runs: int) -> tuple[float, float]:
    """Seconds to load a dataset into a fresh SQLite file; the first run's file is kept."""
    times = []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            engine = make_engine(f"sqlite:///{db}")
            migrate(engine)
            t0 = time.perf_counter()
            load(engine)
            times.append(time.perf_counter() - t0)
            engine.dispose()
            if i == 0:
                shutil.copy(db, keep)
    return statistics.median(times), min(times)


def _forecast(data: PlanningData, runs: int) -> tuple[float, float]:
    compute_plan(data, FIFTEEN_YEARS)  # warm-up (imports, first allocation)
    return _median(lambda: compute_plan(data, FIFTEEN_YEARS), runs)


def _backtest(data: PlanningData, base_year: int) -> dict[str, float]:
    h = backtest_data(data, base_year)["horizons"]
    return {"backtest_mape_h1": h[0]["mape"], f"backtest_mape_h{h[-1]['horizon']}": h[-1]["mape"]}


def _datasets() -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    from planning.demo import build_demo
    from planning.imports.bundles.berlin import import_berlin
    from planning.imports.bundles.flensburg import import_flensburg

    found: dict[str, dict[str, object]] = {
        "demo": {"load": build_demo, "browser": True, "backtest": 2020, "runs": RUNS},
    }
    skipped: dict[str, str] = {}
    for city, fn, extra in (
        ("berlin", import_berlin, {"browser": True}),
        ("flensburg", import_flensburg, {"browser": False, "pages": False, "backtest": 2018}),
    ):
        if (REAL / city).is_dir():
            found[city] = {"load": lambda e, fn=fn, city=city: fn(e, REAL / city), "runs": RUNS, **extra}
        else:
            skipped[city] = f"{REAL / city} fehlt (../shared liegt nicht neben dem Projekt)"
    try:
        from bench.large import build_large
    except ImportError as exc:
        skipped["gross_11000"] = f"bench/large.py nicht ladbar: {exc}"
    else:
        found["gross_11000"] = {"load": build_large, "browser": True, "runs": 1, "sessions": False}
    return found, skipped


def _browser_figures(db: Path, name: str, figures: dict[str, object], with_sessions: bool) -> None:
    url = f"sqlite:///{db}"
    sizes, layer = pages.map_payload(url)
    figures["map_payload_bytes"] = sizes["total"]
    figures["map_payload_detail"] = sizes
    server = start_server(url, browser.LOGS / f"app-{name}.log")
    try:
        with browser.RssSampler(server.proc.pid) as rss:
            app = browser.map_figures(server, "Kennzahl", RERUN_OPTIONS, RUNS)
            figures["browser_first_map_s"] = app["first_map_s"]
            figures["browser_first_map_s_min"] = app["first_map_s_min"]
            figures["browser_rerun_s"] = app["rerun_s"]
            figures["browser_rerun_s_min"] = app["rerun_s_min"]
            if with_sessions:
                s20 = browser.sessions(server, 20)
                figures["sessions20_p95_rerun_s"] = s20["p95_rerun_s"]
                figures["sessions20_median_rerun_s"] = s20["median_rerun_s"]
                figures["sessions20_rss_mb"] = s20["rss_mb"]
        # The sessions' own sampler may have caught a peak between two samples of this one.
        figures["peak_rss_mb"] = round(max(rss.peak, float(figures.get("sessions20_rss_mb", 0.0))), 1)  # type: ignore[arg-type]
    finally:
        server.stop()
    if layer is None:
        return
    base = browser.baseline_server(layer, name)
    try:
        floor = browser.map_figures(base, "Kennzahl", ("Wert B", "Wert A"), RUNS)
    finally:
        base.stop()
    figures["baseline_first_map_s"] = floor["first_map_s"]
    figures["baseline_rerun_s"] = floor["rerun_s"]


def measure(name: str, spec: dict[str, object], keep_dir: Path) -> dict[str, object]:
    db = keep_dir / f"{name}.db"
    t0 = time.perf_counter()
    median, fastest = _import(spec["load"], db, int(spec["runs"]))  # type: ignore[arg-type]
    figures: dict[str, object] = {"import_s": round(median, 2), "import_s_min": round(fastest, 2)}
    engine = make_engine(f"sqlite:///{db}")
    data = load_planning_data(engine)
    engine.dispose()
    figures["areas"] = int((data.areas["level"] == data.data_level).sum())
    median, fastest = _forecast(data, max(RUNS, 5))
    figures["forecast_s"], figures["forecast_s_min"] = round(median, 3), round(fastest, 3)
    if "backtest" in spec:
        figures |= _backtest(data, int(spec["backtest"]))  # type: ignore[arg-type]
    del data
    if spec.get("pages", True):
        reruns = pages.page_reruns(f"sqlite:///{db}", max(RUNS, 5))
        figures["page_rerun_s"] = {page: r["median"] for page, r in reruns.items()}
        figures["page_rerun_s_min"] = {page: r["min"] for page, r in reruns.items()}
        figures["page_first_run_s"] = {page: r["cold"] for page, r in reruns.items()}
    if spec.get("browser"):
        _browser_figures(db, name, figures, with_sessions=bool(spec.get("sessions", True)))
    figures["bench_s"] = round(time.perf_counter() - t0, 1)
    return figures


def check(name: str, figures: dict[str, object]) -> list[tuple[str, str, str, bool]]:
    """(key, value text, target text, met) for every figure with a target."""
    rows = []
    for (ds, key), (limit, of) in TARGETS.items():
        if ds != name or key not in figures:
            continue
        value = figures[key]
        if isinstance(value, dict):  # every page
            worst = max(value, key=value.get)  # type: ignore[arg-type]
            rows.append(
                (key, f"{value[worst]:.3f} ({worst})", f"≤ {limit} jede Seite", value[worst] <= limit)
            )
            continue
        bound = limit * float(figures[of]) if of else limit  # type: ignore[arg-type]
        text = f"≤ {limit} × {of} = {bound:.3f}" if of else f"≤ {limit:g}"
        rows.append((key, f"{float(value):.3f}", text, float(value) <= bound))  # type: ignore[arg-type]
    return rows


def main() -> int:
    from planning.auth import SYSTEM, acting_as

    with acting_as(SYSTEM):  # builds databases like the command line: as the system service
        return _main()


def _main() -> int:
    datasets, skipped = _datasets()
    only = [d for d in os.environ.get("BENCH_ONLY", "").split(",") if d]
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as keep:
        for name, spec in datasets.items():
            if only and name not in only:
                continue
            print(f"… {name}", flush=True)
            results[name] = measure(name, spec, Path(keep))
    out = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "runs": RUNS,
        "datasets": results,
        "targets": {f"{d}.{k}": (f"{lim} × {of}" if of else lim) for (d, k), (lim, of) in TARGETS.items()},
        "skipped": skipped,
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    failed = False
    print(f"\n{'Datensatz':<13} {'Kennzahl':<26} {'Wert':>22}  Ziel")
    for name, figures in results.items():
        targeted = {row[0]: row for row in check(name, figures)}
        for key, value in figures.items():
            if key.endswith("_min") or key in ("page_first_run_s", "map_payload_detail"):
                continue
            if key in targeted:
                _, text, target, ok = targeted[key]
                failed |= not ok
                print(f"{name:<13} {key:<26} {text:>22}  {target}{'' if ok else '  VERFEHLT'}")
            elif isinstance(value, dict):
                worst = max(value, key=value.get)  # type: ignore[arg-type]
                print(f"{name:<13} {key:<26} {f'{value[worst]:.3f} ({worst})':>22}  –")
            else:
                print(f"{name:<13} {key:<26} {value!s:>22}  –")
    for name, why in skipped.items():
        print(f"übersprungen: {name} ({why})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
