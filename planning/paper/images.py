"""Charts as PNG for print: kaleido (headless chromium, offline), one server per process, an image
cache by content.

The print map itself (no tiles, no WebGL) is drawn by :mod:`planning.paper.print_map`.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import kaleido
import plotly.graph_objects as go
import plotly.io as pio
from PIL import Image

from planning.plot_text import escape_figure

#: One image may take this long before the export gives up (chromium normally needs 1–5 s here).
RENDER_TIMEOUT_S = 90.0
#: The first image after the browser started may take this much longer (chromium starting up
#: takes 30 s on a small busy server).
STARTUP_TIMEOUT_S = 300.0
#: Rendered images kept per process, by content: the PDF and the PPTX of one meeting (or the same
#: paper asked for twice) share their charts instead of drawing each again.
PNG_CACHE_BYTES = 64 * 1024 * 1024
#: Trace types that need map tiles or a WebGL context: not printable offline.
_TILE_TRACES = {"scattermap", "choroplethmap", "densitymap", "scattermapbox", "choroplethmapbox"}
_GEO_TRACES = {"scattergeo", "choropleth"}

T = TypeVar("T")


class ExportError(RuntimeError):
    """A chart could not be turned into an image (no browser, kaleido failure, online-only figure)."""


_server_lock = threading.Lock()  # starting the server
_render_lock = threading.Lock()  # kaleido's sync server answers one caller at a time
_server_state: dict[str, Any] = {"started": False, "broken": "", "warm": False}


def _find_browser() -> str | None:
    """The chromium kaleido would use (BROWSER_PATH, PATH, typical locations), or None."""
    try:
        from choreographer.browsers.chromium import Chromium

        return Chromium.find_browser(skip_local=False)
    except Exception:  # private API of kaleido's dependency: fall back to a plain look-up
        import shutil

        return next(
            (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
        )


def _local_topojson_url() -> str:
    """A local *directory* URL for plotly.js topojson: geo traces never fetch from the internet."""
    configured = pio.defaults.topojson
    if isinstance(configured, str) and configured.startswith("file:"):
        return configured
    return Path(__file__).resolve().parent.as_uri() + "/"


def _ensure_server() -> None:
    """Start kaleido's sync server once per process (0.3 s per image instead of 2–8 s)."""
    with _server_lock:
        if _server_state["broken"]:
            if _server_alive():  # hangs: restarting could hang as well, so the process keeps failing
                raise ExportError(_server_state["broken"])
            # The browser died (or never started): clear kaleido's server and try once more.
            kaleido.stop_sync_server(silence_warnings=True)
            _server_state.update(started=False, broken="", warm=False)
        if _server_state["started"]:
            return
        if _find_browser() is None:
            raise ExportError(
                "Diagramme können nicht als Bild exportiert werden: kein Chromium-Browser gefunden "
                "(Debian-Paket „chromium“ installieren, siehe scripts/ensure-system-deps.sh)."
            )
        # mathjax=False: kaleido would otherwise load MathJax from a CDN.
        kaleido.start_sync_server(mathjax=False, timeout=RENDER_TIMEOUT_S, silence_warnings=True)
        _server_state["started"] = True


def _server_alive() -> bool:
    """False once kaleido's server thread has ended (its browser failed); private, so defensive."""
    thread = getattr(getattr(kaleido, "_global_server", None), "_thread", None)
    return thread is None or thread.is_alive()


