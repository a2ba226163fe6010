"""The planning parameters as data: one registry with default, unit, help text and source.

Every municipal choice behind the forecast and the Kita/school/Ganztag demand lives here, never as a
constant in the computing code (DOMAIN.md). A scenario stores only its *changes* against these
defaults; :func:`resolve` turns changes into a complete, validated parameter set, and
:func:`describe` lists which values produced a figure (shown under every chart and in exports).

Legal facts are not parameters: the GaFöG phase-in (grade 1 from school year 2026/27, one more
grade each year, grades 1–4 from 2029/30) is fixed by federal law, see :data:`GAFOEG_FIRST_YEAR`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planning.formatting import number, school_year

#: First school year (starting 1 August) with the Ganztag entitlement for grade 1 (GaFöG, § 24 Abs. 4
#: SGB VIII n. F.); grade g is entitled from school year GAFOEG_FIRST_YEAR + g − 1.
GAFOEG_FIRST_YEAR = 2026

GROUPS: tuple[str, ...] = ("Prognose", "Kita", "Schule", "Ganztag", "Wohnbau", "Auswertung")
#: Groups a scenario may change; "Auswertung" governs how figures are compared, not what they are.
SCENARIO_GROUPS: tuple[str, ...] = GROUPS[:-1]

BIRTH_VARIANTS: dict[str, float] = {"niedrig": -0.02, "mittel": 0.0, "hoch": 0.02}


@dataclass(frozen=True)
class Parameter:
    """One planning parameter. ``kind``: ``quote`` (share 0–1, shown in %), ``int``, ``float``,
    ``choice`` (one of ``choices``) or ``profile`` (one value per age 0–17)."""

    key: str
    label: str
    group: str
    default: Any
    unit: str
    help: str
    source: str
    kind: str = "float"
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def validate(self, value: Any) -> Any:
        """The value in canonical type, or a German ``ValueError`` naming the parameter."""
        name = f"Parameter „{self.label}“ ({self.key})"
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"{name}: „{value}“ ist keine der Möglichkeiten {', '.join(self.choices)}.")
            return value
        if self.kind == "profile":
            try:
                values = tuple(float(v) for v in value)
            except (TypeError, ValueError):
                raise ValueError(f"{name}: erwartet eine Liste von Zahlen.") from None
            if len(values) != len(self.default):
                raise ValueError(
                    f"{name}: erwartet {len(self.default)} Werte (Alter 0–17), nicht {len(values)}."
                )
            for v in values:
                self._check_range(name, v)
            return values
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: „{value}“ ist keine Zahl.") from None
        if number != number:  # NaN
            raise ValueError(f"{name}: ein Wert fehlt.")
        self._check_range(name, number)
        if self.kind == "int":
            if number != int(number):
                raise ValueError(f"{name}: erwartet eine ganze Zahl, nicht {value}.")
            return int(number)
        return number

    def _check_range(self, name: str, v: float) -> None:
        if self.minimum is not None and v < self.minimum:
            low = format_parameter(self, self.minimum)
            raise ValueError(f"{name}: {format_parameter(self, v)} liegt unter dem Minimum {low}.")
        if self.maximum is not None and v > self.maximum:
            high = format_parameter(self, self.maximum)
            raise ValueError(f"{name}: {format_parameter(self, v)} liegt über dem Maximum {high}.")


#: Children per new dwelling by age in the year of completion: family-oriented new builds bring many
#: small children and fewer teenagers (a common rule of thumb of municipal planners, ~0.8 children
#: under 18 per unit). A municipal parameter: replace with the local survey of earlier new builds.
DEFAULT_CHILD_YIELD: tuple[float, ...] = tuple([0.06] * 6 + [0.045] * 4 + [0.03] * 8)

_DOMAIN = "Praxis der Kita- und Schulentwicklungsplanung"

PARAMETERS: tuple[Parameter, ...] = (
    # --- Prognose
    Parameter(
        "prognose_jahre",
        "Prognosezeitraum",
        "Prognose",
        10,
        "Jahre",
        "Wie viele Jahre nach dem letzten beobachteten Jahr vorausberechnet werden (Kita- und "
        "Schulentwicklungsplanung: üblich 10–15 Jahre).",
        _DOMAIN,
        kind="int",
        minimum=1,
        maximum=15,
    ),
    Parameter(
        "stuetzzeitraum",
        "Stützzeitraum der Übergangsquoten",
        "Prognose",
        3,
        "Jahre",
        "Über wie viele beobachtete Jahresübergänge die Alters-Übergangsquoten je Gebiet gemittelt "
        "werden (Summe der Übergänge, nicht Mittel der Quoten). Mehrjährige Mittel glätten "
        "Einzeljahre; zu lange Fenster übersehen neue Entwicklungen.",
        "Kohorten-Komponenten-Methode (Übergangsquoten)",
        kind="int",
        minimum=1,
        maximum=10,
    ),
    Parameter(
        "schrumpfung",
        "Ausgleich kleiner Gebiete",
        "Prognose",
        200.0,
        "Kinder",
        "Gewicht k, mit dem die Übergangsquote eines Gebiets zum Stadtwert gezogen wird: "
        "f* = (n·f + k·F) / (n + k), n = beobachtete Kinder. Kleine Gebiete folgen so eher der "
        "Stadt und laufen nicht aus dem Ruder; 0 = nur eigene Werte.",
        "Empirical-Bayes-Schrumpfung, übliche Praxis kleinräumiger Prognosen",
        minimum=0,
        maximum=10_000,
    ),
    Parameter(
        "mindestgroesse_prognose",
        "Mindestgröße für eine Gebietsprognose",
        "Prognose",
        100,
        "Kinder 0–17",
        "Gebiete mit höchstens so vielen Kindern werden als „zu klein für eine verlässliche "
        "Prognose“ markiert; die Seiten empfehlen dort die obere Ebene. In der Rückrechnung lag der "
        "mittlere Fehler solcher Gebiete bei 18–31 %, bei 101–500 Kindern bei 7–11 %.",
        "Rückrechnung Berlin 2021–2025 (542 Planungsräume) nach Gebietsgröße",
        kind="int",
        minimum=0,
        maximum=100_000,
    ),
    Parameter(
        "mindestbasis_quote",
        "Mindestbasis für Rangfolgen und Ampeln",
        "Auswertung",
        20,
        "Personen im Nenner",
        "Quoten, deren Nenner kleiner ist (z. B. weniger als 20 Kinder unter 3 Jahren), werden "
        "gezeigt, aber als „zu wenige Kinder“ markiert und nicht in Rangfolgen, Ampeln und Listen der "
        "ungünstigsten Gebiete eingereiht – in App, Sitzungsunterlage und Export. Ein einzelnes Kind "
        "verschiebt eine Quote um 100 ÷ Nenner Prozentpunkte: bei 20 Kindern um 5 Punkte, bei 3 "
        "Kindern um 33. Nicht für Quoten, deren Nenner keine Personen zählt (Auslastung der Züge). "
        "0 = alle Gebiete einreihen.",
        "Rechenregel (ein Fall ändert eine Quote um 100 ÷ Nenner Prozentpunkte); Demo: Gewerbe- und "
        "Waldgebiete mit 2–3 Kindern führten die Rangfolge mit 0,0 % an",
        kind="int",
        minimum=0,
        maximum=10_000,
    ),
    Parameter(
        "geburtenvariante",
        "Geburtenvariante",
        "Prognose",
        "mittel",
        "",
        "Entwicklung der Geburten gegenüber dem beobachteten Trend des Stützzeitraums: niedrig "
        "−2 % je Jahr, mittel wie beobachtet, hoch +2 % je Jahr.",
        "Varianten nach dem Vorbild der Bevölkerungsvorausberechnungen der Statistischen Ämter",
        kind="choice",
        choices=tuple(BIRTH_VARIANTS),
    ),
    # --- Kita
    Parameter(
        "bedarfsquote_u1",
        "Bedarfsquote unter 1 Jahr",
        "Kita",
        0.05,
        "Anteil",
        "Anteil der unter Einjährigen, für den ein Platz geplant wird (Rechtsanspruch erst ab "
        "1 Jahr, § 24 Abs. 1 SGB VIII: nur unter Bedingungen).",
        "§ 24 SGB VIII; kommunale Festlegung",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "bedarfsquote_1",
        "Bedarfsquote 1-Jährige",
        "Kita",
        0.45,
        "Anteil",
        "Anteil der Einjährigen mit Platzbedarf. Orientierung: Betreuungsquote 2023 bundesweit "
        "rund 37 %, Elternbedarf U3 rund 49 %; kommunale U3-Ziele 40–60 %.",
        "Destatis (Betreuungsquoten 2023), DJI-Kinderbetreuungsstudie; kommunale Festlegung",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "bedarfsquote_2",
        "Bedarfsquote 2-Jährige",
        "Kita",
        0.70,
        "Anteil",
        "Anteil der Zweijährigen mit Platzbedarf. Orientierung: Betreuungsquote 2023 bundesweit "
        "rund 63 %, Elternbedarf höher.",
        "Destatis (Betreuungsquoten 2023), DJI-Kinderbetreuungsstudie; kommunale Festlegung",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "bedarfsquote_ue3",
        "Bedarfsquote 3 Jahre bis Schuleintritt",
        "Kita",
        0.95,
        "Anteil",
        "Anteil der 3- bis 5-Jährigen (und der noch nicht eingeschulten 6-Jährigen) mit "
        "Platzbedarf. Rechtsanspruch seit 1996; übliche Ziele 95–100 %.",
        "§ 24 Abs. 3 SGB VIII; kommunale Festlegung",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "anteil_6_in_kita",
        "Anteil 6-Jähriger noch in der Kita",
        "Kita",
        0.30,
        "Anteil",
        "Anteil der 6-Jährigen (Stichtag 31.12.), die noch nicht eingeschult sind: nach dem "
        "Einschulungsstichtag geborene Kinder (Okt.–Dez. ≈ 25 %) und Zurückstellungen.",
        "Schulgesetze der Länder (Stichtag 30.09.); kommunale Festlegung",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "u3_anteil_gemischt",
        "U3-Anteil ungeteilter Plätze",
        "Kita",
        0.30,
        "Anteil",
        "Für Kitas ohne Aufteilung in Krippe (0–3) und Elementar (3–6), etwa altersgemischte "
        "Gruppen: welcher Anteil der Plätze als U3-Platz zählt.",
        "Kommunale Festlegung (Schlüssel für altersgemischte Gruppen)",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "tagespflege_u3_anteil",
        "U3-Anteil der Kindertagespflege",
        "Kita",
        1.0,
        "Anteil",
        "Welcher Anteil der Plätze in der Kindertagespflege als U3-Angebot zählt (der Rest als Ü3).",
        "Kommunale Festlegung; Kindertagespflege betreut überwiegend unter Dreijährige",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "kita_puffer",
        "Puffer auf den Kita-Bedarf",
        "Kita",
        0.0,
        "Anteil",
        "Zuschlag auf den rechnerischen Bedarf für unterjährige Aufnahmen, Integrationsplätze und "
        "Wunsch- und Wahlrecht (üblich 0–5 %).",
        "Kommunale Festlegung (Pufferplätze)",
        kind="quote",
        minimum=0,
        maximum=0.5,
    ),
    # --- Schule
    Parameter(
        "klassen_ebene",
        "Ebene der Klassenbildung",
        "Schule",
        "obere Ebene",
        "",
        "Wo Klassen und Züge auf ganze Klassen aufgerundet werden: „obere Ebene“ (Schulbezirk, "
        "Stadtbezirk oder Stadt, wo Schulen geplant werden; im kleinsten Gebiet steht der "
        "rechnerische Bedarf, z. B. 0,3 Klassen, damit die Gebiete sich zur Stadt addieren) oder "
        "„Gebiet“ (jedes Gebiet ist der Einzugsbereich seiner Schule).",
        "Schulentwicklungsplanung: Klassen werden je Schule bzw. Schulbezirk gebildet",
        kind="choice",
        choices=("obere Ebene", "Gebiet"),
    ),
    Parameter(
        "klassenobergrenze",
        "Klassenobergrenze Grundschule",
        "Schule",
        26,
        "Schüler:innen je Klasse",
        "Höchstzahl je Klasse; darüber wird geteilt: Klassen = aufrunden(Schüler:innen ÷ "
        "Obergrenze) je Jahrgang. Niedersachsen 26, NRW plant mit 23–25 (Landesrecht).",
        "Klassenbildungserlass Niedersachsen; Landesrecht",
        kind="int",
        minimum=10,
        maximum=35,
    ),
    Parameter(
        "einschulungsquote",
        "Einschulungsquote",
        "Schule",
        None,
        "Anteil",
        "Einschulungen je 6-Jährigem (Stichtag 31.12.). Leer = aus den Daten: Mittel der "
        "beobachteten Quoten (Jahrgang 1 ÷ 6-Jährige) der letzten Jahre im Stützzeitraum; ohne "
        "Schuldaten 1,0.",
        "Übliche Einschulungsprognose der Schulentwicklungsplanung",
        kind="quote",
        minimum=0.5,
        maximum=1.5,
    ),
    # --- Ganztag
    Parameter(
        "ganztag_bedarfsquote",
        "Ganztags-Bedarfsquote (mit Rechtsanspruch)",
        "Ganztag",
        0.75,
        "Anteil",
        "Anteil der Grundschulkinder in anspruchsberechtigten Jahrgängen, für den ein Ganztagsplatz "
        "geplant wird (IW: 73 % der Eltern brauchen ihn; Planungspraxis 75 %).",
        "GaFöG; IW-Elternbefragung",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    Parameter(
        "ganztag_quote_ohne_anspruch",
        "Ganztags-Quote ohne Rechtsanspruch",
        "Ganztag",
        0.57,
        "Anteil",
        "Nutzung in Jahrgängen, die (noch) keinen Rechtsanspruch haben (2023/24 bundesweit 57 %).",
        "Bundesweite Inanspruchnahme 2023/24",
        kind="quote",
        minimum=0,
        maximum=1,
    ),
    # --- Wohnbau
    Parameter(
        "kinder_je_wohnung",
        "Kinder je neuer Wohnung nach Alter",
        "Wohnbau",
        DEFAULT_CHILD_YIELD,
        "Kinder je Wohnung",
        "Kinder je fertiggestellter Wohnung im Jahr des Bezugs, je Alter 0–17 (zusammen rund 0,8 "
        "unter 18). Durch eine örtliche Erhebung früherer Neubaugebiete ersetzen.",
        "Faustwert kommunaler Planungspraxis",
        kind="profile",
        minimum=0,
        maximum=2,
    ),
)

_BY_KEY = {p.key: p for p in PARAMETERS}


def get_parameter(key: str) -> Parameter:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"Unbekannter Parameter „{key}“. Bekannt: {', '.join(_BY_KEY)}") from None


def defaults() -> dict[str, Any]:
    return {p.key: p.default for p in PARAMETERS}


def resolve(changes: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults overlaid with ``changes`` (validated); unknown keys raise a German ``KeyError``."""
    values = defaults()
    for key, value in (changes or {}).items():
        p = get_parameter(key)
        values[key] = None if value is None and p.default is None else p.validate(value)
    return values


