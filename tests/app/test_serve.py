"""serve.py: the app as a server runs it prepares the active data before anyone visits, then serves
the pages as ``streamlit run app.py`` does."""

from __future__ import annotations

import asyncio
import time

import pandas as pd
import pytest

from bench.browser import _rerun
from scripts.screenshots import start_server


def _port() -> int:
    """A free port of the range this project's server tests keep to (8640–8659)."""
    import socket

    for port in range(8640, 8660):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("kein freier Port 8640–8659")


async def _visit(url: str, pages: tuple[str, ...]) -> list[str]:
    """Open the app and the given pages in one websocket session; the texts of any exceptions."""
    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    errors: list[str] = []
    async with websockets.connect(
        url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None
    ) as ws:
        for page in pages:
            await _rerun(ws, page)
    # _rerun consumed the messages; a second session collects exceptions of the start page
    async with websockets.connect(
        url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None
    ) as ws:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.page_name = ""
        msg.rerun_script.query_string = ""
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await ws.recv())
            if fwd.WhichOneof("type") == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                errors.append(fwd.delta.new_element.exception.message)
            if fwd.WhichOneof("type") == "script_finished":
                break
    return errors


async def _runs(url: str, page: str) -> list[str]:
    """A new session opening ``page``: how each script run ended, until one ended for good."""
    import websockets

    async with websockets.connect(
        url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None
    ) as ws:
        return await _rerun(ws, page)


def _meetings(url: str) -> tuple[int, list[tuple[str, object]]]:
    """An open meeting with one TOP, a closed one; the open one's id and both meetings' status and
    first TOP's ``shown_at``."""
    import datetime as dt

    from planning import steering as sk
    from planning.db import make_engine

    engine = make_engine(url)
    try:
        if not sk.list_meetings(engine):
            for name, status in (("Offen", "geplant"), ("Vorbei", "abgeschlossen")):
                meeting = sk.create_meeting(engine, name, dt.date(2026, 12, 1), "Test")
                sk.add_agenda_item(engine, meeting.id, f"TOP von {name}")
                if status != "geplant":
                    sk.update_meeting(engine, meeting.id, meeting.revision, "Test", status=status)
        meetings = sk.list_meetings(engine)
        return (
            next(m.id for m in meetings if m.status != "abgeschlossen"),
            [(m.status, m.agenda[0].shown_at) for m in meetings],
        )
    finally:
        engine.dispose()


