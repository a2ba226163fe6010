"""Planungsatlas as a server that prepares its data at start: ``streamlit run serve.py`` (``make run``,
``deploy/systemd``). The pages are ``app.py``'s; the lifespan (``ui/warmup.py``) loads the active
data, its plan and map before the first visitor and again after every import, and the server opens
its pages once before it answers anybody else (``HoldFirstRequests``). Its own routes
(``ui/signin_routes.py``) set and delete the sign-in cookie as HttpOnly, which a page cannot."""

import streamlit as st
from starlette.middleware import Middleware

from ui import signin_routes
from ui.static_assets import CachedStaticAssets
from ui.warmup import HoldFirstRequests, lifespan

middleware = [
    Middleware(HoldFirstRequests),  # the first visitor waits for the pages the server opens
    Middleware(CachedStaticAssets),  # Streamlit's hashed bundles from memory
]
app = st.App("app.py", lifespan=lifespan, routes=signin_routes.routes(), middleware=middleware)
