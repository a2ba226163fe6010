"""The demo city's indicator sets and targets, as a Steuerkreis would have agreed them.

Why: the sets are the ones integrated planning works with (Kita- und Schulentwicklung, Ganztag,
Übergang Schule–Beruf, Prävention, Integration Geflüchteter), each with an owner; the targets are
typical municipal values (DOMAIN.md: U3 40–60 %, Ü3 95–100 %, Ganztag demand quota 75 %) chosen so
that the demo shows all three lights.
"""

from __future__ import annotations

import json

from planning.models import IndicatorSet, IndicatorTarget

#: code → (target, tolerance, reason)
DEMO_TARGETS: dict[str, tuple[float, float, str]] = {
    "versorgung_u3": (50.0, 5.0, "Kita-Bedarfsplan 2024: Bedarfsquote U3 50 % (Elternbefragung)."),
    "versorgung_ue3": (98.0, 3.0, "Rechtsanspruch ab 3 Jahren; Ziel fast Vollversorgung."),
    "zuege_auslastung": (100.0, 10.0, "Schulentwicklungsplan: höchstens so viele Klassen wie Züge."),
    "ganztag_quote": (75.0, 10.0, "GaFöG ab 2026/27; Planungsquote 75 % der Grundschüler:innen."),
    "kinderarmut": (15.0, 5.0, "Armutsprävention: Senkung unter den Landesdurchschnitt."),
    "hze_je_1000": (12.0, 3.0, "Jugendhilfeplanung: Fallzahl je 1.000 unter 21 nicht über Vorjahresniveau."),
    "sprachfoerderbedarf": (20.0, 5.0, "Sprachförderkonzept Kita: Bedarf bei Einschulung senken."),
    "ohne_abschluss": (5.0, 2.0, "Übergang Schule–Beruf: höchstens 5 % ohne Abschluss."),
    "jugendarbeitslosigkeit": (4.0, 1.5, "Jugendberufsagentur: Zielvereinbarung 2025."),
}

#: name → (theme, owner, codes)
DEMO_SETS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Kita- und Schulentwicklung": (
        "Plätze und Bedarf für Kita und Grundschule je Planungsraum.",
        "AG Fachplanung (Jugendamt, Schulamt)",
        ("kinder_u3", "kinder_3_6", "versorgung_u3", "versorgung_ue3", "kinder_6_10", "zuege_auslastung"),
    ),
    "Ganztag": (
        "Ganztagsplätze an Grundschulen für den Rechtsanspruch ab 2026/27 (GaFöG).",
        "Projektgruppe Ganztag (Schulamt)",
        ("grundschueler", "ganztag_quote", "zuege_auslastung", "kinder_6_10"),
    ),
    "Übergang Schule–Beruf": (
        "Schulabschlüsse und Jugendarbeitslosigkeit nach Wohnort.",
        "Jugendberufsagentur (Schulamt, Jobcenter)",
        ("ohne_abschluss", "jugendarbeitslosigkeit", "arbeitslosigkeit"),
    ),
    "Prävention": (
        "Frühe Hilfen und Armutsprävention: Lebenslagen von Kindern und Familien.",
        "Sozialplanung mit Jugendamt",
        ("kinderarmut", "alleinerziehende", "hze_je_1000", "sprachfoerderbedarf", "versorgung_u3"),
    ),
    "Integration Geflüchteter": (
        "Kinder in Gemeinschaftsunterkünften, Sprachförderung und Kita-Zugang.",
        "Projektgruppe Integration (Sozialamt, Jugendamt)",
        ("gefluechtete_kinder", "sprachfoerderbedarf", "versorgung_u3", "versorgung_ue3", "kinderarmut"),
    ),
}


def register_rows() -> list[IndicatorTarget | IndicatorSet]:
    rows: list[IndicatorTarget | IndicatorSet] = [
        IndicatorTarget(code=code, target=t, tolerance=tol, note=note, updated_by="demo", revision=1)
        for code, (t, tol, note) in DEMO_TARGETS.items()
    ]
    rows += [
        IndicatorSet(
            name=name,
            theme=theme,
            owner=owner,
            codes_json=json.dumps(list(codes)),
            position=pos,
            updated_by="demo",
            revision=1,
        )
        for pos, (name, (theme, owner, codes)) in enumerate(DEMO_SETS.items())
    ]
    return rows
