"""No one waits for the first load: the server prepares the active data when it starts and again
whenever an import (in this or another app process) changes what is active.

A background thread fills the same shared caches the pages use (``ui/data.py``): the facts of the
active layout, the city's key figures of the latest year, the base scenario's plan, and the map
layer and every built-in indicator's table of the level the app opens on. With the persisted cache
(``planning.prepared``) a large layout that another process prepared before is ready within seconds.
Then the server opens its main pages once itself, through its own websocket (exactly what a browser
sends), so what each page derives on its first run is shared too. The thread looks for new active
versions every :data:`POLL_S` seconds (one small query) and prepares them before the next visitor asks.

Started by ``serve.py`` (the server's lifespan), which holds back the first answer until the first
preparation is over (at most :data:`READY_WAIT_S`): the server's socket is already listening, so a
browser (or the proxy, or a health check) that arrives during those seconds waits in the queue and is
then served from prepared data instead of preparing them itself on a server busy doing the same.

Right after the first preparation the server opens its pages itself, and :class:`HoldFirstRequests`
holds every other request back until that visit is over (at most :data:`HOLD_S`): the first
visitor after a start then gets pages whose first run is done, not a server that runs them for the
first time beside the visitor. Berlin, first visitor of a fresh process, 5 starts each, settled:
Kita page 3,47 s and a TOP 3,50 s with the held visit (the server answers 1 s later); 3,6 s and
3,4-3,6 s with the visit 15 s after the start, as before; 3,9 s and 4,0 s with the visit running
beside the first visitor. The first visitor's page run: 0,32 s (0,52 s without the visit; warm
0,36 s). Besides the main pages the visit opens the first TOP of the open meetings: the
Steuerkreis' screen asks for it first.

After an import the server is in use: the visit of the new data happens only while no browser
session exists on it (none connected, none kept for a reconnect), and it stops before its next page
as soon as one appears, so a person who comes meanwhile shares the server with at most the one page
run under way; the rest is opened when the server is idle again.

``streamlit run app.py`` works as before, without preparation at start.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from streamlit.logger import get_logger

from planning.scenarios import BASELINE_NAME

#: Through Streamlit's logging, so the server's log shows when the data were ready.
LOG = get_logger("planungsatlas.warmup")
#: Seconds between two looks for newly active data (an import elsewhere).
POLL_S = 5.0
#: Longest the server holds back its first answer for the first preparation (a database that does
#: not answer must not keep the pages, which say why, from being served).
READY_WAIT_S = 120.0
#: Longest the server holds back other requests while it opens its pages after the start (a large
#: layout's pages must not keep people waiting much longer than its data did).
HOLD_S = 30.0
#: Set once the server has opened its pages after the start (or given up): requests pass from then.
pages_opened = threading.Event()
#: Marks the server's own visit, so :class:`HoldFirstRequests` lets it through (new at every start).
_VISIT_HEADER = "x-planungsatlas-vorab"
_VISIT_TOKEN = secrets.token_hex(16)
#: What was prepared last, per database URL (the active layout and its versions).
_prepared: dict[str, tuple[Any, ...]] = {}
_lock = threading.Lock()


class _NoContextWarning(logging.Filter):
    """Streamlit warns about every cached call outside a page run; here that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing ScriptRunContext" not in record.getMessage()


def prepare(url: str | None = None) -> tuple[Any, ...] | None:
    """Fill the shared caches for the active layout of ``url``; returns what was prepared (None: no
    data yet). Does nothing if exactly that was prepared before."""
    from ui import data as uidata

    url = url or uidata.db_url()
    layouts = uidata.layouts()
    if not layouts:
        return None
    layout = layouts[0]
    versions = uidata.version_key(layout.id)
    key = (layout.code, versions)
    with _lock:
        if _prepared.get(url) == key:
            return key
        t0 = time.perf_counter()
        data = uidata.planning_data(url, layout.code, versions)
        if not data.areas.empty:
            level = uidata.default_level(data)
            uidata.map_layer(url, layout.code, versions, level)
            # Every built-in indicator on that level (the Stadtteilprofil reads them all).
            uidata.prepare_indicator_tables(url, layout.code, versions, level)
        if not data.population.empty:
            from planning.scenarios import get_scenario

            # The Lagebild's key figures of the year the app opens on (its latest year).
            uidata.summary(url, layout.code, versions, int(data.population["year"].max()))

            base = get_scenario(uidata.engine_for(url), layout.id, BASELINE_NAME)
            with contextlib.suppress(ValueError):  # no plan with these data: the page says why
                uidata.plan_result(url, layout.code, versions, base.name, base.revision, "")
        _prepared[url] = key
    LOG.info("Daten vorbereitet: %s in %.1f s", layout.code, time.perf_counter() - t0)
    return key


