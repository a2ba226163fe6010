"""Who acts in this Streamlit session (glue between the session and :mod:`planning.auth`).

Until sign-in is configured for an installation, the app runs as a single workplace: writes are
recorded in the audit trail as :data:`WORKPLACE` ("Arbeitsplatz ohne Anmeldung"), never as the
command line's system account. Outside Streamlit script threads the resolver answers None, so
command line and tests keep acting as :data:`planning.auth.SYSTEM`.
"""

from __future__ import annotations

from streamlit.runtime.scriptrunner import get_script_run_ctx

from planning import auth

WORKPLACE = auth.Principal("arbeitsplatz", "Arbeitsplatz ohne Anmeldung", auth.Role.ADMIN)


def _session_principal() -> auth.Principal | None:
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return WORKPLACE


def install() -> None:
    """Register the session resolver (idempotent; app.py calls it on every run)."""
    auth.set_resolver(_session_principal)