def _call_guarded(fn: Callable[[], T], timeout: float) -> T:
    """Run ``fn`` in a helper thread: if the kaleido server thread dies (browser did not start),
    its sync call would block forever; here the caller gets an ``ExportError`` instead."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, daemon=True, name="paper-kaleido").start()
    deadline = time.monotonic() + timeout
    while not done.wait(0.1):
        if not _server_alive():  # the browser died: the next export starts a new one
            _server_state["broken"] = (
                "Diagramme können nicht als Bild exportiert werden: der Chromium-Browser für den "
                "Bildexport ist nicht gestartet oder antwortet nicht."
            )
            raise ExportError(_server_state["broken"])
        if time.monotonic() > deadline:  # slow (a busy server), not dead: the next export may try again
            raise ExportError(
                f"Diagramm konnte nicht als Bild exportiert werden: keine Antwort des Browsers nach "
                f"{timeout:.0f} s (Server ausgelastet?). Bitte erneut versuchen."
            )
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _check_offline(fig: go.Figure) -> None:
    kinds = {trace.type for trace in fig.data}
    if kinds & _TILE_TRACES:
        raise ExportError(
            "Karten mit Hintergrundkarte (MapLibre) lassen sich nicht offline als Bild drucken; "
            "für Vorlagen bitte planning.paper.print_map.static_map verwenden."
        )
    for image in fig.layout.images or ():
        if isinstance(image.source, str) and image.source.startswith(("http:", "https:")):
            raise ExportError("Das Diagramm lädt ein Bild aus dem Internet; der Export bleibt offline.")


def figure_png(fig: go.Figure, width_px: int, height_px: int, scale: float = 2) -> bytes:
    """PNG of ``fig`` at ``width_px`` × ``height_px`` layout pixels (× ``scale`` physical pixels).

    Raises ``ExportError`` (German message) when no browser is available or kaleido fails. Names
    in the figure's data are escaped first (a copy): they print as text, never as markup.
    """
    fig = escape_figure(go.Figure(fig))
    _check_offline(fig)
    fig_dict = fig.to_plotly_json()
    opts = {"format": "png", "width": int(width_px), "height": int(height_px), "scale": scale}
    topojson = _local_topojson_url() if {t.type for t in fig.data} & _GEO_TRACES else None
    key = _cache_key(fig, opts, topojson)
    cached = _cache_get(key)
    if cached is not None:
        return cached
    _ensure_server()
    try:
        with _render_lock:
            timeout = 2 * RENDER_TIMEOUT_S + (0.0 if _server_state["warm"] else STARTUP_TIMEOUT_S)
            render = lambda: kaleido.calc_fig_sync(fig_dict, opts=opts, topojson=topojson)  # noqa: E731
            png = _call_guarded(render, timeout)
            _server_state["warm"] = True
    except ExportError:
        raise
    except Exception as exc:
        raise ExportError(
            f"Diagramm konnte nicht als Bild exportiert werden ({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(png, bytes) or not png.startswith(b"\x89PNG"):
        raise ExportError("Diagramm konnte nicht als Bild exportiert werden (keine PNG-Daten erhalten).")
    out = _opaque(png)
    _cache_put(key, out)
    return out


_png_cache: OrderedDict[str, bytes] = OrderedDict()
_png_cache_lock = threading.Lock()


def _cache_key(fig: go.Figure, opts: dict[str, Any], topojson: str | None) -> str:
    """Everything the picture depends on: the figure as plotly serialises it, size, scale."""
    digest = hashlib.sha256(fig.to_json().encode())
    digest.update(json.dumps([opts, topojson], sort_keys=True).encode())
    return digest.hexdigest()


def _cache_get(key: str) -> bytes | None:
    with _png_cache_lock:
        png = _png_cache.get(key)
        if png is not None:
            _png_cache.move_to_end(key)
        return png


def _cache_put(key: str, png: bytes) -> None:
    """Keep ``png``, dropping the least recently used images beyond ``PNG_CACHE_BYTES``."""
    with _png_cache_lock:
        _png_cache[key] = png
        _png_cache.move_to_end(key)
        total = sum(len(v) for v in _png_cache.values())
        while total > PNG_CACHE_BYTES and len(_png_cache) > 1:
            _, dropped = _png_cache.popitem(last=False)
            total -= len(dropped)


def _opaque(png: bytes) -> bytes:
    """Flatten kaleido's RGBA onto white: no soft mask in the PDF, same look in every viewer."""
    with Image.open(io.BytesIO(png)) as img:
        if img.mode not in ("RGBA", "LA", "P"):
            return png
        rgba = img.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="PNG", compress_level=3)
    return out.getvalue()
