"""Saved views (snapshots): a page with its URL parameters, the pinned dataset versions and a
copy of the scenario.

A decision keeps the link to the figures it was based on: a :class:`View` pins the dataset versions
by id and copies the scenario, so reopening it after a newer import shows the same numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from planning import pages
from planning.db import session_or_scope, session_scope
from planning.models import SavedView
from planning.rows import record_of
from planning.scenarios import Measure, Scenario
from planning.steering.common import SteeringError, _text

#: Where printed links point (a shared installation sets its address).
BASE_URL_ENV = "PLANUNGSATLAS_BASE_URL"


@dataclass(frozen=True)
class View:
    """A saved view: the page, its URL parameters, the pinned versions and the frozen scenario."""

    id: int
    layout_id: int
    title: str
    page: str
    state: dict[str, str]
    versions: dict[str, int]
    scenario: dict[str, Any] | None
    created_at: dt.datetime
    created_by: str

    def frozen_scenario(self) -> Scenario | None:
        """The scenario as it was when the view was saved (parameters and measures copied)."""
        return frozen_scenario(self.scenario) if self.scenario else None

    def link(self, base_url: str | None = None) -> str:
        """The address that reopens this view (``/<page>?ansicht=<id>``)."""
        base = (base_url or os.environ.get(BASE_URL_ENV) or "http://localhost:8501").rstrip("/")
        path = "" if self.page == pages.DEFAULT_PAGE else self.page  # the start page lives at "/"
        return f"{base}/{path}?ansicht={self.id}"


def frozen_scenario(record: dict[str, Any]) -> Scenario:
    """A scenario from :func:`scenario_record` (the copy a saved view keeps)."""
    return Scenario(
        name=record["name"],
        description=record.get("description", ""),
        params=dict(record.get("params", {})),
        measures=tuple(Measure(**m) for m in record.get("measures", [])),
        id=record.get("id"),
        revision=int(record.get("revision", 0)),
        updated_by=record.get("updated_by", ""),
    )


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "description": scenario.description,
        "params": dict(scenario.params),
        "measures": [asdict(m) for m in scenario.measures],
        "id": scenario.id,
        "revision": scenario.revision,
        "updated_by": scenario.updated_by,
    }


def _view(row: SavedView) -> View:
    return record_of(
        View,
        row,
        state=json.loads(row.state_json or "{}"),
        versions={k: int(v) for k, v in json.loads(row.versions_json or "{}").items()},
        scenario=json.loads(row.scenario_json) if row.scenario_json else None,
    )


def save_view(
    engine: Engine,
    layout_id: int,
    title: str,
    page: str,
    state: dict[str, Any],
    versions: dict[str, int],
    scenario: Scenario | None,
    user: str,
    session: Session | None = None,
) -> View:
    """Freeze the view: page, URL parameters, version ids and (if one is in use) the scenario."""
    row = SavedView(
        layout_id=layout_id,
        title=_text(title, "Der Titel der Ansicht"),
        page=_text(page, "Die Seite der Ansicht", 80),
        state_json=json.dumps({k: str(v) for k, v in state.items() if v not in (None, "")}, sort_keys=True),
        versions_json=json.dumps({k: int(v) for k, v in versions.items()}, sort_keys=True),
        scenario_json=json.dumps(scenario_record(scenario), ensure_ascii=False) if scenario else None,
        created_by=_text(user, "Ihr Name", 120),
    )
    with session_or_scope(engine, session) as s:
        s.add(row)
        s.flush()
        return _view(row)


def get_view(engine: Engine, view_id: int) -> View:
    with session_scope(engine) as s:
        row = s.get(SavedView, view_id)
        if row is None:
            raise SteeringError(f"Die gespeicherte Ansicht Nr. {view_id} gibt es nicht (mehr).")
        return _view(row)


def list_views(engine: Engine, layout_id: int) -> list[View]:
    with session_scope(engine) as s:
        rows = s.scalars(
            select(SavedView).where(SavedView.layout_id == layout_id).order_by(SavedView.id.desc())
        ).all()
        return [_view(r) for r in rows]
