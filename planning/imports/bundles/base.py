"""Shared machinery of import recipes ("bundles") for the open data of a city.

A recipe turns each messy source table into the canonical format *as text* (so the same
validation as for a user's file applies, with the source file's own line numbers), checks it, and
writes all steps in **one** transaction: a bundle lands completely or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from planning.db import session_scope
from planning.imports.areas import write_areas
from planning.imports.problems import InputFileError, Problem
from planning.imports.readers import RawTable
from planning.imports.validate import CheckContext, Checked, check_table
from planning.imports.writer import VersionMeta, hash_file, write_checked


@dataclass
class BundleReport:
    """What a recipe imported (version id and rows per step) and every problem it met."""

    city: str
    steps: list[tuple[str, str, int, int]] = field(default_factory=list)  # (kind, label, version id, rows)
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Warnung"]

    def add(self, kind: str, label: str, version_id: int, rows: int, problems: Sequence[Problem]) -> None:
        self.steps.append((kind, label, version_id, rows))
        self.problems.extend(p for p in problems if p.severity != "Hinweis")

    def __str__(self) -> str:
        lines = [f"Import-Rezept {self.city}:"]
        lines += [
            f"  {kind:<18} {rows:>7} Zeilen  Datenstand Nr. {vid}  {label}"
            for kind, label, vid, rows in self.steps
        ]
        lines.append(f"  {len(self.warnings)} Warnung(en) aus den Quelldateien")
        return "\n".join(lines)


def canonical_table(frame: pd.DataFrame, file_name: str, lines: Sequence[int] | None = None) -> RawTable:
    """Wrap a frame already in canonical columns as text, keeping the source file's line numbers."""
    text = frame.astype("string").astype(object).where(frame.notna(), None)
    text = text.map(lambda v: None if v is None else str(v))
    numbers = tuple(lines) if lines is not None else tuple(range(2, len(frame) + 2))
    return RawTable(pd.DataFrame(text), file_name, numbers, "UTF-8", ",")


def check(
    frame: pd.DataFrame, kind: str, file_name: str, context: CheckContext, lines: Sequence[int] | None = None
) -> Checked:
    return check_table(canonical_table(frame, file_name, lines), kind, None, context)


def fail_on_errors(checked: Checked) -> None:
    """Stop the recipe before anything is written when a source table has errors."""
    if not checked.ok:
        raise InputFileError(checked.errors)


def file_meta(path: Path, label: str, stand: dt.date, source: str, licence: str) -> VersionMeta:
    """The dataset version record of one source file of a recipe (imported by ``import-bundle``)."""
    return VersionMeta(
        source=source,
        licence=licence,
        stand=stand,
        label=label,
        imported_by="import-bundle",
        file_name=path.name,
        file_hash=hash_file(path),
    )


def write_bundle(
    engine: Engine,
    report: BundleReport,
    areas: Checked,
    area_meta: VersionMeta,
    steps: Sequence[tuple[str, Checked, VersionMeta]],
    *,
    layout_code: str,
    municipality: str,
    level_names: tuple[str, ...],
    layout_name: str,
    area_label: str,
    allow_same_file: bool = False,
) -> BundleReport:
    """Write a checked recipe in one transaction: the area layout, then every step on it; nothing at
    all when a step has errors (:func:`fail_on_errors`). Each written version goes into ``report``."""
    for _, checked, _ in steps:
        fail_on_errors(checked)
    with session_scope(engine) as s:
        vid = write_areas(
            engine,
            areas,
            area_meta,
            layout_code=layout_code,
            municipality=municipality,
            level_names=level_names,
            layout_name=layout_name,
            session=s,
        )
        report.add("gebiete", area_label, vid, len(areas.frame), areas.problems)
        for kind, checked, meta in steps:
            vid = write_checked(
                engine, checked, meta, layout_code, session=s, allow_same_file=allow_same_file
            )
            report.add(kind, meta.label or kind, vid, len(checked.frame), checked.problems)
    return report
