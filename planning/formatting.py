"""German numbers, percentages, ranges and school years: one place for every page, paper, CLI
message and export.

Thousands with a full stop, decimals with a comma (``1.234,5``), a hyphen-minus for negative values
(Streamlit reads a leading "-" as a negative delta; "-0" never appears: a value that rounds to zero
has no sign), times in Europe/Berlin (stored in UTC), percentages with a narrow space
before ``%`` as in DIN 5008 (``12,3 %``), school years as ``2026/27``. A missing value is said in
words ("keine Daten"), never shown as 0.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from zoneinfo import ZoneInfo

import pandas as pd

MISSING = "keine Daten"


def _missing(value: object) -> bool:
    """None, NaN and pandas' NA (a nullable column's missing value) are missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False


def number(value: float | None, decimals: int = 0, *, signed: bool = False, missing: str = MISSING) -> str:
    """``1.234,5``; ``+12`` with ``signed``; ``missing`` for None/NaN."""
    if _missing(value):
        return missing
    v = float(value)  # type: ignore[arg-type]
    if round(v, decimals) == 0:
        v = 0.0  # no "-0"
    text = f"{abs(v):,.{decimals}f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    if v < 0:
        return f"-{text}"
    return f"+{text}" if signed and v > 0 else text


def percent(value: float | None, decimals: int = 1, *, signed: bool = False, missing: str = MISSING) -> str:
    """``12,3 %`` (``value`` already in percent)."""
    if _missing(value):
        return missing
    return f"{number(value, decimals, signed=signed)} %"


def number_range(low: float | None, high: float | None, decimals: int = 0) -> str:
    """``1.150–1.320`` (a range of two numbers); "–" when either end is missing."""
    if _missing(low) or _missing(high):
        return "–"
    return f"{number(low, decimals)} bis {number(high, decimals)}"


def format_value(value: float | None, decimals: int = 0, unit: str = "") -> str:
    """A figure with its unit as indicators show it (counts of people and places without unit)."""
    if _missing(value):
        return MISSING
    text = number(value, decimals)
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}".strip() if unit and unit not in ("Kinder", "Personen", "Plätze") else text


def school_year(year: int) -> str:
    """``2026/27`` for the school year starting 1 August ``year``."""
    return f"{year}/{str(year + 1)[-2:]}"


#: The municipality's time: every time shown or printed is local (stored timestamps are UTC).
LOCAL_TZ = ZoneInfo("Europe/Berlin")


def local_time(ts: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) timestamp in German local time, for display."""
    return ts.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)


def local_stamp(ts: dt.datetime | None, *, seconds: bool = False, time: bool = True) -> str:
    """``03.12.2026 17:05`` in Europe/Berlin for a stored timestamp (naive = UTC); "–" for None."""
    if ts is None:
        return "–"
    aware = ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)
    local = aware.astimezone(LOCAL_TZ)
    if not time:
        return f"{local:%d.%m.%Y}"
    return f"{local:%d.%m.%Y %H:%M:%S}" if seconds else f"{local:%d.%m.%Y %H:%M}"


_ISO_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def audit_value(value: object) -> str:
    """One stored value as a person reads it: ja/nein, "–" for nothing, German numbers and dates."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int | float):
        return number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, str) and _ISO_STAMP.match(value):
        return local_stamp(dt.datetime.fromisoformat(value))
    if isinstance(value, str) and _ISO_DATE.match(value):
        return f"{dt.date.fromisoformat(value):%d.%m.%Y}"
    if isinstance(value, str) and value[:1] in "[{":  # a record kept as JSON inside the record
        raw = value
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
    if isinstance(value, dict):
        return "(" + ", ".join(f"{AUDIT_FIELDS.get(k, k)}: {audit_value(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list):
        return "[" + "; ".join(audit_value(v) for v in value) + "]"
    return str(value)


def audit_text(raw: str | None) -> str:
    """A stored record (JSON object) as "Feld: Wert; …" for the Änderungsprotokoll page; other
    text unchanged. The record itself stays as stored (its hash chain covers it)."""
    if not raw or not raw.lstrip().startswith("{"):
        return raw or ""
    try:
        record = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(record, dict):
        return raw
    return "; ".join(f"{AUDIT_FIELDS.get(k, k)}: {audit_value(v)}" for k, v in record.items())


#: German names of the fields most records carry (others keep their column name).
AUDIT_FIELDS = {
    "id": "Nr.",
    "created_at": "erstellt",
    "created_by": "erstellt von",
    "updated_at": "geändert",
    "updated_by": "geändert von",
    "imported_at": "importiert",
    "imported_by": "importiert von",
    "revision": "Version",
    "name": "Name",
    "title": "Titel",
    "text": "Text",
    "description": "Beschreibung",
    "note": "Notiz",
    "due": "fällig",
    "done_at": "erledigt",
    "status": "Status",
    "author": "Autor:in",
    "department": "Fachamt",
    "is_active": "aktiv",
    "label": "Bezeichnung",
    "target": "Zielwert",
    "tolerance": "Toleranz",
}


_TYPED_GERMAN = re.compile(r"^[+-]?\d+(,\d+)?$")
_TYPED_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_TYPED_POINT = re.compile(r"^[+-]?\d+\.\d+$")


class TypedNumberError(ValueError):
    """A number typed into a field that cannot be read without guessing (German message)."""


def parse_typed_number(text: str) -> tuple[float, str | None]:
    """A number as a person types it into a field: ``45,5``, ``1.234,5`` or ``45``.

    Returns the value and, when the text was read in a way the person should see, a German note
    (``45.5`` is read as 45,5: a full stop followed by other than three digits cannot group
    thousands). ``1.500`` is refused: it is 1.500 in German and 1,5 in English, and a target or a
    quota must not be guessed. Raises :class:`TypedNumberError` with a German message.
    """
    t = re.sub(r"[\s\u00a0\u2009\u202f]", "", text or "").removesuffix("%")
    if not t:
        raise TypedNumberError("Bitte eine Zahl eingeben.")
    if _TYPED_GERMAN.match(t):
        return float(t.replace(",", ".")), None
    if _TYPED_GROUPED.match(t) and not t.lstrip("+-").startswith("0"):
        if "," not in t and t.count(".") == 1:
            raise TypedNumberError(
                f"„{text.strip()}“ ist mehrdeutig: {number(float(t.replace('.', '')))} oder "
                f"{number(float(t), 3).rstrip('0').rstrip(',')}? Dezimalstellen bitte mit Komma "
                "schreiben, Tausender ohne Punkt."
            )
        return float(t.replace(".", "").replace(",", ".")), None
    if _TYPED_POINT.match(t):
        value = float(t)
        return value, f"„{text.strip()}“ gelesen als {number(value, len(t.split('.')[1]))}"
    raise TypedNumberError(f"„{text.strip()}“ ist keine Zahl (Dezimalstellen mit Komma, z. B. 45,5).")


def typed_number_text(value: float, decimals: int = 2) -> str:
    """A value as a number field shows it: German comma, no thousands dots, no trailing zeros."""
    text = f"{round(float(value), decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace(".", ",")


def zuege(value: float) -> str:
    """A Zügigkeit as written in German: ``3``, ``2,5`` (half Züge are the finest step)."""
    return format_value(value, 1).removesuffix(",0")
