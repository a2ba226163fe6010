"""Where a page's settle time goes: one navigation's timeline, server messages and browser drawing.

For each URL (a fresh browser context, as ``bench/settled.py`` measures it) this prints, in
milliseconds from the navigation:

- every script run: started (the server's ``new_session`` message) and finished
  (``script_finished``, with its status: a run ended early for a rerun restarts the settle clock);
- every message the server sent that is larger than 20 kB, with its kind (a plotly chart's spec
  size, a map marked ``map``), and the total bytes received over the websocket;
- in the browser, each blocker of "settled" (:data:`bench.settled.SETTLED_JS`'s parts: script
  running, stale elements, skeletons, spinners, each chart not yet drawn, each map's areas not yet
  rendered) with the time it last stopped blocking; the latest of them is the element that
  settled last;
- the settle time itself, read exactly as :func:`bench.settled.settle_time` does.

Usage (a running server, e.g. ``streamlit run serve.py`` on a copy of the Berlin database)::

    .venv/bin/python -m bench.timeline http://127.0.0.1:8571 "" kita "?sitzung=1&top=1" [--runs 3]

Paths are relative to the base URL (``""``: the first page). With ``--runs N`` each URL is visited
N times (interleaved) after one visit that warms the server, and each run's timeline is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from playwright.sync_api import Page, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.settled import _QUIET_JS, QUIET_MS, TIMEOUT_MS
from scripts.screenshots import launch_browser

#: Installed before the page's own scripts: on every animation frame, records when each blocker of
#: "settled" appears and disappears (``window.__tl``: [ms, name, blocking]).
BLOCKERS_JS = """
(() => {
  window.__tl = []; const state = {};
  const note = (name, blocking) => {
    if (state[name] === blocking) return;
    state[name] = blocking; window.__tl.push([Date.now(), name, blocking]);
  };
  const chartName = (c, i) => {
    const g = c.querySelector('.js-plotly-plot');
    const lay = g && g._fullLayout;
    const t = lay && lay.title && lay.title.text ? ' ' + String(lay.title.text).slice(0, 40) : '';
    return 'chart' + i + (lay && lay.map ? ' map' : '') + t;
  };
  const tick = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) {
      note('script running', app.getAttribute('data-test-script-state') !== 'notRunning');
      note('not connected', app.getAttribute('data-test-connection-state') !== 'CONNECTED');
      note('status widget', !!document.querySelector('[data-testid="stStatusWidget"]'));
      note('stale', !!document.querySelector('[data-stale="true"]'));
      note('skeleton', !!document.querySelector('[data-testid="stSkeleton"], '
        + '[data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]'));
      note('spinner', !!document.querySelector('[data-testid="stSpinner"]'));
      note('main empty',
           !document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]'));
      const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
      charts.forEach((c, i) => {
        const g = c.querySelector('.js-plotly-plot');
        const key = 'chart' + i;
        note(key + ' not drawn', !(g && g._fullLayout));
        if (g && g.on && !g.__tlHooked) {  // every (re)draw of the chart: plotly_afterplot
          g.__tlHooked = true;
          g.on('plotly_afterplot', () => window.__tl.push(
            [Date.now(), key + ' afterplot ' + g.offsetWidth + 'x' + g.offsetHeight, null]));
        }
        if (g && g._fullLayout && g._fullLayout.map) {
          const map = g._fullLayout.map._subplot && g._fullLayout.map._subplot.map;
          const loaded = !!(map && map.loaded());
          const traces = (g._fullData || []).filter(t => t.type === 'choroplethmap' && t.visible === true);
          const layers = traces.map(t => 'plotly-trace-layer-' + t.uid + '-fill')
                               .filter(id => loaded && map.getLayer(id));
          const drawn = loaded && traces.length > 0 && layers.length === traces.length
                        && map.queryRenderedFeatures({layers}).length > 0;
          note(key + ' map areas not drawn', !drawn);
        }
        window.__names = window.__names || {};
        window.__names[key] = chartName(c, i);
      });
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def _message(payload: bytes) -> tuple[str, str]:
    """(kind, detail) of one websocket frame from the server."""
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # a frame we cannot read is reported as such
        return "unreadable", ""
    kind = msg.WhichOneof("type") or "?"
    if kind == "script_finished":
        return kind, ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        etype = element.WhichOneof("type") or "?"
        detail = etype
        if etype == "plotly_chart":
            spec = element.plotly_chart.spec
            try:
                layout = json.loads(spec).get("layout", {})
            except ValueError:
                layout = {}
            title = layout.get("title", {})
            title = title.get("text", "") if isinstance(title, dict) else str(title)
            detail = (
                f"plotly {'map ' if 'map' in layout else ''}spec {len(spec) / 1000:.0f} kB {title[:40]!r}"
            )
        return "element", detail
    return kind, ""


def timeline(page: Page, url: str) -> dict[str, object]:
    """One navigation: settle time (s), the server's messages and the browser's blockers."""
    frames: list[tuple[float, int, str, str]] = []

    def on_ws(ws) -> None:  # type: ignore[no-untyped-def]
        def received(payload: bytes | str) -> None:
            data = payload if isinstance(payload, bytes) else payload.encode()
            kind, detail = _message(data)
            frames.append((time.time(), len(data), kind, detail))

        ws.on("framereceived", received)

    page.on("websocket", on_ws)
    requests: list[tuple[float, str, str]] = []
    page.on("request", lambda r: requests.append((time.time(), "request", r.url)))
    page.on("requestfinished", lambda r: requests.append((time.time(), "loaded", r.url)))
    t0 = time.time()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    since = page.wait_for_function(_QUIET_JS, arg=QUIET_MS, timeout=TIMEOUT_MS, polling="raf")
    settled = float(since.json_value()) / 1000.0 - t0
    blockers = page.evaluate("() => window.__tl || []")
    names = page.evaluate("() => window.__names || {}")
    return {
        "t0": t0,
        "settled": settled,
        "frames": frames,
        "blockers": blockers,
        "names": names,
        "requests": requests,
    }


def report(url: str, tl: dict[str, object]) -> str:
    t0 = float(tl["t0"])  # type: ignore[arg-type]
    ms = lambda t: f"{(t - t0) * 1000:7.0f}"  # noqa: E731
    lines = [f"== {url}: settled {float(tl['settled']):.2f} s"]  # type: ignore[arg-type]
    frames = tl["frames"]
    runs = sum(1 for f in frames if f[2] == "new_session")  # type: ignore[union-attr]
    total = sum(f[1] for f in frames)  # type: ignore[union-attr]
    lines.append(f"   runs {runs}, websocket received {total / 1e6:.2f} MB in {len(frames)} messages")  # type: ignore[arg-type]
    kinds: dict[str, int] = {}
    for _t, _size, kind, detail in frames:  # type: ignore[union-attr]
        if kind == "element":
            name = detail.split(" ")[0]
            kinds[name] = kinds.get(name, 0) + 1
    lines.append(
        "   elements: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    )
    for t, size, kind, detail in frames:  # type: ignore[union-attr]
        if kind in ("new_session", "script_finished") or size > 20_000:
            lines.append(f"   {ms(t)} server {kind:<16} {size / 1000:8.1f} kB {detail}")
    for t, what, url in tl["requests"]:  # type: ignore[union-attr]
        name = url.rsplit("/", 1)[-1]
        if name.startswith(("PlotlyChart", "DataFrame", "index.")) or name.endswith(".geojson"):
            lines.append(f"   {ms(t)} browser {what} {name[:60]}")
    last: dict[str, float] = {}
    for t, name, blocking in tl["blockers"]:  # type: ignore[union-attr]
        if blocking is None:
            lines.append(f"   {ms(t / 1000.0)} browser {name}")
            continue
        if not blocking:
            last[name] = t / 1000.0
        elif name in last:
            del last[name]
    names = tl["names"]
    for name, t in sorted(last.items(), key=lambda kv: kv[1]):
        key = name.split(" ")[0]
        label = names.get(key, key) + name[len(key) :] if key.startswith("chart") else name  # type: ignore[union-attr]
        lines.append(f"   {ms(t)} browser stopped blocking: {label}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-warm", action="store_true", help="do not warm the server first")
    args = parser.parse_args(argv)
    urls = [f"{args.base.rstrip('/')}/{p}" for p in args.paths]
    with sync_playwright() as pw:
        browser = launch_browser(pw)

        def visit(url: str) -> dict[str, object]:
            context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE")
            context.add_init_script(BLOCKERS_JS)
            try:
                return timeline(context.new_page(), url)
            finally:
                context.close()

        if not args.no_warm:
            for url in urls:
                visit(url)
        for _ in range(args.runs):
            for url in urls:
                print(report(url, visit(url)), flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
