"""The built-in indicators: one entry each, with label, unit, help text, how it is computed and its
register entry (numerator, denominator, department). Added indicators live in the database
(:mod:`planning.registry`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from planning.indicators.compute import (
    count,
    ganztag_quote,
    grundschueler,
    kita_places,
    kita_reach,
    share,
    versorgung,
    zuege_auslastung,
)
from planning.indicators.definition import Indicator, IndicatorRef
from planning.repository import PlanningData

_C = "bevoelkerung"
_STAT = "Statistikstelle"
_JA = "Jugendamt"
_SA = "Schulamt"
_SOZ = "Sozialplanung"

BUILT_IN: tuple[Indicator, ...] = (
    Indicator(
        "einwohner",
        "Einwohner:innen",
        "Personen",
        "Demografie",
        "Einwohner:innen mit Haupt- oder alleiniger Wohnung am Stichtag (31.12.).",
        compute=count(0, None),
        numerator_de="Einwohner:innen (Haupt- oder alleinige Wohnung)",
        denominator_de="",
        department=_STAT,
    ),
    Indicator(
        "kinder_u3",
        "Kinder unter 3 Jahren",
        "Kinder",
        "Demografie",
        "Kinder im Alter von 0 bis unter 3 Jahren.",
        compute=count(0, 2),
        numerator_de="Kinder von 0 bis unter 3 Jahren",
        denominator_de="",
        department=_STAT,
    ),
    Indicator(
        "kinder_3_6",
        "Kinder 3 bis unter 6 Jahre",
        "Kinder",
        "Demografie",
        "Kinder im Alter von 3 bis unter 6 Jahren (Kindergartenalter).",
        compute=count(3, 5),
        numerator_de="Kinder von 3 bis unter 6 Jahren",
        denominator_de="",
        department=_STAT,
    ),
    Indicator(
        "kinder_6_10",
        "Kinder 6 bis unter 10 Jahre",
        "Kinder",
        "Demografie",
        "Kinder im Alter von 6 bis unter 10 Jahren (Grundschulalter).",
        compute=count(6, 9),
        numerator_de="Kinder von 6 bis unter 10 Jahren",
        denominator_de="",
        department=_STAT,
    ),
    Indicator(
        "anteil_u18",
        "Anteil unter 18-Jähriger",
        "%",
        "Demografie",
        "Einwohner:innen unter 18 Jahren ÷ Einwohner:innen insgesamt × 100.",
        scale=100.0,
        decimals=1,
        compute=share(0, 17),
        numerator_de="Einwohner:innen unter 18 Jahren",
        denominator_de="Einwohner:innen insgesamt",
        department=_STAT,
    ),
    Indicator(
        "kita_plaetze",
        "Kita-Plätze",
        "Plätze",
        "Kita",
        "Genehmigte Plätze (Betriebserlaubnis) in Kitas, die im Jahr in Betrieb sind.",
        polarity=1,
        sources=("kitas",),
        compute=kita_places,
        numerator_de="Genehmigte Kita-Plätze der Kitas in Betrieb",
        denominator_de="",
        department=_JA,
    ),
    Indicator(
        "versorgung_u3",
        "Versorgungsquote U3",
        "%",
        "Kita",
        "(Kita-Plätze für unter 3-Jährige + Plätze in Kindertagespflege) ÷ Kinder von 0 bis unter "
        "3 Jahren × 100. Versorgungsquote (Plätze je Kind), nicht Betreuungsquote. Kitas ohne Aufteilung "
        "zählen mit dem Parameter „U3-Anteil ungeteilter Plätze“ (wie in der Bedarfsplanung).",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("kitas", "kindertagespflege", _C),
        compute=versorgung(0, 2, "places_u3", True),
        numerator_de="Kita-Plätze für unter 3-Jährige + Plätze in Kindertagespflege",
        denominator_de="Kinder von 0 bis unter 3 Jahren",
        department=_JA,
    ),
    Indicator(
        "versorgung_ue3",
        "Versorgungsquote Ü3",
        "%",
        "Kita",
        "Kita-Plätze für Kinder ab 3 Jahren ÷ Kinder von 3 bis unter 6 Jahren × 100.",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("kitas", _C),
        compute=versorgung(3, 5, "places_ue3", False),
        numerator_de="Kita-Plätze für Kinder ab 3 Jahren",
        denominator_de="Kinder von 3 bis unter 6 Jahren",
        department=_JA,
    ),
    Indicator(
        "kita_erreichbar",
        "Erreichbare Kita-Plätze je 100 Kinder",
        "je 100 Kinder",
        "Kita",
        "Kita-Plätze, die Kinder von 0 bis unter 6 Jahren in höchstens 1.500 m Weg (Luftlinie × 1,3) "
        "oder im eigenen Gebiet erreichen, je 100 Kinder (Two-Step Floating Catchment Area: jede Kita "
        "teilt ihre Plätze auf alle Kinder in ihrem Einzugsbereich auf, auch über Gebietsgrenzen). Ein "
        "Gebiet ohne eigene Kita, aber mit Kitas nebenan, ist so nicht unterversorgt. Grenzen: Kitas "
        "jenseits der Stadtgrenze fehlen; ein Punkt je Gebiet; Erreichbarkeit ist kein freier Platz.",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("kitas", _C, "gebiete"),
        compute=kita_reach,
        numerator_de="Kita-Plätze im Einzugsbereich, anteilig nach Kindern (2SFCA)",
        denominator_de="Kinder von 0 bis unter 6 Jahren",
        department=_JA,
    ),
    Indicator(
        "grundschueler",
        "Grundschüler:innen",
        "Kinder",
        "Schule",
        "Schüler:innen der Klassenstufen 1–4 an Grundschulen im Schuljahr, das im Jahr beginnt "
        "(2025 = Schuljahr 2025/26), nach Lage der Schule.",
        sources=("schueler",),
        compute=grundschueler,
        numerator_de="Schüler:innen der Stufen 1–4 an Grundschulen",
        denominator_de="",
        department=_SA,
    ),
    Indicator(
        "zuege_auslastung",
        "Auslastung der Grundschul-Züge",
        "%",
        "Schule",
        "Gebildete Klassen der Stufen 1–4 ÷ (Zügigkeit × 4) × 100. Über 100 % heißt: mehr Klassen als Züge.",
        polarity=-1,
        scale=100.0,
        decimals=0,
        base_counts_people=False,
        sources=("schueler", "schulen"),
        compute=zuege_auslastung,
        numerator_de="Gebildete Klassen der Stufen 1–4",
        denominator_de="Zügigkeit × 4",
        department=_SA,
    ),
    Indicator(
        "ganztag_quote",
        "Ganztagsplätze je Grundschüler:in",
        "%",
        "Ganztag",
        "Ganztagsplätze der Grundschulen (aktuelle Schulliste) ÷ Grundschüler:innen der Stufen 1–4 "
        "× 100. Rechtsanspruch (GaFöG) ab 2026/27 für Stufe 1, ab 2029/30 für Stufen 1–4.",
        polarity=1,
        scale=100.0,
        decimals=1,
        sources=("schulen", "schueler"),
        compute=ganztag_quote,
        numerator_de="Ganztagsplätze der Grundschulen",
        denominator_de="Grundschüler:innen der Stufen 1–4",
        department=_SA,
    ),
    # Imported indicators (Kennzahlen table); numerator/denominator as delivered.
    Indicator(
        "kinderarmut",
        "Kinderarmut (SGB II, unter 15)",
        "%",
        "Soziales",
        "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren in SGB-II-Bedarfsgemeinschaften ÷ "
        "Kinder unter 15 Jahren × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
        numerator_de="Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren (SGB II)",
        denominator_de="Kinder unter 15 Jahren",
        department=_SOZ,
    ),
    Indicator(
        "sgb2_quote",
        "SGB-II-Quote (unter 65)",
        "%",
        "Soziales",
        "Regelleistungsberechtigte nach SGB II ÷ Einwohner:innen unter 65 Jahren × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
        numerator_de="Regelleistungsberechtigte nach SGB II",
        denominator_de="Einwohner:innen unter 65 Jahren",
        department=_SOZ,
    ),
    Indicator(
        "arbeitslosigkeit",
        "Arbeitslosigkeit (SGB II und III)",
        "%",
        "Soziales",
        "Arbeitslose nach SGB II und III ÷ Einwohner:innen 15 bis unter 65 Jahre × 100 (MSS S1).",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
        numerator_de="Arbeitslose nach SGB II und III",
        denominator_de="Einwohner:innen von 15 bis unter 65 Jahren",
        department=_SOZ,
    ),
    Indicator(
        "transferbezug",
        "Transferbezug (SGB II und XII)",
        "%",
        "Soziales",
        "Empfänger:innen von Transferleistungen nach SGB II und XII ÷ Einwohner:innen × 100 (MSS S3).",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
        numerator_de="Empfänger:innen von Leistungen nach SGB II und XII",
        denominator_de="Einwohner:innen",
        department=_SOZ,
    ),
    Indicator(
        "jfe_plaetze",
        "Plätze in Jugendfreizeiteinrichtungen",
        "Plätze",
        "Jugendhilfe",
        "Plätze in Jugendfreizeiteinrichtungen und pädagogisch betreuten Spielplätzen im Gebiet (nach Lage).",
        polarity=1,
        sources=("kennzahlen",),
        numerator_de="Plätze in Jugendfreizeiteinrichtungen",
        denominator_de="",
        department=_JA,
    ),
    Indicator(
        "hze_je_1000",
        "Hilfen zur Erziehung je 1.000 unter 21",
        "je 1.000",
        "Jugendhilfe",
        "Laufende Hilfen zur Erziehung (§§ 27–35a SGB VIII) ÷ Einwohner:innen unter 21 Jahren × 1.000.",
        polarity=-1,
        scale=1000.0,
        decimals=1,
        sensitive=True,
        sources=("kennzahlen",),
        numerator_de="Laufende Hilfen zur Erziehung (§§ 27–35a SGB VIII)",
        denominator_de="Einwohner:innen unter 21 Jahren",
        department=_JA,
    ),
    Indicator(
        "sprachfoerderbedarf",
        "Sprachförderbedarf bei Einschulung",
        "%",
        "Schule",
        "Kinder mit Sprachförderbedarf laut Schuleingangsuntersuchung ÷ untersuchte Kinder × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
        numerator_de="Kinder mit Sprachförderbedarf (Schuleingangsuntersuchung)",
        denominator_de="Untersuchte Kinder",
        department="Gesundheitsamt",
    ),
    Indicator(
        "alleinerziehende",
        "Anteil Alleinerziehender",
        "%",
        "Soziales",
        "Haushalte von Alleinerziehenden ÷ Haushalte mit Kindern unter 18 × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
        numerator_de="Haushalte von Alleinerziehenden",
        denominator_de="Haushalte mit Kindern unter 18",
        department=_SOZ,
    ),
    Indicator(
        "jugendarbeitslosigkeit",
        "Jugendarbeitslosigkeit (15 bis unter 25)",
        "%",
        "Soziales",
        "Arbeitslose von 15 bis unter 25 Jahren ÷ Einwohner:innen von 15 bis unter 25 Jahren × 100.",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sources=("kennzahlen",),
        numerator_de="Arbeitslose von 15 bis unter 25 Jahren",
        denominator_de="Einwohner:innen von 15 bis unter 25 Jahren",
        department=_SOZ,
    ),
    Indicator(
        "ohne_abschluss",
        "Schulabgänge ohne Abschluss",
        "%",
        "Schule",
        "Schulabgänger:innen ohne Ersten allgemeinbildenden Abschluss ÷ alle Schulabgänger:innen × 100 "
        "(nach Wohnort).",
        polarity=-1,
        scale=100.0,
        decimals=1,
        sensitive=True,
        # Leavers per Planungsraum are few (20–60): 3 cases and 30 leavers, else no area would show.
        min_denominator=30.0,
        sources=("kennzahlen",),
        numerator_de="Schulabgänger:innen ohne Abschluss",
        denominator_de="Schulabgänger:innen insgesamt",
        department=_SA,
    ),
    Indicator(
        "gefluechtete_kinder",
        "Geflüchtete Kinder in Gemeinschaftsunterkünften",
        "Kinder",
        "Jugendhilfe",
        "Kinder und Jugendliche unter 18 Jahren in Gemeinschaftsunterkünften für Geflüchtete.",
        sensitive=True,
        sources=("kennzahlen",),
        numerator_de="Kinder unter 18 in Gemeinschaftsunterkünften",
        denominator_de="",
        department=_JA,
    ),
)

INDICATORS: dict[str, Indicator] = {i.code: i for i in BUILT_IN}


def get_indicator(code: str, extra: Mapping[str, Indicator] | None = None) -> Indicator:
    """The built-in indicator ``code``, or one of ``extra`` (indicators added in the app)."""
    if code in INDICATORS:
        return INDICATORS[code]
    if extra and code in extra:
        return extra[code]
    valid = [*INDICATORS, *(extra or {})]
    raise KeyError(f"Unbekannte Kennzahl '{code}'. Gültig: {', '.join(valid)}")


def resolve(ref: IndicatorRef) -> Indicator:
    return ref if isinstance(ref, Indicator) else get_indicator(ref)


def available_indicators(data: PlanningData, extra: Iterable[Indicator] = ()) -> list[Indicator]:
    """Indicators that have data: computed ones whose sources exist, imported ones present in the table."""
    imported = set(data.indicator_values["code"].unique()) if not data.indicator_values.empty else set()
    out = []
    for ind in [*INDICATORS.values(), *(e for e in extra if e.code not in INDICATORS)]:
        if ind.compute is None:
            if ind.code in imported:
                out.append(ind)
        elif all(s in data.versions for s in ind.sources):
            out.append(ind)
    return out