def format_parameter(p: Parameter, value: Any) -> str:
    """German display of a parameter value (``45 %``, ``26``, ``mittel``, ``aus den Daten``)."""
    if value is None:
        return "aus den Daten"
    if p.kind == "quote":
        pct = float(value) * 100
        return f"{pct:.1f} %".replace(".", ",").replace(",0 %", " %")
    if p.kind == "profile":
        return f"{sum(value):.2f} Kinder je Wohnung (0–17)".replace(".", ",")
    if p.kind == "choice":
        return str(value)
    if p.kind == "int":
        return number(value)
    return f"{float(value):g}".replace(".", ",")


def describe(values: Mapping[str, Any], keys: tuple[str, ...] | None = None) -> list[tuple[str, str, bool]]:
    """``(label, formatted value, changed from default)`` for the given (or all) parameters."""
    out = []
    for p in PARAMETERS:
        if keys is not None and p.key not in keys:
            continue
        v = values.get(p.key, p.default)
        out.append((p.label, format_parameter(p, v), v != p.default))
    return out


def parameter_guide() -> str:
    """docs/parameters.md, generated from :data:`PARAMETERS` (``make docs``; a test keeps it current)."""
    lines = [
        "# Planungsparameter",
        "",
        "Erzeugt aus `planning/parameters.py` mit `make docs` – nicht von Hand ändern.",
        "",
        "Alle kommunalen Annahmen der Prognose und der Kita-, Schul- und Ganztagsplanung stehen in "
        "einem Register. Ein Szenario speichert nur seine Abweichungen davon; jede Zahl in der App "
        "nennt unter „Annahmen dieser Zahlen“ die Werte, mit denen sie gerechnet wurde.",
        "",
        "Gesetzlich festgelegt und daher kein Parameter: der Rechtsanspruch auf Ganztagsbetreuung "
        f"(GaFöG) gilt für Klasse 1 ab dem Schuljahr {school_year(GAFOEG_FIRST_YEAR)}, je Jahr für "
        f"eine Klasse mehr, für die Klassen 1–4 ab {school_year(GAFOEG_FIRST_YEAR + 3)}.",
        "",
    ]
    for group in GROUPS:
        lines += [
            f"## {group}",
            "",
            "| Schlüssel | Parameter | Standard | Einheit | Bedeutung | Quelle |",
            "|---|---|---|---|---|---|",
        ]
        for p in PARAMETERS:
            if p.group != group:
                continue
            unit = p.unit or "–"
            default = format_parameter(p, p.default)
            lines.append(f"| `{p.key}` | {p.label} | {default} | {unit} | {p.help} | {p.source} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).resolve().parent.parent / "docs" / "parameters.md"
    target.write_text(parameter_guide(), encoding="utf-8")
    print(f"geschrieben: {target}")
