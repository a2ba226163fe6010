"""Reading the data as it is: areas, the city's key figures, dataset versions (list, activate),
the indicator register and an area table of one indicator (``export-table``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from planning.cli.common import CliError, Subcommands, open_engine, print_json, user_errors
from planning.cli.options import add_json, add_layout
from planning.models import DATA_KINDS
from planning.repository import get_layout, list_versions, load_areas, load_planning_data
from planning.summary import city_summary


def cmd_areas(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    layout = get_layout(engine, args.layout)
    areas = load_areas(engine, layout.id, layout.epsg)
    level = len(layout.levels) - 1 if args.level is None else args.level
    if not 0 <= level < len(layout.levels):
        raise CliError(
            f"Ebene {level} gibt es nicht; Ebenen: "
            + ", ".join(f"{i} = {n}" for i, n in enumerate(layout.levels))
        )
    rows = areas[areas["level"] == level]
    items = [{"gebiet_id": g, "name": n} for g, n in zip(rows["gebiet_id"], rows["name"], strict=True)]
    if args.json:
        print_json(items)
    else:
        print(f"{layout.name} ({layout.municipality}), Ebene {layout.levels[level]}: {len(items)} Gebiete")
        for it in items:
            print(f"{it['gebiet_id']}\t{it['name']}")
    return 0


_SUMMARY_LABELS = {
    "municipality": "Kommune",
    "layout": "Gebietsstand",
    "areas": "Gebiete (unterste Ebene)",
    "population_year": "Jahr",
    "population_total": "Einwohner:innen",
    "children_0_3": "Kinder 0 bis unter 3",
    "children_3_6": "Kinder 3 bis unter 6",
    "children_6_10": "Kinder 6 bis unter 10",
    "kitas": "Kitas in Betrieb",
    "kita_places": "Kita-Plätze",
    "versorgung_u3": "Versorgungsquote U3 (%)",
    "versorgung_ue3": "Versorgungsquote Ü3 (%)",
    "schools": "Schulen",
    "school_year": "Schuljahr",
    "pupils": "Schüler:innen",
    "primary_pupils": "davon Grundschule (Stufe 1–4)",
}


def cmd_summary(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    data = load_planning_data(engine, args.layout)
    summary = city_summary(data, args.year)
    if args.json:
        print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{_SUMMARY_LABELS.get(key, key)}: {value if value is not None else 'keine Daten'}")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    engine = open_engine(args)
    layout = get_layout(engine, args.layout)
    rows = [v for v in list_versions(engine, layout.id) if not args.kind or v.kind == args.kind]
    if args.json:
        print_json(
            [
                {
                    "id": v.id,
                    "kind": v.kind,
                    "label": v.label,
                    "source": v.source,
                    "licence": v.licence,
                    "stand": v.stand,
                    "imported_at": v.imported_at,
                    "imported_by": v.imported_by,
                    "rows": v.row_count,
                    "active": v.is_active,
                }
                for v in rows
            ]
        )
    else:
        for v in rows:
            flag = "*" if v.is_active else " "
            print(f"{flag} {v.id:>4}  {v.kind:<18} {v.label}  (Stand {v.stand or '–'}, {v.row_count} Zeilen)")
    return 0


def cmd_activate(args: argparse.Namespace) -> int:
    from planning.versions import activate

    with user_errors(ValueError):
        label = activate(open_engine(args), args.version_id)
    print(f"Datenstand Nr. {args.version_id} ({label}) ist jetzt aktiv.")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from planning.registry import load_registry, registry_records

    registry = load_registry(open_engine(args))
    records = registry_records(registry)
    if args.json:
        print_json(records)
        return 0
    for r in records:
        extra = " · sensibel" if r["sensitive"] else ""
        target = f" · Ziel {r['target']:g}" if r["target"] is not None else ""
        print(f"{r['code']:<24} {r['domain']:<12} {r['label']} ({r['unit']}){target}{extra}")
    for kset in registry.sets:
        print(f"Kennzahlenset „{kset.name}“ ({kset.owner}): {', '.join(kset.codes)}")
    return 0


def _level_index(levels: tuple[str, ...], value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit() and int(value) < len(levels):
        return int(value)
    for i, name in enumerate(levels):
        if name.casefold() == value.casefold():
            return i
    raise CliError(f"Ebene „{value}“ gibt es nicht. Möglich: {', '.join(levels)} (oder 0–{len(levels) - 1}).")


def cmd_export_table(args: argparse.Namespace) -> int:
    from planning.exports import district_export, notes, write_export
    from planning.registry import load_registry

    engine = open_engine(args)
    registry = load_registry(engine)
    try:
        indicator = registry.indicator(args.indicator)
    except KeyError as exc:
        raise CliError(exc.args[0]) from None
    data = load_planning_data(engine, args.layout)
    level = _level_index(data.layout.levels, args.level)
    target = registry.target(indicator.code)
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise CliError(f"Dateiendung „{out.suffix}“ wird nicht unterstützt: bitte .csv oder .xlsx.")
    with user_errors(ValueError):
        frame = district_export(data, indicator, args.year, level, target)
    write_export(frame, out, notes(data, indicator, target))
    secret = int((frame["value"] == "geheim").sum())
    print(
        f"Tabelle geschrieben: {out} ({indicator.label_de}, {args.year}, "
        f"{len(frame) - 1} Gebiete + Gesamtstadt" + (f", {secret} geheim" if secret else "") + ")"
    )
    return 0


def add_areas(sub: Subcommands) -> None:
    """``areas [--json] [--layout CODE] [--level N]``"""
    s = sub.add_parser("areas", help="Gebiete des aktiven Gebietsstands auflisten")
    add_json(s, "JSON-Liste von {gebiet_id, name}")
    add_layout(s)
    s.add_argument("--level", type=int, help="Ebene (0 = oberste; Standard: unterste)")
    s.set_defaults(func=cmd_areas)


def add_summary(sub: Subcommands) -> None:
    """``summary [--json] [--layout CODE] [--year J]``"""
    s = sub.add_parser("summary", help="Eckzahlen der Kommune")
    add_json(s, "ein JSON-Objekt")
    add_layout(s)
    s.add_argument("--year", type=int, help="Jahr (Standard: neuestes Bevölkerungsjahr)")
    s.set_defaults(func=cmd_summary)


def add_indicators(sub: Subcommands) -> None:
    """``indicators [--json]``"""
    s = sub.add_parser("indicators", help="Kennzahlenregister: Definition, Einheit, Geheimhaltung, Zielwert")
    add_json(s, "als JSON (code, label, unit, domain, sensitive, …)")
    s.set_defaults(func=cmd_indicators)


def add_export_table(sub: Subcommands) -> None:
    """``export-table INDICATOR --year J --out FILE``"""
    s = sub.add_parser(
        "export-table", help="Gebietstabelle einer Kennzahl als CSV/XLSX (mit Geheimhaltung, wie in der App)"
    )
    s.add_argument("indicator", metavar="INDICATOR", help="Kürzel der Kennzahl (siehe 'indicators')")
    s.add_argument("--year", type=int, required=True, help="Jahr")
    s.add_argument("--out", required=True, help="Zieldatei, .csv oder .xlsx")
    s.add_argument("--level", help="Gebietsebene (Name oder Nummer; Standard: unterste Ebene)")
    s.add_argument("--layout", help="Gebietsstand (Standard: aktiver)")
    s.set_defaults(func=cmd_export_table)


def add_versions(sub: Subcommands) -> None:
    """``versions [--kind KIND] [--layout CODE] [--json]``"""
    s = sub.add_parser("versions", help="Datenstände auflisten (* = aktiv)")
    s.add_argument("--kind", choices=DATA_KINDS)
    s.add_argument("--layout")
    add_json(s)
    s.set_defaults(func=cmd_versions)


def add_activate(sub: Subcommands) -> None:
    """``activate NR``"""
    s = sub.add_parser("activate", help="einen früheren Datenstand wieder aktiv setzen")
    s.add_argument("version_id", type=int, metavar="NR")
    s.set_defaults(func=cmd_activate)
