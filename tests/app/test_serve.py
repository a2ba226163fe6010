"""serve.py: the app as a server runs it prepares the active data before anyone visits, then serves
the pages as ``streamlit run app.py`` does."""

from __future__ import annotations

import asyncio
import time

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


def test_serve_prepares_the_data_at_start_and_serves_the_pages(demo_template, tmp_path):
    url = demo_template.copy(tmp_path)
    log = tmp_path / "serve.log"
    server = start_server(
        url, log, script="serve.py", env={"PLANUNGSATLAS_DATA_DIR": str(tmp_path)}, port=_port()
    )
    try:
        deadline = time.monotonic() + 180
        while "Seiten vorab geöffnet" not in server.log() and time.monotonic() < deadline:
            assert server.proc.poll() is None, server.log()
            time.sleep(0.5)
        assert "Daten vorbereitet: weidenstadt" in server.log(), server.log()  # before any visitor
        assert "Seiten vorab geöffnet" in server.log()  # and its pages opened once by itself
        errors = asyncio.run(_visit(server.base_url, ("", "kita", "schule", "szenarien")))
        assert errors == []
        assert "Traceback" not in server.log()
    finally:
        server.stop()


def test_the_server_prepares_the_active_data_before_the_first_visitor(demo_template, tmp_path, monkeypatch):
    """ui.warmup.prepare fills the shared caches the pages read: the page's call is a cache hit."""
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
    assert warmup.prepare(url) == key  # nothing to do the second time