def test_serve_prepares_the_data_at_start_and_serves_the_pages(demo_template, tmp_path, monkeypatch):
    url = demo_template.copy(tmp_path)
    open_id, before = _meetings(url)
    log = tmp_path / "serve.log"
    # A closed session is dropped after 2 s (default 120 s): the visit waits for none to be left.
    env = {"PLANUNGSATLAS_DATA_DIR": str(tmp_path), "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "2"}
    server = start_server(url, log, script="serve.py", env=env, port=_port())
    try:
        # The first answer (the health check start_server waited for) came after the preparation:
        # the first visitor is served from prepared data.
        assert "Daten vorbereitet: weidenstadt" in server.log(), server.log()
        assert server.log().index("Daten vorbereitet") < server.log().index("Bereit nach")
        # Its pages were opened once by the server itself before it answered anybody (the health
        # check start_server waited for came after them), so the first visitor's deep link runs
        # through app.py at once (no page file run alone that ends early for a rerun).
        assert "Seiten vorab geöffnet" in server.log(), server.log()
        assert asyncio.run(_runs(server.base_url, "kita")) == ["FINISHED_SUCCESSFULLY"]
        # The visit opened the open meeting's first TOP too, and left no trace in the minutes.
        from ui import warmup

        monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
        assert warmup.meeting_pages() == (("", f"sitzung={open_id}&top=1"),)
        assert _meetings(url)[1] == before
        errors = asyncio.run(_visit(server.base_url, ("", "kita", "schule", "szenarien")))
        assert errors == []
        # A visit stops before its next page as soon as a browser session is there.
        seen: list[int] = []
        monkeypatch.setattr(warmup, "_sessions", lambda: seen.append(1) or len(seen))
        pages = (("kita", ""), ("", f"sitzung={open_id}&top=1"), ("schule", ""))
        assert asyncio.run(warmup._visit(server.base_url, pages)) is False
        assert len(seen) == 2  # asked before the first page (only itself), stopped before the second
        seen.clear()
        monkeypatch.setattr(warmup, "_sessions", lambda: seen.append(1) or 1)
        assert asyncio.run(warmup._visit(server.base_url, pages)) is True
        assert len(seen) == 3
        assert "Traceback" not in server.log()
        _static_bundles_from_memory(server.base_url)
    finally:
        server.stop()


def _static_bundles_from_memory(base: str) -> None:
    """Streamlit's hashed bundles come from memory (ui/static_assets.py) exactly as on disk, with
    Streamlit's cache header; what is not such a file is Streamlit's answer as before."""
    import hashlib
    import urllib.error
    import urllib.request

    from ui.static_assets import STATIC_ROOT

    js = max(STATIC_ROOT.joinpath("js").glob("PlotlyChart.*.js"), key=lambda p: p.stat().st_size)
    # a range request goes to Streamlit: its own answer for the file
    part = urllib.request.Request(f"{base}/static/js/{js.name}", headers={"Range": "bytes=0-9"})
    with urllib.request.urlopen(part) as r:
        assert r.status == 206 and r.read() == js.read_bytes()[:10]
        streamlit_type, streamlit_cache = r.headers["Content-Type"], r.headers["Cache-Control"]
    with urllib.request.urlopen(f"{base}/static/js/{js.name}") as r:
        assert r.status == 200 and r.read() == js.read_bytes()
        assert r.headers["Cache-Control"] == streamlit_cache == "public, immutable, max-age=31536000"
        assert r.headers["Content-Type"] == streamlit_type
        assert r.headers["Content-Length"] == str(js.stat().st_size)
        etag = r.headers["ETag"]
    # answered from memory: the tag is the content's digest (Streamlit's own: file time and size)
    assert etag == '"' + hashlib.md5(js.read_bytes(), usedforsecurity=False).hexdigest() + '"'
    again = urllib.request.Request(f"{base}/static/js/{js.name}", headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        urllib.request.urlopen(again)
    assert unchanged.value.code == 304
    # an unknown name goes to Streamlit: the page, not cached
    with urllib.request.urlopen(f"{base}/static/js/gibt-es-nicht.js") as r:
        assert r.headers["Cache-Control"] == "no-cache" and b"<html" in r.read()


def test_static_bundles_only_known_files_get_and_head_under_the_base_url(tmp_path):
    """CachedStaticAssets answers only files that existed at start, by exact path (base URL included);
    other paths, methods and range requests reach Streamlit untouched."""
    import mimetypes

    from ui.static_assets import CachedStaticAssets

    mimetypes.add_type("application/javascript", ".js")  # as Streamlit's start registers it
    text = "console.log('ä')".encode()
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.1234.js").write_bytes(text)
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "i.9.css").write_text("a{}")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "f.woff2").write_bytes(b"\x00font")
    reached: list[tuple[str, str]] = []

    async def streamlit(scope, receive, send):  # type: ignore[no-untyped-def]
        reached.append((scope["method"], scope["path"]))

    def call(mw, path: str, method: str = "GET", headers=()):  # type: ignore[no-untyped-def]
        sent: list[dict] = []

        async def send(message):  # type: ignore[no-untyped-def]
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "headers": list(headers)}
        asyncio.run(mw(scope, None, send))
        return sent

    mw = CachedStaticAssets(streamlit, root=tmp_path, base_url="")
    ok = call(mw, "/static/js/a.1234.js")
    assert ok[0]["status"] == 200 and ok[1]["body"] == text
    head = dict(ok[0]["headers"])
    assert head[b"content-type"] == b"application/javascript"
    assert dict(call(mw, "/static/css/i.9.css")[0]["headers"])[b"content-type"] == b"text/css; charset=utf-8"
    assert head[b"content-length"] == str(len(text)).encode()
    font = call(mw, "/static/media/f.woff2", "HEAD")
    assert font[0]["status"] == 200 and font[1]["body"] == b""
    assert dict(font[0]["headers"])[b"content-length"] == b"5"
    assert call(mw, "/static/js/a.1234.js", headers=[(b"if-none-match", head[b"etag"])])[0]["status"] == 304
    assert reached == []
    for path, method, headers in (
        ("/static/js/../js/a.1234.js", "GET", ()),
        ("/static/js/fehlt.js", "GET", ()),
        ("/static/js/a.1234.js", "POST", ()),
        ("/static/js/a.1234.js", "GET", [(b"range", b"bytes=0-3")]),
        ("/kita", "GET", ()),
    ):
        assert call(mw, path, method, headers) == []
    assert len(reached) == 5
    # Under a base URL only its own paths are answered.
    based = CachedStaticAssets(streamlit, root=tmp_path, base_url="/planung/")
    assert call(based, "/planung/static/js/a.1234.js")[0]["status"] == 200
    assert call(based, "/static/js/a.1234.js") == [] and reached[-1] == ("GET", "/static/js/a.1234.js")


