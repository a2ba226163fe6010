"""Saved column mappings (Zuordnungsprofile), so next year's file imports in one step."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from planning.db import session_scope
from planning.imports.formats import get_kind
from planning.models import MappingProfile


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str
    mapping: dict[str, str]
    options: dict[str, Any]


def save_profile(
    engine: Engine,
    name: str,
    kind: str,
    mapping: dict[str, str],
    options: dict[str, Any] | None = None,
    user: str = "unbekannt",
) -> Profile:
    """Create or replace the profile ``name``; targets must be fields of ``kind``."""
    spec = get_kind(kind)
    wrong = sorted(set(mapping.values()) - set(spec.field_names) - {"ober_name"})
    if wrong:
        raise ValueError(
            f"Unbekannte Felder für {kind}: {', '.join(wrong)}. Felder: {', '.join(spec.field_names)}"
        )
    if not name.strip():
        raise ValueError("Das Profil braucht einen Namen.")
    from planning.imports.shape import TableShape

    TableShape.from_options(options)  # unknown or wrong options are refused here, in German
    with session_scope(engine) as s:
        row = s.scalars(select(MappingProfile).where(MappingProfile.name == name)).first()
        if row is None:
            row = MappingProfile(name=name, kind=kind, mapping_json="{}", created_by=user)
            s.add(row)
        row.kind = kind
        row.mapping_json = json.dumps(mapping, ensure_ascii=False)
        row.options_json = json.dumps(options or {}, ensure_ascii=False)
    return Profile(name, kind, dict(mapping), dict(options or {}))


def get_profile(engine: Engine, name: str) -> Profile:
    with session_scope(engine) as s:
        row = s.scalars(select(MappingProfile).where(MappingProfile.name == name)).first()
        if row is None:
            names = ", ".join(p.name for p in list_profiles(engine)) or "keine"
            raise KeyError(f"Zuordnungsprofil „{name}“ gibt es nicht. Vorhanden: {names}")
        return Profile(row.name, row.kind, json.loads(row.mapping_json), json.loads(row.options_json))


def list_profiles(engine: Engine, kind: str | None = None) -> list[Profile]:
    with session_scope(engine) as s:
        stmt = select(MappingProfile).order_by(MappingProfile.name)
        if kind:
            stmt = stmt.where(MappingProfile.kind == kind)
        return [
            Profile(r.name, r.kind, json.loads(r.mapping_json), json.loads(r.options_json))
            for r in s.scalars(stmt)
        ]
