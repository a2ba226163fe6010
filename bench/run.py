"""Benchmark: prints figures with their targets and writes bench/results.json (``make bench``).

So far it measures imports (issue "Import real municipal data": the full Berlin bundle under
15 s on a 2-core machine). Each figure is the median of several runs into a fresh SQLite file.
Datasets from ../shared/data/real are skipped with a plain reason when that folder is missing.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planning.db import make_engine, migrate  # noqa: E402
from planning.demo import build_demo  # noqa: E402
from planning.imports.bundles.berlin import import_berlin  # noqa: E402
from planning.imports.bundles.flensburg import import_flensburg  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "real"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TARGETS = {("berlin", "import_s"): 15.0}


def _timed_import(load: Callable[[object], object]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        t0 = time.perf_counter()
        load(engine)
        elapsed = time.perf_counter() - t0
        engine.dispose()
    return elapsed


def main() -> int:
    datasets: dict[str, Callable[[object], object]] = {"demo": lambda e: build_demo(e)}  # type: ignore[arg-type]
    skipped = {}
    for city, fn in (("flensburg", import_flensburg), ("berlin", import_berlin)):
        if (REAL / city).is_dir():
            datasets[city] = lambda e, fn=fn, city=city: fn(e, REAL / city)  # type: ignore[misc]
        else:
            skipped[city] = f"{REAL / city} fehlt"
    results: dict[str, dict[str, float]] = {}
    for name, load in datasets.items():
        times = [_timed_import(load) for _ in range(RUNS)]
        results[name] = {"import_s": round(statistics.median(times), 2)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "runs": RUNS,
        "datasets": results,
        "peak_rss_mb": round(peak, 1),
        "skipped": skipped,
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"{'Datensatz':<12} {'Kennzahl':<12} {'Wert':>8}  Ziel")
    failed = False
    for name, figures in results.items():
        for key, value in figures.items():
            target = TARGETS.get((name, key))
            ok = target is None or value <= target
            failed |= not ok
            print(
                f"{name:<12} {key:<12} {value:>8.2f}  {'≤ ' + str(target) + ' s' if target else '–'}"
                f"{'' if ok else '  VERFEHLT'}"
            )
    print(f"{'alle':<12} {'peak_rss_mb':<12} {peak:>8.1f}")
    for name, why in skipped.items():
        print(f"übersprungen: {name} ({why})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
