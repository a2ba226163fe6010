"""Sign-in, roles in the pages, and read-only mode (AppTest against a real SQLite file).

The permission checks themselves are tested in test_audit.py (data layer); here: what a person
sees. A reader gets no write form anywhere, the sign-in page names the demo accounts, and a
server reachable from the network without users runs read-only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from planning import auth
from planning.db import make_engine, session_scope
from planning.models import AuditEvent, Comment
from tests.conftest import APPTEST_TIMEOUT_S
from ui import signin_routes, state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "richtig-langes-passwort"


@pytest.fixture
def city(tiny_engine, tiny_url):
    """The tiny city, the app's database."""
    return tiny_engine


def _app(principal: auth.Principal | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    if principal is not None:
        at.session_state["_planungsatlas_principal"] = principal
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def _labels(at: AppTest) -> set[str]:
    return {w.label for kind in ("button", "text_input", "text_area") for w in at.get(kind)} | {
        b.label for b in at.get("form_submit_button")
    }


def test_without_users_on_this_computer_the_app_is_one_workplace(city):
    at = _app()
    assert not at.exception
    assert at.title[0].value == "Lagebild"
    assert any("Arbeitsplatz ohne Anmeldung" in c.value for c in at.sidebar.caption)


def test_with_users_only_the_sign_in_page_is_shown(city):
    auth.add_user(city, "planung", "P. Lan", "fachplanung", PASSWORD, department="Jugendamt")
    at = _app()
    assert not at.exception
    assert at.title[0].value == "Planungsatlas"
    assert [t.label for t in at.text_input] == ["Benutzername", "Passwort"]
    assert "Lagebild" not in [t.value for t in at.title]
    assert not at.get("plotly_chart")  # no figure before sign-in
    assert not any("Demo-Konten" in m.value for m in at.markdown)  # no demo accounts here


def test_demo_accounts_are_listed_with_their_password(city):
    from planning.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, add_demo_accounts

    add_demo_accounts(city)
    at = _app()
    assert any(DEMO_PASSWORD in m.value for m in at.markdown)
    listed = at.dataframe[0].value
    assert list(listed["Benutzername"]) == [name for name, *_ in DEMO_ACCOUNTS]
    assert listed.loc[listed["Benutzername"] == "lesend", "darf"].item() == "nur lesen"


READER = auth.Principal("gast", "Gast", auth.Role.LESEND)
PLANNER = auth.Principal("planung", "P. Lan", auth.Role.FACHPLANUNG, "Jugendamt")


@pytest.mark.parametrize(
    ("page", "write_labels"),
    [
        ("pages/lagebild.py", {"Kommentar speichern", "Speichern", "Tabelle als CSV"}),
        ("pages/steuerkreis.py", {"Sitzung anlegen", "Neuer Arbeitsauftrag"}),
        ("pages/import.py", {"Importieren", "Rezept ausführen"}),
        ("pages/szenarien.py", {"Szenario speichern"}),
        ("pages/kennzahlen.py", {"Zielwert speichern", "Set speichern", "Kennzahl anlegen"}),
    ],
)
def test_a_reader_gets_no_write_form(city, page, write_labels):
    auth.add_user(city, "gast", "Gast", "lesend", PASSWORD)
    at = _app(READER, page)
    if page == "pages/szenarien.py":
        at.segmented_control[0].set_value("Bearbeiten").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value != "Planungsatlas", "the sign-in page, not the page under test"
    assert not (_labels(at) & write_labels), _labels(at) & write_labels
    assert not at.get("download_button")


def test_a_planner_gets_the_forms_and_writes_under_their_own_name(city):
    auth.add_user(city, "planung", "P. Lan", "fachplanung", PASSWORD, department="Jugendamt")
    at = _app(PLANNER)
    assert "Kommentar speichern" in _labels(at)
    area = next(t for t in at.text_area if t.label == "Interpretation")
    area.input("Der Rückgang ist die Schließung der Kita Drei.")
    next(b for b in at.get("form_submit_button") if b.label == "Kommentar speichern").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with session_scope(city) as s:
        comment = s.query(Comment).one()
        assert (comment.author, comment.department) == ("P. Lan", "Jugendamt")
        event = s.query(AuditEvent).filter_by(object_type="comment").one()
        assert (event.actor, event.role) == ("planung", "fachplanung")


@pytest.fixture
def network_address():
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", "localhost")


def test_reachable_from_the_network_without_users_the_app_only_reads(city, network_address):
    with session_scope(city) as s:
        before = s.query(AuditEvent).count()  # the test city's own build
    at = _app()
    assert not at.exception
    assert any("Nur lesen" in w.value for w in at.warning)
    assert "Kommentar speichern" not in _labels(at)
    at.switch_page("pages/import.py")
    at.run()
    assert "Importieren" not in _labels(at)
    with session_scope(city) as s:
        assert s.query(AuditEvent).count() == before


# ------------------------------------------------------------------ planning.auth helpers


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("", False),  # Streamlit then listens on every interface
        (None, False),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
        ("planung.stadt.local", False),
    ],
)
def test_loopback_addresses(host, local):
    assert auth.is_loopback(host) is local