def test_the_server_prepares_the_active_data_before_the_first_visitor(demo_template, tmp_path, monkeypatch):
    """ui.warmup.prepare fills the shared caches the pages read: the page's call is a cache hit."""
    from planning import indicators as ind
    from ui import data as uidata
    from ui import warmup

    url = demo_template.copy(tmp_path)
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    monkeypatch.setenv("PLANUNGSATLAS_DATA_DIR", str(tmp_path / "data"))
    key = warmup.prepare(url)
    assert key is not None
    layout = uidata.layouts()[0]
    versions = uidata.version_key(layout.id)
    assert key == (layout.code, versions)
    data = uidata.planning_data(url, layout.code, versions)
    assert uidata.planning_data(url, layout.code, versions) is data  # the prepared object
    latest = int(data.population["year"].max())

    def not_again(*_args: object) -> None:
        raise AssertionError("city_summary computed again: the Lagebild's key figures were not prepared")

    monkeypatch.setattr(uidata, "city_summary", not_again)
    assert uidata.summary(url, layout.code, versions, latest)["population_year"] == latest
    assert warmup.prepare(url) == key  # nothing to do the second time

    # Every built-in indicator of the opening level is prepared: the pages' calls compute nothing,
    # and give what computing would (compared with the domain functions after the check).
    level = uidata.default_level(data)
    computed = {
        i.code: (ind.indicator_table(data, i, level), ind.city_series(data, i))
        for i in ind.available_indicators(data)
    }
    assert len(computed) >= 10

    def not_computed(*_args: object) -> None:
        raise AssertionError("indicator table computed again: not prepared")

    monkeypatch.setattr(uidata.ind, "indicator_table", not_computed)
    monkeypatch.setattr(uidata.ind, "city_series", not_computed)
    for code, (table, city) in computed.items():
        pd.testing.assert_frame_equal(uidata.indicator_table(url, layout.code, versions, code, level), table)
        pd.testing.assert_frame_equal(uidata.city_series(url, layout.code, versions, code), city)
    # Another level's table is computed, never taken from the opening level's tables.
    other = next(lvl for lvl in sorted(set(data.areas["level"])) if lvl != level)
    with pytest.raises(AssertionError, match="computed again"):
        uidata.indicator_table(url, layout.code, versions, next(iter(computed)), int(other))


def test_the_pages_are_opened_at_start_and_after_an_import_only_when_idle(monkeypatch):
    """Right after the first preparation the server opens its pages (requests are held back
    meanwhile, so no browser session can be in the way) and then lets requests pass. A new prepared
    state (an import) is opened only while no browser session exists; a visit interrupted by one is
    taken up again when the server is idle."""
    from ui import warmup

    calls: list[str] = []
    idle = {"now": False}
    state = {"key": ("stadt", 1), "answers": [True, False, True]}
    monkeypatch.setattr(warmup, "import_views", lambda: calls.append("import"))
    monkeypatch.setattr(warmup, "prepare", lambda: calls.append("prepare") or state["key"])
    monkeypatch.setattr(warmup, "visit", lambda: calls.append("visit") or state["answers"].pop(0))
    monkeypatch.setattr(warmup, "_idle", lambda: idle["now"])
    monkeypatch.setattr(warmup, "POLL_S", 0.02)
    stop, ready = warmup.start()
    try:
        assert ready.wait(5) and warmup.pages_opened.wait(5)
        assert calls[:3] == ["import", "prepare", "visit"]  # at once, though a session "exists"
        state["key"] = ("stadt", 2)  # an import
        time.sleep(0.3)
        assert calls.count("visit") == 1  # a browser has a session: people first
        idle["now"] = True
        deadline = time.monotonic() + 5
        while calls.count("visit") < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        assert calls.count("visit") == 3  # interrupted once, then done once for the new state
    finally:
        stop.set()


def test_requests_wait_for_the_pages_opened_at_start(monkeypatch):
    """HoldFirstRequests: until the start visit is over, a request waits; the visit's own passes."""
    from ui import warmup

    reached: list[str] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        reached.append(scope["path"])

    hold = warmup.HoldFirstRequests(app)
    visit_headers = [(warmup._VISIT_HEADER.encode(), warmup._VISIT_TOKEN.encode())]
    other_headers = [(warmup._VISIT_HEADER.encode(), b"geraten")]

    async def scenario() -> None:
        warmup.pages_opened.clear()
        person = asyncio.create_task(
            hold({"type": "http", "path": "/kita", "headers": other_headers}, None, None)
        )
        await hold({"type": "websocket", "path": "/_stcore/stream", "headers": visit_headers}, None, None)
        await asyncio.sleep(0.2)
        assert reached == ["/_stcore/stream"]  # the visit passed, the person waits
        warmup.pages_opened.set()
        await asyncio.wait_for(person, 2)
        assert reached == ["/_stcore/stream", "/kita"]

    try:
        asyncio.run(scenario())
    finally:
        warmup.pages_opened.set()


def test_the_server_answers_after_the_first_preparation(monkeypatch):
    """The lifespan yields (the server starts answering) only once ``ready`` is set."""
    from ui import warmup

    order: list[str] = []

    def slow_prepare() -> None:
        time.sleep(0.3)
        order.append("prepared")

    monkeypatch.setattr(warmup, "import_views", lambda: None)
    monkeypatch.setattr(warmup, "prepare", slow_prepare)

    async def serve() -> None:
        async with warmup.lifespan(None):
            order.append("answering")

    asyncio.run(serve())
    assert order == ["prepared", "answering"]
