"""The plan's figures as indicators: what the plan pages can map and tabulate (balances and demand
of Kita, school and Ganztag), with the same display rules (unit, polarity, decimals) as the indicator
registry. Computed by :mod:`planning.plan`; a declarative table.
"""

from __future__ import annotations

from planning.indicators import Indicator


def _figure(code: str, label: str, unit: str, domain: str, help_de: str, polarity: int = 0) -> Indicator:
    return Indicator(code, label, unit, domain, help_de, polarity=polarity, decimals=0, sources=())


#: Plan figures that pages can map and tabulate (same display rules as the indicator registry).
PLAN_FIGURES: dict[str, Indicator] = {
    f.code: f
    for f in (
        _figure(
            "kita_gap",
            "Platzbilanz Kita (verrechnet)",
            "Plätze",
            "Kita",
            "Kita-Plätze und Tagespflege minus Bedarf (U3 + Ü3), ein Überschuss der einen Altersgruppe mit "
            "dem Mangel der anderen verrechnet; negativ = Plätze fehlen.",
            1,
        ),
        _figure(
            "kita_shortfall",
            "Platzbilanz Kita",
            "Plätze",
            "Kita",
            "Fehlende Plätze U3 plus fehlende Plätze Ü3 (je Altersgruppe Plätze − Bedarf, nur wo negativ): "
            "ein Überschuss bei den Kleinen gleicht keinen Mangel bei den Großen aus.",
            1,
        ),
        _figure(
            "u3_gap",
            "Platzbilanz U3",
            "Plätze",
            "Kita",
            "U3-Plätze (Krippe, Tagespflege) minus U3-Bedarf; negativ = Plätze fehlen.",
            1,
        ),
        _figure(
            "ue3_gap",
            "Platzbilanz Ü3",
            "Plätze",
            "Kita",
            "Ü3-Plätze minus Bedarf der 3- bis 5-Jährigen und der noch nicht eingeschulten 6-Jährigen.",
            1,
        ),
        _figure(
            "u3_demand",
            "U3-Bedarf",
            "Kinder",
            "Kita",
            "Kinder unter 3 × Bedarfsquote je Altersjahr (mit Puffer).",
        ),
        _figure(
            "ue3_demand",
            "Ü3-Bedarf",
            "Kinder",
            "Kita",
            "Kinder von 3 bis zum Schuleintritt × Bedarfsquote (mit Puffer).",
        ),
        _figure("school_entrants", "Einschulungen", "Kinder", "Schule", "6-Jährige × Einschulungsquote."),
        _figure(
            "zuege_gap",
            "Bilanz Eingangsklassen",
            "Klassen",
            "Schule",
            "Züge der Grundschulen im Gebiet minus nötige Eingangsklassen; negativ = Klassen fehlen.",
            1,
        ),
        _figure(
            "class_gap",
            "Klassenbilanz Klassen 1–4",
            "Klassen",
            "Schule",
            "Klassen (Züge × 4) minus nötige Klassen der Jahrgänge 1–4.",
            1,
        ),
        _figure(
            "ganztag_gap",
            "Ganztagsbilanz",
            "Plätze",
            "Ganztag",
            "Ganztagsplätze minus Bedarf nach GaFöG-Stufenplan; negativ = Plätze fehlen.",
            1,
        ),
        _figure(
            "ganztag_demand",
            "Ganztagsbedarf",
            "Kinder",
            "Ganztag",
            "Grundschulkinder × Bedarfsquote (mit/ohne Rechtsanspruch je Jahrgang).",
        ),
    )
}