#: Pages the server opens once for itself after preparing (URL paths, "" = Lagebild): what each
#: page derives on its first run (indicator tables, profiles, figures) is then in the shared caches.
#: The pages whose first run costs most come first (Berlin, a fresh process: Kita and
#: Stadtteilprofil 0,6 s, Lagebild 0,45 s, Schule and Szenarien 0,35 s).
VISIT_PAGES = ("kita", "", "stadtteilprofil", "schule", "szenarien", "sozialraum")
#: How many open meetings' first TOP the visit opens (newest first).
VISIT_MEETINGS = 2


async def _visit(base_url: str, pages: tuple[tuple[str, str], ...]) -> bool:
    """One websocket session of this server opening ``pages`` (``(page, query string)``, what a
    browser sends on a click), one after another; False when it stopped early because a browser
    session appeared. Behind the sign-in page there is nothing to open: True."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.typing import Subprotocol

    url = base_url.replace("http", "ws", 1) + "/_stcore/stream"
    async with websockets.connect(
        url,
        subprotocols=[Subprotocol("streamlit")],
        max_size=None,
        additional_headers={_VISIT_HEADER: _VISIT_TOKEN},
    ) as ws:
        for page, query in pages:
            if _sessions() > 1:  # somebody came: their page runs alone
                return False
            msg = BackMsg()
            msg.rerun_script.page_name = page
            msg.rerun_script.query_string = query
            await ws.send(msg.SerializeToString())
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await ws.recv())
                kind = fwd.WhichOneof("type")
                if kind == "page_not_found":  # behind the sign-in page: nothing more to open
                    return True
                if kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    break
    return True


def meeting_pages(limit: int = VISIT_MEETINGS) -> tuple[tuple[str, str], ...]:
    """The first TOP of the newest ``limit`` meetings not yet closed (``?sitzung=…&top=1``)."""
    from planning.steering import meetings
    from ui import data as uidata

    open_ = [
        m for m in meetings.list_meetings(uidata.engine_for(uidata.db_url())) if m.status != "abgeschlossen"
    ]
    return tuple(("", f"sitzung={m.id}&top=1") for m in open_[:limit] if m.agenda)


def visit(pages: tuple[str, ...] = VISIT_PAGES, wait_s: float = 60.0) -> bool:
    """Open ``pages`` and then the open meetings' first TOP once on this server, as the day's first
    visitor would. False if it stopped because a browser session appeared: take it up again when
    the server is idle. True otherwise, also when the server did not answer within ``wait_s`` or the
    visit failed (then the first visitor fills the caches)."""
    import asyncio

    from streamlit import config
    from websockets.exceptions import ConnectionClosed

    port = config.get_option("server.port")
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    base_url = f"http://127.0.0.1:{port}" + (f"/{base}" if base else "")
    deadline = time.monotonic() + wait_s
    try:
        tops = meeting_pages()
    except Exception:  # no meetings table yet, say: the pages still get their visit
        LOG.exception("Sitzungen für den Vorab-Besuch nicht gelesen")
        tops = ()
    # The TOPs last: their session is in meeting mode from then on, the pages before them are not.
    ordered = (*((p, "") for p in pages), *tops)
    while True:
        try:
            t0 = time.perf_counter()
            done = asyncio.run(asyncio.wait_for(_visit(base_url, ordered), timeout=max(wait_s, 600.0)))
        except OSError:  # not listening yet
            if time.monotonic() > deadline:
                return True
            time.sleep(0.5)
            continue
        except ConnectionClosed:  # the server is stopping
            LOG.info("Seiten nicht vorab geöffnet: der Server hält an")
            return True
        except Exception:
            LOG.exception("Seiten nicht vorab geöffnet")
            return True
        if done:
            LOG.info("Seiten vorab geöffnet in %.1f s", time.perf_counter() - t0)
        else:
            LOG.info("Vorab-Besuch nach %.1f s unterbrochen: eine Sitzung ist da", time.perf_counter() - t0)
        return done


def _sessions() -> int:
    """Browser sessions on this server, connected or kept for a reconnect (0 where the Streamlit
    build does not say)."""
    try:
        from streamlit.runtime import Runtime

        return int(Runtime.instance()._session_mgr.num_sessions())
    except Exception:  # another Streamlit build (private attribute)
        return 0


def import_views() -> None:
    """Import the modules the pages run (``ui`` and what it imports: plotly, the planning chain), so
    the first visitor's run does not spend its first seconds importing them."""
    import importlib
    import pkgutil

    import ui

    for module in pkgutil.iter_modules(ui.__path__):
        if module.name not in ("warmup", "signin_routes"):
            importlib.import_module(f"ui.{module.name}")


