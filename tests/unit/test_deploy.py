"""The example deployment in ``deploy/`` fits the program: ports, commands, variables, limits.

The files an administrator copies are checked against the code they start, so a renamed variable
or command cannot leave them silently wrong.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from planning import auth, config, steering
from planning.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = (DEPLOY / "nginx" / "planungsatlas.conf").read_text(encoding="utf-8")
UNIT = (DEPLOY / "systemd" / "planungsatlas@.service").read_text(encoding="utf-8")
BACKUP = (DEPLOY / "systemd" / "planungsatlas-backup.service").read_text(encoding="utf-8")
README = (DEPLOY / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (DEPLOY / "planungsatlas.env.example").read_text(encoding="utf-8")


def _directives(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def _unit_value(unit: str, key: str) -> str:
    values = re.findall(rf"^{key}=(.*)$", unit, flags=re.MULTILINE)
    assert len(values) == 1, f"{key} fehlt oder steht mehrfach in der Unit"
    return values[0].strip()


def test_proxy_sends_each_browser_to_one_process_and_passes_websockets():
    conf = _directives(NGINX)
    upstream = re.search(r"upstream planungsatlas \{(.*?)\}", conf, flags=re.DOTALL)
    assert upstream, "upstream-Block fehlt"
    assert "ip_hash;" in upstream.group(1)  # sticky: a Streamlit session lives in one process
    ports = set(re.findall(r"server 127\.0\.0\.1:(\d+);", upstream.group(1)))
    enabled = set(re.findall(r"planungsatlas@(\d+)", README))
    assert len(ports) >= 2 and ports <= enabled, (ports, enabled)
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_http_version 1.1;" in conf


def test_proxy_tells_the_app_host_and_https_for_its_sign_in_cookie():
    """The app sets the HttpOnly cookie only for a request whose Origin matches scheme and host, and
    marks it Secure over HTTPS: both come from these headers (believed from 127.0.0.1 only)."""
    conf = _directives(NGINX)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header Host $host;" in conf
    assert "proxy_pass http://planungsatlas;" in conf  # to the upstream on 127.0.0.1
    assert "routes=signin_routes.routes()" in (ROOT / "serve.py").read_text()  # the unit runs serve.py


def test_proxy_upload_limit_is_above_the_apps_own():
    app_limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    proxy = re.search(r"client_max_body_size (\d+)m;", _directives(NGINX))
    assert proxy and int(proxy.group(1)) > app_limit  # the app's German message, not nginx's 413


def test_app_unit_starts_this_app_on_loopback_only():
    argv = shlex.split(_unit_value(UNIT, "ExecStart"))
    assert argv[1:5] == ["-m", "streamlit", "run", "serve.py"]  # app.py's pages, data prepared at start
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"  # reachable through nginx only
    assert argv[argv.index("--server.port") + 1] == "%i"
    workdir = Path(_unit_value(UNIT, "WorkingDirectory"))
    assert argv[0] == str(workdir / ".venv" / "bin" / "python")
    assert (ROOT / "serve.py").is_file() and 'st.App("app.py"' in (ROOT / "serve.py").read_text()
    assert _unit_value(UNIT, "EnvironmentFile") == _unit_value(BACKUP, "EnvironmentFile")


def test_backup_unit_and_readme_commands_are_valid_command_lines():
    parser = build_parser()
    inner = shlex.split(_unit_value(BACKUP, "ExecStart"))[-1]  # /bin/sh -c '…'
    argv = shlex.split(inner.replace("$(date +%%Y-%%m-%%d)", "2026-11-21"))
    assert argv[:4] == ["exec", "/opt/planungsatlas/.venv/bin/python", "-m", "planning"]
    args = parser.parse_args(argv[4:])
    assert args.command == "backup" and args.out.endswith(".dump")
    restore = re.search(r"python -m planning (restore .*)", README)
    assert restore, "Wiederherstellung fehlt in deploy/README.md"
    args = parser.parse_args(shlex.split(restore.group(1)))
    assert args.command == "restore"


def test_env_example_names_exactly_what_the_program_reads():
    pairs = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.splitlines() if line.strip() and not line.startswith("#")
    )
    assert set(pairs) == {
        config.ENV_DB_URL,
        config.ENV_DATA_DIR,
        steering.BASE_URL_ENV,
        auth.SESSION_SECRET_ENV,
    }
    assert len(pairs[auth.SESSION_SECRET_ENV]) >= 32 or "ZUFALL" in pairs[auth.SESSION_SECRET_ENV]
    url = make_url(pairs[config.ENV_DB_URL])
    assert url.drivername == "postgresql+psycopg"  # the installed driver (requirements.txt)
    assert pairs[steering.BASE_URL_ENV].startswith("https://")
    assert "/etc/planungsatlas/planungsatlas.env" in ENV_EXAMPLE
    assert _unit_value(UNIT, "EnvironmentFile") == "/etc/planungsatlas/planungsatlas.env"


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(ROOT).as_posix() for p in DEPLOY.rglob("*") if p.is_file())
)
def test_every_deploy_file_is_described_in_its_readme(path):
    if path == "deploy/README.md":
        return
    assert Path(path).name in README or Path(path).relative_to("deploy").as_posix() in README


def test_app_processes_do_not_start_with_a_forgeable_session_secret(monkeypatch, capsys):
    """ExecStartPre checks the secret from the environment file: the template's placeholder, a short
    one and none at all stop the unit; a generated one passes."""
    from planning.cli import main

    assert _unit_value(UNIT, "ExecStartPre").endswith("-m planning geheimnis --pruefen")
    placeholder = next(
        line.split("=", 1)[1] for line in ENV_EXAMPLE.splitlines() if line.startswith(auth.SESSION_SECRET_ENV)
    )
    for bad in (placeholder, "zu-kurz", ""):
        monkeypatch.setenv(auth.SESSION_SECRET_ENV, bad)
        monkeypatch.setattr("planning.config.PROJECT_ROOT", Path("/nonexistent"))
        assert main(["geheimnis", "--pruefen"]) == 1
        assert "secrets.token_urlsafe(48)" in capsys.readouterr().err
    assert main(["geheimnis"]) == 0
    made = capsys.readouterr().out.strip()
    monkeypatch.setenv(auth.SESSION_SECRET_ENV, made)
    assert main(["geheimnis", "--pruefen"]) == 0
