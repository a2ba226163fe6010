"""Comments beside a figure (ui/steering.py) through AppTest on the Lagebild: a new comment, a reply
to it and marking the thread as done, each saved in the real SQLite file with its confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning.db import session_scope
from planning.models import Comment
from tests.conftest import APPTEST_TIMEOUT_S
from ui import steering

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def city(tiny_engine, tiny_url):
    """The tiny city, the app's database."""
    return tiny_engine


def _submit(at: AppTest, label: str) -> None:
    next(b for b in at.get("form_submit_button") if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def _flash(at: AppTest) -> str:
    """The confirmation waiting for the next run (a toast, which AppTest does not show)."""
    return str(at.session_state[steering.FLASH]) if steering.FLASH in at.session_state else ""


def test_a_comment_gets_a_reply_and_is_marked_done(city):
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S).run()
    assert not at.exception, [e.value for e in at.exception]
    next(t for t in at.text_area if t.label == "Interpretation").input("Neue Kita im Bau.")
    at.text_input(key="explorer_comments_user").input("A. Planer")  # the page has more name fields
    _submit(at, "Kommentar speichern")
    with session_scope(city) as s:
        first = s.query(Comment).one()
        assert (first.text, first.author, first.parent_id) == ("Neue Kita im Bau.", "A. Planer", None)
        first_id, code = first.id, first.indicator_code
    assert code is not None  # about the indicator on the page (the first scope)
    assert _flash(at).startswith("Kommentar festgehalten (Kennzahl „"), _flash(at)

    next(t for t in at.text_area if t.label == "Antwort").input("Eröffnung im August.")
    _submit(at, "Antworten")
    with session_scope(city) as s:
        reply = s.query(Comment).filter(Comment.parent_id == first_id).one()
        assert (reply.text, reply.indicator_code) == ("Eröffnung im August.", code)  # the thread's subject
    assert _flash(at) == "Antwort festgehalten (Jugendamt): „Eröffnung im August.“"

    _submit(at, "Als erledigt markieren")
    with session_scope(city) as s:
        assert s.get(Comment, first_id).resolved
    assert any(b.label == "Wieder öffnen" for b in at.get("form_submit_button"))