def _idle() -> bool:
    """No browser session on this server, connected or kept for its reconnect (True where the
    Streamlit build does not say). Where people have come, their own first visits fill the caches;
    opening six pages beside them would only slow down what they are waiting for."""
    return _sessions() == 0


def _loop(stop: threading.Event, ready: threading.Event, with_visit: bool) -> None:
    visited: tuple[Any, ...] | None = None
    try:
        import_views()
    except Exception:  # the page that needs the module will show the error
        LOG.exception("Seitenmodule nicht vorab geladen")
    while not stop.is_set():
        key = None
        try:
            key = prepare()
        except Exception:  # a broken database must not end the thread; the pages will say why
            LOG.exception("Vorbereitung der Daten fehlgeschlagen")
        finally:  # the first preparation is over (done or failed): the server may answer
            ready.set()
        try:
            if (
                with_visit
                and key is not None
                and key != visited
                # at the start, requests are held back for the visit; later, people come first
                and (not pages_opened.is_set() or _idle())
                and visit()  # False: interrupted by a browser session, taken up when idle
            ):
                visited = key
        except Exception:
            LOG.exception("Seiten nicht vorab geöffnet")
        finally:
            pages_opened.set()
        stop.wait(POLL_S)


def start(with_visit: bool = True) -> tuple[threading.Event, threading.Event]:
    """Start the preparing thread (daemon). Returns ``(stop, ready)``: set ``stop`` to end it;
    ``ready`` is set once the first preparation is over (done or failed). ``with_visit``: also open
    the main pages once on this server after each preparation (:func:`visit`)."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        _NoContextWarning()
    )
    stop, ready = threading.Event(), threading.Event()
    pages_opened.clear()
    threading.Thread(
        target=_loop, args=(stop, ready, with_visit), name="planungsatlas-warmup", daemon=True
    ).start()
    return stop, ready


class HoldFirstRequests:
    """ASGI middleware (``serve.py``): after a start, every request waits until the server has
    opened its pages once (:data:`pages_opened`, at most :data:`HOLD_S`); only the server's own
    visit passes. Like the hold-back for the data, nobody is turned away: the request is answered a
    moment later, from pages already run."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and not pages_opened.is_set() and not _from_visit(scope):
            import asyncio

            deadline = time.monotonic() + HOLD_S
            while not pages_opened.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        await self.app(scope, receive, send)


def _from_visit(scope: dict[str, Any]) -> bool:
    token = _VISIT_TOKEN.encode()
    return any(
        k == _VISIT_HEADER.encode() and secrets.compare_digest(v, token) for k, v in scope.get("headers", ())
    )


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The server's lifespan (``st.App``): the first answer waits for the first preparation (the
    socket listens meanwhile, so nobody is turned away); preparing goes on until the server stops."""
    import asyncio

    stop, ready = start()
    t0 = time.perf_counter()
    if not await asyncio.to_thread(ready.wait, READY_WAIT_S):
        LOG.warning("Daten nach %.0f s noch nicht vorbereitet: der Server antwortet trotzdem", READY_WAIT_S)
    LOG.info("Bereit nach %.1f s", time.perf_counter() - t0)
    try:
        yield
    finally:
        stop.set()
