"""Streamlit's own browser bundles served from memory (``serve.py``).

A first visit (a new browser, a new Streamlit version) loads about a hundred content-hashed files
from ``/static/``: the framework's JavaScript in chunks, among them plotly (4,7 MB), its CSS and
fonts. Streamlit serves each through its whole middleware stack and a file read in worker threads:
about a quarter of a second of the server's CPU per first visit (Berlin's Lagebild, py-spy), which
on a busy machine is the map's wait. :class:`CachedStaticAssets` answers exactly these files from
memory, before that stack, with Streamlit's own cache headers (``immutable``: a browser asks once).

Only the files that exist in Streamlit's static folder when the server starts are answered here
(looked up by their exact path, nothing derived from the request touches the file system); every
other request, a range request and every method but GET and HEAD go on to Streamlit unchanged.
Each file is read on its first request and kept (at most the folder's size, about 25 MB).
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

import streamlit
from streamlit.web.server.starlette.starlette_server_config import STATIC_ASSET_CACHE_MAX_AGE_SECONDS

#: Streamlit's content-hashed bundles (``/static/js/…``, ``/static/css/…``, ``/static/media/…``).
STATIC_ROOT = Path(streamlit.__file__).parent / "static" / "static"
#: As Streamlit marks them: a hashed name never changes.
CACHE_CONTROL = f"public, immutable, max-age={STATIC_ASSET_CACHE_MAX_AGE_SECONDS}".encode()


def _content_type(path: Path) -> bytes:
    """As Streamlit's file responses say it (its start registers the types; text/* gets a charset)."""
    kind = mimetypes.guess_type(path.name)[0] or "text/plain"
    return (kind + "; charset=utf-8" if kind.startswith("text/") else kind).encode()


class CachedStaticAssets:
    """ASGI middleware: Streamlit's hashed static files from memory, everything else passed on."""

    def __init__(self, app: Any, root: Path = STATIC_ROOT, base_url: str | None = None) -> None:
        self.app = app
        self._files = {"/static/" + p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
        self._base = base_url
        self._prefix: str | None = None
        self._loaded: dict[str, tuple[bytes, list[tuple[bytes, bytes]], bytes]] = {}

    def _file(self, path: str) -> Path | None:
        """The bundle a request path names (under the base URL), else None."""
        if self._prefix is None:  # read once: the server's config is loaded by the first request
            if self._base is None:
                from streamlit import config

                self._base = str(config.get_option("server.baseUrlPath") or "")
            base = self._base.strip("/")
            self._prefix = f"/{base}" if base else ""
        if self._prefix and not path.startswith(self._prefix + "/"):
            return None
        return self._files.get(path[len(self._prefix) :])

    def _answer(self, key: str, file: Path) -> tuple[bytes, list[tuple[bytes, bytes]], bytes]:
        hit = self._loaded.get(key)
        if hit is None:
            body = file.read_bytes()
            etag = b'"' + hashlib.md5(body, usedforsecurity=False).hexdigest().encode() + b'"'
            headers = [
                (b"content-type", _content_type(file)),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", CACHE_CONTROL),
                (b"etag", etag),
            ]
            hit = self._loaded[key] = (body, headers, etag)
        return hit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            file = self._file(path)
            headers = dict(scope.get("headers") or ()) if file is not None else {}
            if file is not None and b"range" not in headers:
                body, answer, etag = self._answer(path, file)
                if headers.get(b"if-none-match") == etag:
                    await send({"type": "http.response.start", "status": 304, "headers": answer[2:]})
                    await send({"type": "http.response.body", "body": b""})
                    return
                await send({"type": "http.response.start", "status": 200, "headers": answer})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
        await self.app(scope, receive, send)
