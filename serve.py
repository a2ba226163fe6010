"""Planungsatlas as a server that prepares its data at start: ``streamlit run serve.py`` (``make run``,
``deploy/systemd``). The pages are ``app.py``'s; the lifespan (``ui/warmup.py``) loads the active
data, its plan and map before the first visitor and again after every import. Its own routes
(``ui/signin_routes.py``) set and delete the sign-in cookie as HttpOnly, which a page cannot."""

import streamlit as st

from ui import signin_routes
from ui.warmup import lifespan

app = st.App("app.py", lifespan=lifespan, routes=signin_routes.routes())
