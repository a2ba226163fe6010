"""The indicator register as data: indicators added in the app, targets and indicator sets.

Built-in indicators live in :mod:`planning.indicators`; planners add their own imported
indicators (values via the ``kennzahlen`` import), set targets with a tolerance and group
indicators into named sets by theme with an owner — the sets a steering committee works with.
Every save counts a ``revision``; a save that started from an older revision is refused, so two
planners editing the same target never overwrite each other silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from planning.db import compare_and_set, concurrent_edit_message, session_scope
from planning.formatting import local_stamp
from planning.indicators import DOMAINS, INDICATORS, Indicator, get_indicator
from planning.models import IndicatorDefinition, IndicatorSet, IndicatorTarget, utcnow
from planning.rows import record_of
from planning.targets import Target

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
#: value = scale × numerator ÷ denominator; None is a count.
SCALES: dict[str, float | None] = {"Anzahl": None, "Prozent (× 100)": 100.0, "je 1.000": 1000.0}


class RegistryError(ValueError):
    """A register entry cannot be saved; the message is German and names the cause."""


@dataclass(frozen=True)
class KennzahlenSet:
    """A named indicator set of one theme (e.g. "Ganztag") with its owner and ordered codes."""

    name: str
    theme: str = ""
    owner: str = ""
    codes: tuple[str, ...] = ()
    updated_by: str = ""
    revision: int = 0


@dataclass(frozen=True)
class Registry:
    """Built-in plus added indicators, their targets and the indicator sets, as loaded."""

    custom: dict[str, Indicator] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    sets: tuple[KennzahlenSet, ...] = ()

    def indicator(self, code: str) -> Indicator:
        return get_indicator(code, self.custom)

    @property
    def indicators(self) -> dict[str, Indicator]:
        return {**INDICATORS, **self.custom}

    def target(self, code: str) -> Target | None:
        return self.targets.get(code)

    def set(self, name: str) -> KennzahlenSet:
        for s in self.sets:
            if s.name == name:
                return s
        known = ", ".join(f"„{s.name}“" for s in self.sets) or "keine"
        raise RegistryError(f"Kennzahlenset „{name}“ gibt es nicht. Vorhanden: {known}.")


def _indicator_from_row(r: IndicatorDefinition) -> Indicator:
    return record_of(Indicator, r, sources=("kennzahlen",), custom=True)


def load_registry(engine: Engine) -> Registry:
    with Session(engine) as s:
        custom = {r.code: _indicator_from_row(r) for r in s.scalars(select(IndicatorDefinition))}
        targets = {
            r.code: Target(r.code, r.target, r.tolerance, r.note, r.updated_by, r.revision)
            for r in s.scalars(select(IndicatorTarget))
        }
        sets = tuple(
            KennzahlenSet(r.name, r.theme, r.owner, tuple(json.loads(r.codes_json)), r.updated_by, r.revision)
            for r in s.scalars(select(IndicatorSet).order_by(IndicatorSet.position, IndicatorSet.name))
        )
    return Registry(custom, targets, sets)


def registry_stamp(engine: Engine) -> tuple[Any, ...]:
    """A cheap key that changes with every save in the register (for caches)."""
    with Session(engine) as s:
        return tuple(
            tuple(s.execute(select(func.count(), func.max(m.revision), func.max(m.updated_at))).one())
            for m in (IndicatorDefinition, IndicatorTarget, IndicatorSet)
        )


# --------------------------------------------------------------------------- added indicators


def validate_indicator(ind: Indicator) -> Indicator:
    """The indicator with trimmed texts, or a :class:`RegistryError` naming the problem."""
    ind = replace(ind, code=ind.code.strip(), label_de=ind.label_de.strip(), unit=ind.unit.strip())
    if not CODE_PATTERN.match(ind.code):
        raise RegistryError(
            f"Kürzel „{ind.code}“: nur Kleinbuchstaben, Ziffern und _, mit einem Buchstaben am Anfang "
            "(2–48 Zeichen), z. B. „schulabsentismus“."
        )
    if ind.code in INDICATORS:
        builtin = INDICATORS[ind.code].label_de
        raise RegistryError(f"Kürzel „{ind.code}“ ist eine eingebaute Kennzahl ({builtin}).")
    if not ind.label_de:
        raise RegistryError("Die Kennzahl braucht eine Bezeichnung.")
    if ind.domain not in DOMAINS:
        raise RegistryError(f"Bereich „{ind.domain}“ gibt es nicht. Möglich: {', '.join(DOMAINS)}.")
    if ind.polarity not in (-1, 0, 1):
        raise RegistryError("Richtung muss −1 (höher ist ungünstiger), 0 oder +1 (höher ist günstiger) sein.")
    if ind.scale not in SCALES.values():
        raise RegistryError("Maßstab muss Anzahl, Prozent (× 100) oder je 1.000 sein.")
    if ind.scale is not None and not ind.denominator_de.strip():
        raise RegistryError("Eine Quote braucht einen Nenner (Bezugsgröße), z. B. „Kinder unter 15 Jahren“.")
    if not 0 <= ind.decimals <= 3:
        raise RegistryError("Nachkommastellen: 0 bis 3.")
    if ind.sensitive and (ind.min_count < 1 or ind.min_denominator < 0):
        raise RegistryError("Geheimhaltung: Mindestfallzahl ≥ 1 und Mindest-Bezugsgröße ≥ 0.")
    return replace(ind, custom=True, sources=("kennzahlen",), compute=None)


def add_indicator(engine: Engine, ind: Indicator, user: str) -> Indicator:
    """Store a new indicator; its values then import under its code (Kennzahlen)."""
    ind = validate_indicator(ind)
    with session_scope(engine) as s:
        if s.scalars(select(IndicatorDefinition).where(IndicatorDefinition.code == ind.code)).first():
            raise RegistryError(f"Kürzel „{ind.code}“ ist schon vergeben.")
        s.add(
            IndicatorDefinition(
                code=ind.code,
                label_de=ind.label_de,
                unit=ind.unit,
                domain=ind.domain,
                help_de=ind.help_de,
                numerator_de=ind.numerator_de,
                denominator_de=ind.denominator_de,
                department=ind.department,
                polarity=ind.polarity,
                scale=ind.scale,
                decimals=ind.decimals,
                sensitive=ind.sensitive,
                min_count=ind.min_count,
                min_denominator=ind.min_denominator,
                created_by=user,
                updated_by=user,
            )
        )
    return ind


@contextmanager
def _deleting(engine: Engine, model: type, where: Any, what: str, missing: str) -> Iterator[Session]:
    """Delete the row of ``model`` that ``where`` selects (refused with ``missing`` when there is
    none, with a message naming ``what`` when another save won); yields the session for what goes
    with it, in the same transaction."""
    with (
        compare_and_set(lambda: RegistryError(concurrent_edit_message(what))),
        session_scope(engine) as s,
    ):
        row = s.scalars(select(model).where(where)).first()
        if row is None:
            raise RegistryError(missing)
        s.delete(row)
        yield s


def delete_indicator(engine: Engine, code: str) -> None:
    """Remove an added indicator with its target and from every set (imported values stay)."""
    with _deleting(
        engine,
        IndicatorDefinition,
        IndicatorDefinition.code == code,
        "Ein Kennzahlenset mit dieser Kennzahl",
        f"Eine hinzugefügte Kennzahl „{code}“ gibt es nicht.",
    ) as s:
        for t in s.scalars(select(IndicatorTarget).where(IndicatorTarget.code == code)):
            s.delete(t)
        for st in s.scalars(select(IndicatorSet)):
            codes = json.loads(st.codes_json)
            if code in codes:
                st.codes_json = json.dumps([c for c in codes if c != code])
                st.revision += 1


def _known_codes(s: Session) -> set[str]:
    return set(INDICATORS) | set(s.scalars(select(IndicatorDefinition.code)))


# --------------------------------------------------------------------------- targets


def save_target(engine: Engine, target: Target, user: str) -> Target:
    """Insert or update the target of ``target.code``; ``target.revision`` is the one the edit started
    from (0 for a new target). Refused with a German message if someone saved in between."""
    with (
        compare_and_set(
            lambda: RegistryError(concurrent_edit_message(f"Der Zielwert von „{target.code}“")), creating=True
        ),
        session_scope(engine) as s,
    ):
        if target.code not in _known_codes(s):
            raise RegistryError(f"Kennzahl „{target.code}“ gibt es nicht.")
        row = s.scalars(select(IndicatorTarget).where(IndicatorTarget.code == target.code)).first()
        if row is None:
            if target.revision:
                raise RegistryError(f"Der Zielwert von „{target.code}“ wurde inzwischen gelöscht.")
            row = IndicatorTarget(code=target.code, revision=0)
            s.add(row)
        elif row.revision != target.revision:
            raise RegistryError(
                f"Der Zielwert von „{target.code}“ wurde inzwischen von {row.updated_by} geändert "
                f"(Stand {local_stamp(row.updated_at)} Uhr). Bitte neu laden; nichts gespeichert."
            )
        row.target, row.tolerance, row.note = target.target, target.tolerance, target.note.strip()
        row.updated_at, row.updated_by, row.revision = utcnow(), user, row.revision + 1
        s.flush()
        return Target(row.code, row.target, row.tolerance, row.note, row.updated_by, row.revision)


def delete_target(engine: Engine, code: str) -> None:
    missing = f"Für „{code}“ ist kein Zielwert gesetzt."
    with _deleting(
        engine, IndicatorTarget, IndicatorTarget.code == code, f"Der Zielwert von „{code}“", missing
    ):
        pass  # nothing else belongs to a target


# --------------------------------------------------------------------------- sets


def save_set(engine: Engine, kset: KennzahlenSet, user: str, position: int | None = None) -> KennzahlenSet:
    """Insert or update (by name) an indicator set; same revision rule as :func:`save_target`."""
    name = kset.name.strip()
    if not name:
        raise RegistryError("Das Kennzahlenset braucht einen Namen.")
    if not kset.codes:
        raise RegistryError(f"Kennzahlenset „{name}“: mindestens eine Kennzahl auswählen.")
    if len(set(kset.codes)) != len(kset.codes):
        raise RegistryError(f"Kennzahlenset „{name}“: eine Kennzahl ist doppelt aufgeführt.")
    with (
        compare_and_set(
            lambda: RegistryError(concurrent_edit_message(f"Kennzahlenset „{name}“")), creating=True
        ),
        session_scope(engine) as s,
    ):
        unknown = [c for c in kset.codes if c not in _known_codes(s)]
        if unknown:
            raise RegistryError(f"Kennzahlenset „{name}“: unbekannte Kennzahl(en) {', '.join(unknown)}.")
        row = s.scalars(select(IndicatorSet).where(IndicatorSet.name == name)).first()
        if row is None:
            if kset.revision:
                raise RegistryError(f"Kennzahlenset „{name}“ wurde inzwischen gelöscht oder umbenannt.")
            count = s.execute(select(func.count()).select_from(IndicatorSet)).scalar_one()
            row = IndicatorSet(name=name, revision=0, position=count if position is None else position)
            s.add(row)
        elif row.revision != kset.revision:
            raise RegistryError(
                f"Kennzahlenset „{name}“ wurde inzwischen von {row.updated_by} geändert. "
                "Bitte neu laden; nichts gespeichert."
            )
        row.theme, row.owner = kset.theme.strip(), kset.owner.strip()
        row.codes_json = json.dumps(list(kset.codes))
        if position is not None:
            row.position = position
        row.updated_at, row.updated_by, row.revision = utcnow(), user, row.revision + 1
        s.flush()
        return replace(kset, name=name, updated_by=user, revision=row.revision)


def delete_set(engine: Engine, name: str) -> None:
    missing = f"Kennzahlenset „{name}“ gibt es nicht."
    with _deleting(engine, IndicatorSet, IndicatorSet.name == name, f"Kennzahlenset „{name}“", missing):
        pass  # the set's indicators stay


# --------------------------------------------------------------------------- export


def registry_records(registry: Registry, codes: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The register as JSON-ready records (CLI ``indicators --json``; keys are a contract).

    ``threshold`` is the minimum count of a sensitive indicator (None when published as is),
    ``target`` the target value (None without target); ``tolerance``, ``min_denominator`` and the
    definition are extra keys.
    """
    inds = registry.indicators
    out = []
    for code in codes if codes is not None else inds:
        ind = inds[code]
        t = registry.target(code)
        out.append(
            {
                "code": ind.code,
                "label": ind.label_de,
                "unit": ind.unit,
                "domain": ind.domain,
                "sensitive": ind.sensitive,
                "threshold": ind.min_count if ind.sensitive else None,
                "target": t.target if t else None,
                "tolerance": t.tolerance if t else None,
                "min_denominator": ind.min_denominator if ind.sensitive and ind.is_rate else None,
                "polarity": ind.polarity,
                "numerator": ind.numerator_de,
                "denominator": ind.denominator_de,
                "department": ind.department,
                "definition": ind.help_de,
                "computed": ind.compute is not None,
                "custom": ind.custom,
                "sets": [s.name for s in registry.sets if code in s.codes],
            }
        )
    return out