def test_login_throttle_locks_a_name_after_five_failures_and_frees_it_later():
    now = [1000.0]
    throttle = auth.LoginThrottle(limit=5, lock_s=60, clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("Planung")
    assert throttle.locked_for("planung") == 0
    throttle.failed("planung")
    assert throttle.locked_for("PLANUNG") == pytest.approx(60)
    assert throttle.locked_for("andere") == 0  # other names are not locked
    now[0] += 59
    assert throttle.locked_for("planung") == pytest.approx(1)
    now[0] += 2
    assert throttle.locked_for("planung") == 0
    throttle.failed("planung")
    throttle.succeeded("planung")
    assert throttle.locked_for("planung") == 0


def test_oidc_claims_map_to_a_stored_user_then_a_group_then_reading(city):
    auth.add_user(city, "s.becker@stadt.de", "S. Becker", "fachplanung", PASSWORD, department="Jugendamt")
    groups = {"PA-Leitung": "leitung", "PA-Schulamt": "fachplanung:Schulamt"}
    known = auth.oidc_principal(city, {"email": "S.Becker@stadt.de", "name": "Sabine Becker"}, groups)
    assert (known.role, known.department) == (auth.Role.FACHPLANUNG, "Jugendamt")
    claims = {"email": "m.weber@stadt.de", "groups": ["x", "PA-Schulamt"]}
    by_group = auth.oidc_principal(city, claims, groups)
    assert (by_group.username, by_group.role, by_group.department) == (
        "m.weber@stadt.de",
        auth.Role.FACHPLANUNG,
        "Schulamt",
    )
    stranger = auth.oidc_principal(city, {"preferred_username": "gast", "groups": "andere"}, groups)
    assert stranger.role is auth.Role.LESEND
    with pytest.raises(auth.UserError, match="weder E-Mail"):
        auth.oidc_principal(city, {"name": "ohne Kennung"}, groups)


@pytest.mark.parametrize(
    ("person", "offered"),
    [
        (auth.Principal("j", "S. Becker", auth.Role.FACHPLANUNG, "Jugendamt"), True),
        (auth.Principal("l", "Dr. Hansen", auth.Role.LEITUNG), True),
        (auth.Principal("s", "M. Weber", auth.Role.FACHPLANUNG, "Schulamt"), False),
        (READER, False),
    ],
)
def test_unsuppressed_switch_only_for_those_who_may(demo_template, tmp_path, monkeypatch, person, offered):
    url = demo_template.copy(tmp_path)
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    engine = make_engine(url)
    auth.add_user(engine, "gast", "Gast", "lesend", PASSWORD)  # users exist: sign-in mode
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.session_state["_planungsatlas_principal"] = person
    at.run()
    at.switch_page("pages/sozialraum.py")
    at.run()
    at.selectbox(key=state.INDICATOR.key).set_value("hze_je_1000").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Jugendhilfe & Soziales"
    switch = [t for t in at.toggle if t.label == "Ungeschwärzt zeigen (vertraulich)"]
    assert bool(switch) is offered
    if offered:
        switch[0].set_value(True).run()
        assert any("Vertraulich" in w.value for w in at.warning)
        table = at.dataframe[0].value
        assert table.iloc[:, 0].str.endswith("· vertraulich").any()
        assert not table.iloc[:, 1].eq("geheim").any()


def test_session_token_names_its_user_until_it_expires_and_cannot_be_forged():
    secret = b"s" * 32
    token = auth.session_token(secret, "s.becker@stadt.de", now=1_000, ttl_s=100, generation=3)
    assert auth.verify_session_token(secret, token, now=1_050) == auth.SessionClaim("s.becker@stadt.de", 3)
    assert auth.verify_session_token(secret, token, now=1_101) is None  # expired
    assert auth.verify_session_token(b"x" * 32, token, now=1_050) is None  # other installation
    name, expiry, generation, mac = token.split(".")
    longer = f"{name}.{int(expiry) + 10_000}.{generation}.{mac}"
    assert auth.verify_session_token(secret, longer, now=1_050) is None  # prolonged by hand
    newer = f"{name}.{expiry}.4.{mac}"
    assert auth.verify_session_token(secret, newer, now=1_050) is None  # generation moved by hand
    other = auth.session_token(secret, "verwaltung", now=1_000, ttl_s=100).split(".")[0]
    assert auth.verify_session_token(secret, f"{other}.{expiry}.{generation}.{mac}", now=1_050) is None
    for junk in (None, "", "a.b", "a.b.c", "a.b.c.d.e", "ä.ö.ü.ß"):
        assert auth.verify_session_token(secret, junk, now=1_050) is None


def test_sign_out_and_disabling_end_every_cookie_issued_before(city):
    """A copied cookie replayed after "Abmelden" (or after the user was disabled) signs nobody in:
    the cookie names the user's sign-in generation, which both count up in the database."""
    auth.add_user(city, "s.becker", "S. Becker", "fachplanung", PASSWORD, department="Jugendamt")
    secret = b"k" * 40
    before = auth.session_generation(city, "s.becker")
    token = auth.session_token(secret, "s.becker", now=1_000, generation=before)
    claim = auth.verify_session_token(secret, token, now=1_001)
    assert claim is not None and claim.generation == auth.session_generation(city, "s.becker")
    with auth.acting_as(auth.Principal("s.becker", "S. Becker", auth.Role.FACHPLANUNG, "Jugendamt")):
        auth.end_sessions(city, "s.becker")  # "Abmelden": needs no administration right
    assert auth.session_generation(city, "s.becker") == before + 1 != claim.generation
    fresh = auth.session_token(secret, "s.becker", now=1_000, generation=before + 1)
    auth.set_active(city, "s.becker", False)
    assert auth.session_generation(city, "s.becker") is None  # disabled: no cookie at all
    auth.set_active(city, "s.becker", True)
    assert auth.session_generation(city, "s.becker") == before + 2  # re-enabled: the old ones stay dead
    assert auth.verify_session_token(secret, fresh, now=1_001).generation == before + 1


ENV_EXAMPLE_SECRET = next(
    line.split("=", 1)[1]
    for line in (Path(__file__).resolve().parents[2] / "deploy" / "planungsatlas.env.example")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.startswith(auth.SESSION_SECRET_ENV + "=")
)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (None, "fehlt"),
        ("", "fehlt"),
        ("kurz-aber-zufällig-9f3Kq", "zu kurz"),
        (ENV_EXAMPLE_SECRET, "Platzhalter"),
        ("…mindestens 32 zufällige Zeichen…", "Platzhalter"),
        ("a" * 48, "nicht zufällig"),
        ("abababababababababababababababababab", "nicht zufällig"),
    ],
)
def test_weak_session_secrets_are_refused_in_german_with_how_to_make_one(secret, reason):
    problem = auth.session_secret_problem(secret)
    assert problem is not None and reason in problem
    assert "secrets.token_urlsafe(48)" in problem and auth.SESSION_SECRET_ENV in problem


