"""Age-band labels as German statistical offices write them, read into inclusive ``(from, to)``.

One parser for every place a label is read (the ``alter`` column, band columns of a wide table).
Ages are completed years; ``to`` is inclusive and ``None`` means open-ended ("75+"):

======================================  ============  =========================================
label                                   result        why
======================================  ============  =========================================
``4``, ``04``, ``4 Jahre``              (4, 4)        a single age
``0-2``, ``0–2 J.``, ``6 bis 9 Jahre``  (0, 2) …      a hyphen or plain "bis" band is inclusive
``unter 3``, ``unter 3 Jahre``, ``<3``   (0, 2)        exact age below 3
``0 bis unter 3``, ``3 bis u. 6``,
``3 - unter 6``, ``00 - < 03``,
``3 bis unter 6 Jahren``                (3, 5)        "unter"/"u."/"<" excludes the upper bound
``75+``, ``75 und älter``,
``80 u. älter``, ``65 Jahre und mehr``,
``ab 75``                               (75, None)    open-ended
``über 80``                             (80, None)    exact age above 80 = completed years ≥ 80
                                                      (the mirror of "unter 3" = completed ≤ 2)
``insgesamt``, ``zusammen``, ``gesamt`` (0, None)     all ages
======================================  ============  =========================================

Labels that could mean two bands are refused, never guessed: ``bis 3`` (up to and including 3,
or under 3?) and ``> 80`` (a spreadsheet's 81+ or an office's 80+?). ``über 80`` is read as the
offices mean it ("Hochbetagte über 80" = 80 und älter); ``< 3`` is "unter 3" in either reading.
"""

from __future__ import annotations

import re

from planning.imports.values import ValueParseError, is_missing

#: Words that label the sum over all ages (also used for "all sexes").
TOTAL_WORDS = frozenset(
    {"insgesamt", "gesamt", "zusammen", "summe", "total", "alle", "alle altersgruppen", "alle alter"}
)
ALL_AGES: tuple[int, int | None] = (0, None)
MAX_AGE = 130

# Dashes become "-"; underscores of column names ("18_bis_unter_30") become spaces.
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "\u00a0": " ", "_": " "})
# Trailing unit words: "Jahre", "Jahren", "J.", "J", "Jahr"; leading "Alter"/"von"/"im Alter von".
_UNIT = re.compile(r"\s*\b(jahren|jahre|jahr|j\.?)\s*$")
_LEADING = re.compile(r"^(im\s+alter\s+von|alter|von)\s+")
_N = r"(\d{1,3})"
_EXCL = r"(?:bis\s+unter|bis\s+u\.?|bis\s*<|-\s*unter|-\s*u\.|-\s*<|unter)"
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), kind)
    for p, kind in (
        (rf"^{_N}$", "single"),
        (rf"^{_N}\s*{_EXCL}\s*{_N}$", "exclusive"),
        (rf"^{_N}\s*(?:-|bis)\s*{_N}$", "inclusive"),
        (rf"^(?:unter|u\.|<)\s*{_N}$", "under"),
        (
            rf"^{_N}\s*(?:\+|(?:jahre\s+)?(?:und|u\.)\s*(?:älter|aelter|mehr|ä\.)|u\.\s*ä\.?)$",
            "open",
        ),
        (rf"^(?:ab|über|ueber)\s*{_N}(?:\s*(?:jahre|j\.?))?$", "open"),
    )
)
_AMBIGUOUS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^bis\s*{_N}$"), "„bis {n}“ kann „bis einschließlich {n}“ oder „unter {n}“ heißen"),
    (re.compile(rf"^>\s*=?\s*{_N}$"), "„>{n}“ kann „{n} und älter“ oder „ab {n1}“ heißen"),
)
EXAMPLES = "4, 0-2, 3 bis unter 6, 3 bis u. 6, unter 3, 75+, 80 und älter, insgesamt"


def normalise_label(text: str) -> str:
    """Lower case, one kind of dash, single spaces, without "Jahre"/"J." and a leading "von"."""
    t = " ".join(str(text).translate(_DASHES).strip().lower().split())
    t = _LEADING.sub("", t)
    t = _UNIT.sub("", t).strip()
    return t


def parse_age_band(text: object) -> tuple[int, int | None]:
    """A label as inclusive ``(from, to)``; ``to`` None = open. Raises :class:`ValueParseError` (German)."""
    if is_missing(text):
        raise ValueParseError("Alter fehlt")
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    t = normalise_label(str(text))
    if t in TOTAL_WORDS:
        return ALL_AGES
    for pattern, why in _AMBIGUOUS:
        m = pattern.match(t)
        if m:
            n = int(m[1])
            raise ValueParseError(
                f"Altersangabe „{text}“ ist mehrdeutig: {why.format(n=n, n1=n + 1)}. "
                f"Bitte eindeutig schreiben (z. B. {EXAMPLES}) oder in der Zuordnung festlegen."
            )
    for pattern, kind in _FORMS:
        m = pattern.match(t)
        if not m:
            continue
        if kind == "single":
            a = b = int(m[1])
        elif kind == "exclusive":
            a, b = int(m[1]), int(m[2]) - 1
        elif kind == "inclusive":
            a, b = int(m[1]), int(m[2])
        elif kind == "under":
            a, b = 0, int(m[1]) - 1
        else:
            return _bounded(text, int(m[1]), None)
        if b < a:
            raise ValueParseError(f"Altersband „{text}“ endet vor seinem Anfang")
        return _bounded(text, a, b)
    raise ValueParseError(f"„{text}“ ist kein Alter und kein Altersband (Beispiele: {EXAMPLES})")


def _bounded(text: object, a: int, b: int | None) -> tuple[int, int | None]:
    if a > MAX_AGE or (b is not None and b > MAX_AGE):
        raise ValueParseError(f"Altersangabe „{text}“ liegt über {MAX_AGE} Jahren")
    return a, b


def format_band(band: tuple[int, int | None]) -> str:
    """The canonical label of a band: ``4``, ``3-5``, ``75+``, ``insgesamt``."""
    a, b = band
    if band == ALL_AGES:
        return "insgesamt"
    if b is None:
        return f"{a}+"
    return str(a) if a == b else f"{a}-{b}"


def tiles_all_ages(bands: list[tuple[int, int | None]]) -> bool:
    """Whether the bands cover 0…open exactly once (then their sum is the total)."""
    closed = sorted(b for b in bands if b[1] is not None)
    opened = [b for b in bands if b[1] is None]
    if len(opened) != 1 or opened[0] == ALL_AGES:
        return False
    expected = 0
    for a, b in closed:
        if a != expected:
            return False
        expected = int(b) + 1  # type: ignore[arg-type]
    return opened[0][0] == expected