def test_a_generated_secret_is_accepted():
    import secrets

    for _ in range(50):
        assert auth.session_secret_problem(secrets.token_urlsafe(48)) is None


@pytest.fixture
def network(monkeypatch):
    st_config.set_option("server.address", "0.0.0.0")
    yield monkeypatch
    st_config.set_option("server.address", "localhost")


@pytest.mark.parametrize("secret", [None, ENV_EXAMPLE_SECRET, "x7" * 8])
def test_a_server_in_the_network_with_a_forgeable_secret_signs_nobody_in(city, network, secret):
    auth.add_user(city, "leitung", "L. Leitung", "leitung", PASSWORD)
    if secret is None:
        network.delenv(auth.SESSION_SECRET_ENV, raising=False)
    else:
        network.setenv(auth.SESSION_SECRET_ENV, secret)
    at = _app()
    assert not at.exception
    assert any("Installation ist gesperrt" in e.value for e in at.error)
    assert any("secrets.token_urlsafe(48)" in e.value for e in at.error)
    assert not at.get("form_submit_button")  # no sign-in form at all
    at = _app(auth.Principal("leitung", "L. Leitung", auth.Role.LEITUNG))  # nor a session set by hand
    assert any("Installation ist gesperrt" in e.value for e in at.error)
    assert at.title[0].value == "Planungsatlas"


def test_a_server_in_the_network_with_a_real_secret_shows_the_sign_in(city, network):
    import secrets

    auth.add_user(city, "leitung", "L. Leitung", "leitung", PASSWORD)
    network.setenv(auth.SESSION_SECRET_ENV, secrets.token_urlsafe(48))
    network.setattr(signin_routes, "_served", [True])  # started through serve.py
    at = _app()
    assert not at.exception and not at.error
    assert [b.label for b in at.get("form_submit_button")] == ["Anmelden"]
    assert not any("nur in diesem Browser-Tab" in c.value for c in at.caption)


def test_a_server_in_the_network_without_the_cookie_routes_signs_nobody_in(city, network):
    """`streamlit run app.py` on a network address could only write the cookie from a page script
    (readable by any script in the page): no password form, a German note how to start it."""
    import secrets

    auth.add_user(city, "leitung", "L. Leitung", "leitung", PASSWORD)
    network.setenv(auth.SESSION_SECRET_ENV, secrets.token_urlsafe(48))
    network.setattr(signin_routes, "_served", [])
    at = _app()
    assert not at.exception
    assert not at.get("form_submit_button") and not at.text_input
    assert any("ohne die Anmelde-Routen gestartet" in e.value and "serve.py" in e.value for e in at.error)


def test_on_this_computer_without_the_cookie_routes_a_sign_in_holds_for_the_tab(city, monkeypatch):
    """Local `streamlit run app.py`: the form is there, and says that a reload asks again."""
    auth.add_user(city, "leitung", "L. Leitung", "leitung", PASSWORD)
    monkeypatch.setattr(signin_routes, "_served", [])
    at = _app()
    assert [b.label for b in at.get("form_submit_button")] == ["Anmelden"]
    assert any("nur in diesem Browser-Tab" in c.value for c in at.caption)
    assert not any("<script>" in h.proto.body for h in at.get("html"))  # no cookie script at all
