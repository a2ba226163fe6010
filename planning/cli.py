"""Command line of Planungsatlas: everything that is not UI.

``python -m planning [--db URL] COMMAND``. Command names, options and JSON keys are contracts:
scheduled jobs and scripts call them. Messages are German (the users are); exit code 0 on
success, 1 on a user error with a German message on stderr, 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect

from planning.auth import SYSTEM, acting_as
from planning.config import resolve_db_url
from planning.db import make_engine, migrate
from planning.formatting import percent
from planning.plan_ranges import single_age_ranges
from planning.repository import NoDataError, get_layout, load_areas, load_planning_data
from planning.summary import city_summary

if TYPE_CHECKING:
    from planning.imports.validate import Checked


class CliError(Exception):
    """A user-facing error; its message is German and printed without a traceback."""


def _engine(args: argparse.Namespace) -> Engine:
    engine = make_engine(resolve_db_url(args.db))
    migrate(engine)
    return engine


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from planning.demo import build_demo

    url = resolve_db_url(args.db)
    engine = make_engine(url)
    migrate(engine)
    has_data = bool(inspect(engine).has_table("area_layout")) and _has_layout(engine)
    if has_data and not args.force:
        print(
            f"Die Datenbank enthält bereits Daten ({_safe_url(engine)}). "
            "Nichts geändert; mit --force wird sie durch die Demo-Kommune ersetzt."
        )
        return 0
    if has_data:
        engine.dispose()
        _drop_sqlite_file(url)
        engine = make_engine(url)
        migrate(engine)
    t0 = time.perf_counter()
    report = build_demo(engine, seed=args.seed)
    print(f"Demo-Kommune erstellt in {time.perf_counter() - t0:.1f} s: {report}")
    if not args.ohne_konten:
        from planning.demo.accounts import DEMO_PASSWORD, add_demo_accounts

        names = ", ".join(p.username for p in add_demo_accounts(engine))
        print(f"Demo-Konten (Passwort „{DEMO_PASSWORD}“, steht auf der Anmeldeseite): {names}")
    print(f"Datenbank: {_safe_url(engine)}")
    return 0


def _has_layout(engine: Engine) -> bool:
    try:
        get_layout(engine)
    except NoDataError:
        return False
    return True


def _drop_sqlite_file(url: str) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise CliError("--force ersetzt nur SQLite-Dateien; eine Server-Datenbank bitte gezielt leeren.")
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def cmd_areas(args: argparse.Namespace) -> int:
    engine = _engine(args)
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
        _print_json(items)
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
    engine = _engine(args)
    data = load_planning_data(engine, args.layout)
    summary = city_summary(data, args.year)
    if args.json:
        _print_json(summary)
    else:
        for key, value in summary.items():
            print(f"{_SUMMARY_LABELS.get(key, key)}: {value if value is not None else 'keine Daten'}")
    return 0


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CliError(f"„{text}“ ist kein Datum (erwartet 2025-12-31 oder 31.12.2025).")


def _mapping(engine: Engine, args: argparse.Namespace) -> tuple[dict[str, str] | None, dict[str, Any]]:
    if not args.mapping:
        return None, {}
    from planning.imports.profiles import get_profile

    profile = get_profile(engine, args.mapping)
    if profile.kind != args.kind:
        raise CliError(
            f"Das Zuordnungsprofil „{profile.name}“ gehört zu {profile.kind}, nicht zu {args.kind}."
        )
    return profile.mapping, profile.options


def _print_problems(problems: list[Any], stream: Any) -> None:
    from planning.imports.problems import report

    text = report(problems)
    if text:
        print(text, file=stream)


def _add_shape_arguments(s: argparse.ArgumentParser) -> None:
    """The table-layout options of a mapping profile (planning.imports.shape.OPTIONS) as flags."""
    s.add_argument("--jahr", type=int, metavar="J", help="fester Jahrgang für eine Datei ohne Jahresspalte")
    s.add_argument(
        "--jahr-aus-dateiname", action="store_true", help="das Jahr ist die Jahreszahl im Dateinamen"
    )
    s.add_argument(
        "--breit",
        choices=("alter", "jahr"),
        help="breite Tabelle umformen: eine Spalte je Altersgruppe (alter) oder je Jahr (jahr)",
    )
    s.add_argument("--breit-spalten", metavar="A,B", help="die umzuformenden Spalten (mit Komma)")
    s.add_argument(
        "--filter",
        action="append",
        metavar="SPALTE=WERT",
        help="nur Zeilen, in denen SPALTE den WERT hat (* = irgendeinen); mehrfach möglich",
    )
    s.add_argument("--kennzahl", metavar="CODE", help="nur kennzahlen: fester Kennzahl-Code für alle Zeilen")
    s.add_argument(
        "--summen-ids", metavar="ID,ID", help="Kennungen von Summenzeilen, z. B. 000 für die Stadt"
    )
    s.add_argument(
        "--summenzeilen",
        choices=("pruefen", "ueberspringen"),
        help="Summenzeilen mit der Summe ihrer Teile vergleichen (Standard) oder nur auslassen",
    )
    s.add_argument(
        "--ober-aus-praefix",
        type=int,
        metavar="N",
        help="nur gebiete: übergeordnete Ebene aus den ersten N Zeichen der Kennung",
    )
    s.add_argument(
        "--ober-datei",
        metavar="DATEI",
        help="nur gebiete: übergeordnete Ebene aus einer zweiten Gebietsdatei (größter Flächenanteil)",
    )
    s.add_argument(
        "--ober-datei-id", metavar="SPALTE", help="Spalte der zweiten Gebietsdatei mit der Kennung"
    )
    s.add_argument(
        "--ober-datei-name", metavar="SPALTE", help="Spalte der zweiten Gebietsdatei mit dem Namen"
    )


def _shape_options(args: argparse.Namespace) -> dict[str, Any]:
    """Profile options given on the command line (they override the profile's)."""
    out: dict[str, Any] = {}
    if getattr(args, "jahr", None) is not None:
        out["jahr"] = args.jahr
    if getattr(args, "jahr_aus_dateiname", False):
        out["jahr_aus_dateiname"] = True
    if getattr(args, "breit", None):
        out["breit"] = args.breit
    if getattr(args, "breit_spalten", None):
        out["breit_spalten"] = [c.strip() for c in args.breit_spalten.split(",") if c.strip()]
    for pair in getattr(args, "filter", None) or []:
        if "=" not in pair:
            raise CliError(f"--filter „{pair}“: erwartet SPALTE=WERT")
        column, value = pair.split("=", 1)
        out.setdefault("filter", {})[column] = value
    if getattr(args, "kennzahl", None):
        out["kennzahl"] = args.kennzahl
    if getattr(args, "summen_ids", None):
        out["summen_ids"] = [x.strip() for x in args.summen_ids.split(",") if x.strip()]
    if getattr(args, "summenzeilen", None):
        out["summenzeilen"] = args.summenzeilen
    if getattr(args, "ober_aus_praefix", None):
        out["ober_aus_praefix"] = args.ober_aus_praefix
    for key in ("ober_datei_id", "ober_datei_name"):
        if getattr(args, key, None):
            out[key] = getattr(args, key)
    if getattr(args, "ober_datei", None):
        out["ober_datei"] = str(Path(args.ober_datei).resolve())
    return out


def _check(
    engine: Engine,
    args: argparse.Namespace,
    path: Path,
    mapping: dict[str, str] | None,
    options: dict[str, Any],
) -> Checked:
    """``check`` and ``import`` check a file alike: the command line's options before the profile's."""
    from planning.imports.service import check_file

    return check_file(
        engine,
        args.kind,
        path,
        mapping,
        args.layout,
        sheet=args.sheet or options.get("sheet"),
        number_format=args.zahlenformat or options.get("zahlenformat"),
        crs=args.koordinatensystem or options.get("koordinatensystem"),
        options={**options, **_shape_options(args)},
    )


def cmd_check(args: argparse.Namespace) -> int:
    engine = _engine(args)
    mapping, options = _mapping(engine, args)
    path = Path(args.file)
    checked = _check(engine, args, path, mapping, options)
    _print_problems(checked.problems, sys.stdout if checked.ok else sys.stderr)
    if not checked.ok:
        print(
            f"Prüfung fehlgeschlagen: {checked.error_count} Fehler, {checked.warning_count} Warnungen. "
            "Es wurde nichts gespeichert.",
            file=sys.stderr,
        )
        return 1
    print(f"Prüfung bestanden: {len(checked.frame)} Zeilen, {checked.warning_count} Warnungen.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from planning.imports.problems import InputFileError
    from planning.imports.writer import VersionMeta, hash_file, write_checked

    engine = _engine(args)
    mapping, options = _mapping(engine, args)
    path = Path(args.file)
    checked = _check(engine, args, path, mapping, options)
    meta = VersionMeta(
        source=args.source or options.get("source") or "unbekannt",
        licence=args.licence or options.get("licence") or "unbekannt",
        stand=_date(args.stand),
        label=args.label,
        imported_by=args.user or getpass.getuser(),
        file_name=path.name,
        file_hash=hash_file(path) if path.is_file() else None,
    )
    if not checked.ok:
        _print_problems(checked.problems, sys.stderr)
        print(
            f"Import abgebrochen: {checked.error_count} Fehler. Die Datenbank ist unverändert.",
            file=sys.stderr,
        )
        return 1
    try:
        if checked.kind == "gebiete":
            from planning.imports.areas import write_areas

            levels = tuple(x.strip() for x in args.ebenen.split(",")) if args.ebenen else None
            vid = write_areas(
                engine,
                checked,
                meta,
                layout_code=args.gebietsstand,
                municipality=args.kommune,
                level_names=levels,
                allow_same_file=args.force,
            )
        else:
            vid = write_checked(
                engine,
                checked,
                meta,
                args.layout,
                allow_same_file=args.force,
                confirm_shrink=args.bestaetigen,
            )
    except InputFileError as exc:
        _print_problems(exc.problems, sys.stderr)
        print("Import abgebrochen. Die Datenbank ist unverändert.", file=sys.stderr)
        return 1
    _print_problems([p for p in checked.problems if p.severity != "Hinweis"], sys.stdout)
    print(f"Importiert: {len(checked.frame)} Zeilen als Datenstand Nr. {vid} ({args.kind}), jetzt aktiv.")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from planning.imports.templates import write_template

    try:
        out = write_template(args.kind, Path(args.out))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(f"Vorlage für {args.kind} geschrieben: {out}")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    from planning.repository import list_versions

    engine = _engine(args)
    layout = get_layout(engine, args.layout)
    rows = [v for v in list_versions(engine, layout.id) if not args.kind or v.kind == args.kind]
    if args.json:
        _print_json(
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

    try:
        label = activate(_engine(args), args.version_id)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(f"Datenstand Nr. {args.version_id} ({label}) ist jetzt aktiv.")
    return 0


def cmd_mapping(args: argparse.Namespace) -> int:
    from planning.imports.profiles import list_profiles, save_profile

    engine = _engine(args)
    if args.action == "list":
        for p in list_profiles(engine):
            print(f"{p.name}\t{p.kind}\t" + ", ".join(f"{k} → {v}" for k, v in p.mapping.items()))
        return 0
    if not args.name or not args.kind or not args.pairs:
        raise CliError("mapping add NAME KIND QUELLE=FELD … (mindestens eine Zuordnung)")
    pairs = {}
    for pair in args.pairs:
        if "=" not in pair:
            raise CliError(f"„{pair}“: erwartet QUELLSPALTE=FELD")
        src, dst = pair.split("=", 1)
        pairs[src] = dst
    options = {
        k: v
        for k, v in (
            ("source", args.source),
            ("licence", args.licence),
            ("zahlenformat", args.zahlenformat),
            ("koordinatensystem", args.koordinatensystem),
        )
        if v
    }
    options.update(_shape_options(args))
    try:
        save_profile(engine, args.name, args.kind, pairs, options)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(f"Zuordnungsprofil „{args.name}“ gespeichert.")
    return 0


def cmd_import_bundle(args: argparse.Namespace) -> int:
    from planning.imports.problems import InputFileError, report

    engine = _engine(args)
    directory = Path(args.directory)
    if not directory.is_dir():
        raise CliError(f"Ordner {directory} gibt es nicht.")
    if args.city == "flensburg":
        from planning.imports.bundles.flensburg import import_flensburg as run
    else:
        from planning.imports.bundles.berlin import import_berlin as run
    t0 = time.perf_counter()
    try:
        result = run(engine, directory)
    except InputFileError as exc:
        print(report(exc.problems), file=sys.stderr)
        print("Import-Rezept abgebrochen. Die Datenbank ist unverändert.", file=sys.stderr)
        return 1
    if result.warnings:
        print(report(result.warnings))
    print(result)
    print(f"Dauer: {time.perf_counter() - t0:.1f} s")
    return 0


def _plan_for(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Compute the plan of ``--scenario`` with the command-line overrides (years, birth variant)."""
    from dataclasses import replace

    from planning.plan import compute_plan
    from planning.scenarios import ScenarioError, get_scenario

    engine = _engine(args)
    data = load_planning_data(engine, args.layout)
    try:
        scenario = get_scenario(engine, data.layout.id, args.scenario)
        overrides = {}
        if args.years is not None:
            overrides["prognose_jahre"] = args.years
        if getattr(args, "variante", None):
            overrides["geburtenvariante"] = args.variante
        if overrides:
            scenario = replace(scenario, params={**scenario.params, **overrides})
        return compute_plan(data, scenario)
    except (ScenarioError, ValueError) as exc:
        raise CliError(str(exc)) from None


def cmd_forecast(args: argparse.Namespace) -> int:
    from planning.exports import csv_bytes

    result = _plan_for(args)
    children = result.children[~result.children["observed"]]
    columns = ["area_id", "year", "age", "children"]
    if args.spanne:
        children = single_age_ranges(children, result.errors, result.base_year)
        columns += ["children_low", "children_high"]
    out = children.rename(columns={"gebiet_id": "area_id"})[columns]
    out = out.round({c: 2 for c in columns[3:]}).sort_values(["area_id", "year", "age"])
    Path(args.out).write_bytes(csv_bytes(out))
    print(
        f"Prognose geschrieben: {args.out} ({out['area_id'].nunique()} Gebiete, {out['year'].min()}–"
        f"{out['year'].max()}, Szenario {result.scenario}, Geburtenvariante "
        f"{result.params['geburtenvariante']})"
    )
    _forecast_notes(result, args.spanne)
    return 0


def _forecast_notes(result, spanne: bool) -> None:  # type: ignore[no-untyped-def]
    """Data problems, areas too small and the source of the ranges, on standard error."""
    for text in result.derived["prognose_warnungen"]:
        print(f"Warnung: {text}", file=sys.stderr)
    small = result.derived["zu_klein"]
    if small:
        limit = result.params["mindestgroesse_prognose"]
        names = ", ".join(small[:10]) + (" …" if len(small) > 10 else "")
        print(
            f"Hinweis: {len(small)} Gebiete mit höchstens {limit} Kindern sind zu klein für eine "
            f"verlässliche Prognose ({names}); besser die obere Ebene lesen.",
            file=sys.stderr,
        )
    if spanne:
        source = result.derived["spanne_quelle"] or "keine Spanne: für eine Rückrechnung fehlen frühere Jahre"
        print(f"{source}.", file=sys.stderr)


def cmd_plan(args: argparse.Namespace) -> int:
    result = _plan_for(args)
    from planning.exports import csv_bytes

    out = result.export(spanne=args.spanne)
    Path(args.out).write_bytes(csv_bytes(out))
    print(
        f"Bedarfsplanung geschrieben: {args.out} ({out['area_id'].nunique()} Gebiete, "
        f"{out['year'].min()}–{out['year'].max()}, Szenario {result.scenario})"
    )
    _forecast_notes(result, args.spanne)
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from planning.scenarios import list_scenarios

    engine = _engine(args)
    data_layout = get_layout(engine, args.layout)
    scenarios = list_scenarios(engine, data_layout.id)
    if args.json:
        _print_json(
            [
                {
                    "name": sc.name,
                    "description": sc.description,
                    "params": sc.params,
                    "measures": [asdict(m) for m in sc.measures],
                    "changes": sc.describe_changes(),
                    "revision": sc.revision,
                }
                for sc in scenarios
            ]
        )
        return 0
    for sc in scenarios:
        print(f"{sc.name}: {sc.description}")
        for line in sc.describe_changes():
            print(f"  {line}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from planning.backtest import backtest_data

    data = load_planning_data(_engine(args), args.layout)
    try:
        result = backtest_data(data, args.base_year)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        _print_json(result)
        return 0
    bases = result["base_years"]
    span = f"ab {bases[0]}" if len(bases) == 1 else f"ab jedem Basisjahr {bases[0]}–{bases[-1]}"
    print(f"Rückrechnung {span} ({result['measure']}; {result['method']})")
    print(f"Prognose: {result['model']}")

    def table(title: str, horizons: list[dict]) -> None:
        print(f"\n{title}")
        print("  Jahre voraus  Paare   MAPE Prognose  Fortschreibung  Alterung  Verzerrung  Spanne trifft")
        for h in horizons:
            cover = f"{h['coverage']:.0f} %" if h.get("coverage") is not None else "–"
            print(
                (
                    f"  {h['horizon']:>12}  {h['areas']:>5}  {h['mape']:>11.1f} %  "
                    f"{h['mape_carry_forward']:>12.1f} %  {h['mape_ageing']:>6.1f} %  {h['bias']:>+8.1f} %  "
                    f"{cover:>13}"
                ).replace(".", ",")
            )

    table("Kinder 0–17 je Gebiet", result["horizons"])
    for band in result["bands"]:
        if band["band"] != "0–17":
            table(f"Altersgruppe {band['band']}", band["horizons"])
    for level in result["levels"]:
        table(f"Summe je {level['level']}", level["horizons"])
    cov = result["coverage"]
    if cov["observed"] is not None:
        share = percent(cov["observed"])
        print(f"\n80-%-Spanne: {share} der zurückgehaltenen Werte liegen darin ({cov['pairs']} Paare).")
    for warning in result["warnings"]:
        print(f"Warnung: {warning}")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from planning.registry import load_registry, registry_records

    registry = load_registry(_engine(args))
    records = registry_records(registry)
    if args.json:
        _print_json(records)
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

    engine = _engine(args)
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
    try:
        frame = district_export(data, indicator, args.year, level, target)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    write_export(frame, out, notes(data, indicator, target))
    secret = int((frame["value"] == "geheim").sum())
    print(
        f"Tabelle geschrieben: {out} ({indicator.label_de}, {args.year}, "
        f"{len(frame) - 1} Gebiete + Gesamtstadt" + (f", {secret} geheim" if secret else "") + ")"
    )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the whole database (SQLite file or pg_dump), also while the app runs."""
    from planning.backup import BackupError, backup

    engine = make_engine(resolve_db_url(args.db))
    try:
        info = backup(engine, Path(args.out))
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(
        f"Sicherung geschrieben: {info.path} ({info.size_bytes / 1e6:.1f} MB, Schema {info.revision}) "
        f"aus {_safe_url(engine)}"
    )
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CliError("Passwort bitte interaktiv eingeben oder mit --passwort-stdin übergeben.")
    import getpass

    first = getpass.getpass("Passwort: ")
    if getpass.getpass("Passwort wiederholen: ") != first:
        raise CliError("Die beiden Passwörter stimmen nicht überein.")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """Built-in user store: add, list, disable, enable (passwords never on the command line)."""
    from planning import auth

    engine = _engine(args)
    try:
        if args.action == "list":
            users = auth.list_users(engine)
            if args.json:
                _print_json(
                    [
                        {
                            "username": p.username,
                            "name": p.display_name,
                            "role": p.role.value,
                            "department": p.department,
                            "active": active,
                        }
                        for p, active in users
                    ]
                )
                return 0
            for p, active in users:
                print(f"{p.username:<24} {p.label}{'' if active else '  [gesperrt]'}")
            if not users:
                print("Keine Benutzer angelegt (python -m planning user add NAME --rolle ROLLE).")
            return 0
        if not args.username:
            raise CliError(
                "Benutzername fehlt, z. B.: python -m planning user add j.planer --rolle fachplanung"
            )
        if args.action == "add":
            if not args.role:
                raise CliError("--rolle fehlt (admin, leitung, fachplanung, lesend).")
            password = _read_password(args)
            p = auth.add_user(
                engine, args.username, args.name or "", args.role, password, args.department or ""
            )
            print(f"Benutzer angelegt: {p.username} – {p.label}")
        else:
            auth.set_active(engine, args.username, args.action == "enable")
            state = "entsperrt" if args.action == "enable" else "gesperrt"
            print(f"Benutzer {args.username.strip().lower()} {state}.")
    except auth.UserError as exc:
        raise CliError(str(exc)) from None
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """The audit trail, newest first (read only: it cannot be changed)."""
    from planning import audit

    if args.verify:
        report = audit.verify_chain(_engine(args))
        print(report.message, file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 1
    flt = audit.AuditFilter(
        actor=args.person or "",
        object_type=args.object or "",
        since=dt.date.fromisoformat(args.since) if args.since else None,
        limit=args.limit,
    )
    table = audit.events(_engine(args), flt)
    if args.json:
        _print_json(table.to_dict(orient="records"))
        return 0
    for row in table.itertuples(index=False):
        print(f"{row[0]:%d.%m.%Y %H:%M}  {row[1]} ({row[3]})  {row[4]}  {row[5]} {row[6]}  {row[7]}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from planning.backup import BackupError, restore

    engine = make_engine(resolve_db_url(args.db))
    if not args.yes:
        raise CliError(
            f"Die Wiederherstellung ersetzt alle Daten in {_safe_url(engine)} durch {args.source}. "
            "Zum Bestätigen --yes angeben (vorher am besten: python -m planning backup --out DATEI)."
        )
    try:
        info = restore(engine, Path(args.source))
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"Wiederhergestellt: {_safe_url(engine)} aus {info.path} (Schema der Sicherung {info.revision})")
    return 0


def cmd_paper(args: argparse.Namespace) -> int:
    """The decision paper of an agenda as PDF or PPTX (same content as the app's export)."""
    from planning.paper.build import build_paper
    from planning.paper.images import ExportError
    from planning.steering import SteeringError

    engine = _engine(args)
    out = Path(args.out)
    if out.suffix.lower() != f".{args.format}":
        raise CliError(
            f"Die Zieldatei „{out.name}“ passt nicht zum Format {args.format}: bitte .{args.format}."
        )
    if not out.parent.is_dir():
        raise CliError(f"Den Ordner „{out.parent}“ gibt es nicht.")
    try:
        paper = build_paper(engine, args.agenda)
        if args.format == "pdf":
            from planning.paper.to_pdf import render_pdf

            content = render_pdf(paper)
        else:
            from planning.paper.to_pptx import render_pptx

            content = render_pptx(paper)
    except (SteeringError, ExportError) as exc:
        raise CliError(str(exc)) from None
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(content)
    tmp.replace(out)  # a scheduled job never finds half a file
    tops = sum(1 for sec in paper.sections if sec.title.startswith("TOP "))
    print(
        f"Entscheidungsvorlage geschrieben: {out} "
        f"({args.format.upper()}, {tops} TOPs, {len(content) // 1024} KB)"
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    engine = _engine(args)
    print(f"Schema aktuell: {_safe_url(engine)}")
    return 0


def cmd_secret(args: argparse.Namespace) -> int:
    """Make a sign-in secret, or (``--pruefen``) refuse a weak configured one before the app starts."""
    import os
    import secrets
    import tomllib

    from planning import auth
    from planning.config import PROJECT_ROOT

    if not args.check:
        print(secrets.token_urlsafe(48))
        return 0
    configured, where = os.environ.get(auth.SESSION_SECRET_ENV, ""), auth.SESSION_SECRET_ENV
    secrets_file = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not configured and secrets_file.is_file():
        with secrets_file.open("rb") as fh:
            configured = str(tomllib.load(fh).get("planungsatlas", {}).get("session_secret", "") or "")
        where = "[planungsatlas] session_secret in .streamlit/secrets.toml"
    problem = auth.session_secret_problem(configured, where)
    if problem:
        print(f"Fehler: {problem}", file=sys.stderr)
        return 1
    print("Das Geheimnis für die Anmelde-Cookies ist in Ordnung.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m planning",
        description="Planungsatlas – Kommandozeile (Daten, Prognose, Exporte).",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        help="Datenbank-URL (Standard: PLANUNGSATLAS_DB_URL, secrets.toml oder data/planungsatlas.db)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("demo", help="Demo-Kommune Weidenstadt in die Datenbank schreiben")
    s.add_argument("--force", action="store_true", help="vorhandene SQLite-Datenbank ersetzen")
    s.add_argument("--seed", type=int, default=2025, help="Startwert des Zufallsgenerators")
    s.add_argument(
        "--ohne-konten",
        action="store_true",
        help="keine Demo-Konten anlegen (ein Arbeitsplatz ohne Anmeldung, nur auf diesem Rechner)",
    )
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("areas", help="Gebiete des aktiven Gebietsstands auflisten")
    s.add_argument("--json", action="store_true", help="JSON-Liste von {gebiet_id, name}")
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--level", type=int, help="Ebene (0 = oberste; Standard: unterste)")
    s.set_defaults(func=cmd_areas)

    s = sub.add_parser("summary", help="Eckzahlen der Kommune")
    s.add_argument("--json", action="store_true", help="ein JSON-Objekt")
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--year", type=int, help="Jahr (Standard: neuestes Bevölkerungsjahr)")
    s.set_defaults(func=cmd_summary)

    from planning.models import DATA_KINDS

    for name, func, help_text in (
        ("check", cmd_check, "Datei nur prüfen (nichts wird gespeichert)"),
        ("import", cmd_import, "Datei prüfen und als neuen Datenstand importieren"),
    ):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("kind", metavar="KIND", choices=DATA_KINDS, help="Datenart: " + ", ".join(DATA_KINDS))
        s.add_argument("file", metavar="FILE", help="CSV, XLSX, GeoJSON, GeoPackage oder gezipptes Shapefile")
        s.add_argument("--mapping", metavar="NAME", help="gespeichertes Zuordnungsprofil")
        s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
        s.add_argument("--sheet", help="Tabellenblatt (XLSX)")
        s.add_argument(
            "--zahlenformat",
            choices=("de", "en"),
            help="Schreibweise der Zahlen, wenn die Datei sie nicht zeigt (nur Werte wie 1.234): "
            "de = 1.234,5, en = 1,234.5 (Standard: aus dem Zuordnungsprofil, sonst aus den Werten)",
        )
        s.add_argument(
            "--koordinatensystem",
            metavar="EPSG",
            help="Koordinatensystem der Spalten x/y bei Kitas und Schulen, z. B. EPSG:25832 "
            "(Standard: aus dem Zuordnungsprofil)",
        )
        _add_shape_arguments(s)
        if name == "import":
            s.add_argument("--stand", metavar="DATUM", help="Stand/Stichtag der Daten, z. B. 2025-12-31")
            s.add_argument(
                "--source", metavar="TEXT", help="Quelle (z. B. Amt für Statistik, Einwohnerregister)"
            )
            s.add_argument("--licence", metavar="TEXT", help="Lizenz (z. B. dl-de/by-2-0)")
            s.add_argument("--label", metavar="TEXT", help="Bezeichnung des Datenstands")
            s.add_argument("--user", metavar="NAME", help="wer importiert (Standard: Benutzerkonto)")
            s.add_argument("--force", action="store_true", help="dieselbe Datei erneut importieren")
            s.add_argument(
                "--bestaetigen",
                action="store_true",
                help="eine Lieferung übernehmen, die viel kleiner ist als der aktive Datenstand "
                "(weniger als die Hälfte der Zeilen oder Gebiete)",
            )
            s.add_argument("--gebietsstand", metavar="CODE", help="nur gebiete: Code des neuen Gebietsstands")
            s.add_argument("--kommune", metavar="NAME", help="nur gebiete: Name der Kommune")
            s.add_argument(
                "--ebenen",
                metavar="LISTE",
                help="nur gebiete: Ebenennamen von oben, z. B. 'Stadtbezirk,Planungsraum'",
            )
        s.set_defaults(func=func)

    s = sub.add_parser("import-bundle", help="offene Daten einer Stadt mit ihrem Import-Rezept laden")
    s.add_argument("city", choices=("berlin", "flensburg"))
    s.add_argument("directory", metavar="DIR", help="Ordner mit den Quelldateien (wie shared/data/real/CITY)")
    s.set_defaults(func=cmd_import_bundle)

    s = sub.add_parser("forecast", help="Kinder je Gebiet und Einzelalter 0–17 vorausberechnen (CSV)")
    s.add_argument("--scenario", metavar="NAME", help="Szenario (Standard: Basis)")
    s.add_argument("--years", type=int, metavar="N", help="Prognosejahre (Standard: laut Szenario, 10)")
    s.add_argument(
        "--variante", choices=("niedrig", "mittel", "hoch"), help="Geburtenvariante (Standard: laut Szenario)"
    )
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--out", required=True, metavar="FILE.csv")
    s.add_argument(
        "--spanne",
        action="store_true",
        help="Spalten children_low/children_high (80-%%-Spanne aus der Rückrechnung)",
    )
    s.set_defaults(func=cmd_forecast)

    s = sub.add_parser("plan", help="Kita-, Schul- und Ganztagsbedarf gegen Plätze je Gebiet und Jahr (CSV)")
    s.add_argument("--scenario", metavar="NAME", help="Szenario (Standard: Basis)")
    s.add_argument("--years", type=int, metavar="N", help="Prognosejahre (Standard: laut Szenario, 10)")
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--out", required=True, metavar="FILE.csv")
    s.add_argument(
        "--spanne", action="store_true", help="je Wertspalte <spalte>_low und <spalte>_high (80-%%-Spanne)"
    )
    s.set_defaults(func=cmd_plan)

    s = sub.add_parser("scenarios", help="Szenarien mit Parameteränderungen und Maßnahmen auflisten")
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_scenarios)

    s = sub.add_parser("backtest", help="Prognose ab einem früheren Jahr mit der Wirklichkeit vergleichen")
    s.add_argument(
        "--base-year",
        type=int,
        metavar="JAHR",
        help="nur dieses Basisjahr (Standard: jedes mögliche, gepoolt)",
    )
    s.add_argument("--layout", help="Code des Gebietsstands (Standard: aktiver)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_backtest)

    s = sub.add_parser("indicators", help="Kennzahlenregister: Definition, Einheit, Geheimhaltung, Zielwert")
    s.add_argument("--json", action="store_true", help="als JSON (code, label, unit, domain, sensitive, …)")
    s.set_defaults(func=cmd_indicators)

    s = sub.add_parser(
        "export-table", help="Gebietstabelle einer Kennzahl als CSV/XLSX (mit Geheimhaltung, wie in der App)"
    )
    s.add_argument("indicator", metavar="INDICATOR", help="Kürzel der Kennzahl (siehe 'indicators')")
    s.add_argument("--year", type=int, required=True, help="Jahr")
    s.add_argument("--out", required=True, help="Zieldatei, .csv oder .xlsx")
    s.add_argument("--level", help="Gebietsebene (Name oder Nummer; Standard: unterste Ebene)")
    s.add_argument("--layout", help="Gebietsstand (Standard: aktiver)")
    s.set_defaults(func=cmd_export_table)

    s = sub.add_parser("backup", help="ganze Datenbank sichern (SQLite-Datei oder pg_dump)")
    s.add_argument("--out", required=True, metavar="FILE", help="Zieldatei, z. B. sicherung-2026-11-21.db")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="ganze Datenbank aus einer Sicherung wiederherstellen")
    s.add_argument("--from", dest="source", required=True, metavar="FILE", help="Sicherungsdatei")
    s.add_argument("--yes", action="store_true", help="bestätigt: alle Daten werden ersetzt")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("paper", help="Entscheidungsvorlage einer Sitzung/Tagesordnung als PDF oder PPTX")
    s.add_argument("--agenda", required=True, metavar="NAME", help="Name der Sitzung (z. B. Demo-Sitzung)")
    s.add_argument("--format", required=True, choices=("pdf", "pptx"), help="pdf oder pptx")
    s.add_argument("--out", required=True, metavar="FILE", help="Zieldatei (.pdf oder .pptx)")
    s.set_defaults(func=cmd_paper)

    s = sub.add_parser("template", help="Importvorlage mit Beispielzeile schreiben")
    s.add_argument("kind", metavar="KIND", choices=DATA_KINDS)
    s.add_argument("--out", required=True, metavar="FILE", help=".csv oder .xlsx (gebiete: .geojson)")
    s.set_defaults(func=cmd_template)

    s = sub.add_parser("versions", help="Datenstände auflisten (* = aktiv)")
    s.add_argument("--kind", choices=DATA_KINDS)
    s.add_argument("--layout")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_versions)

    s = sub.add_parser("activate", help="einen früheren Datenstand wieder aktiv setzen")
    s.add_argument("version_id", type=int, metavar="NR")
    s.set_defaults(func=cmd_activate)

    s = sub.add_parser("mapping", help="Zuordnungsprofile: list | add NAME KIND QUELLE=FELD …")
    s.add_argument("action", choices=("list", "add"))
    s.add_argument("name", nargs="?")
    s.add_argument("kind", nargs="?", choices=DATA_KINDS)
    s.add_argument("pairs", nargs="*")
    s.add_argument("--source", help="Quelle, die jeder Datenstand aus diesem Profil trägt")
    s.add_argument("--licence", help="Lizenz, die jeder Datenstand aus diesem Profil trägt")
    s.add_argument("--zahlenformat", choices=("de", "en"), help="Schreibweise der Zahlen (de oder en)")
    s.add_argument("--koordinatensystem", metavar="EPSG", help="Koordinatensystem der Spalten x/y")
    _add_shape_arguments(s)
    s.set_defaults(func=cmd_mapping)

    s = sub.add_parser("user", help="Benutzer: add NAME --rolle ROLLE | list | disable NAME | enable NAME")
    s.add_argument("action", choices=("add", "list", "disable", "enable"))
    s.add_argument("username", nargs="?", metavar="NAME")
    s.add_argument("--rolle", dest="role", metavar="ROLLE", help="admin, leitung, fachplanung, lesend")
    s.add_argument("--name", help="angezeigter Name, z. B. „Dr. Dora Dezernentin“")
    s.add_argument("--abteilung", dest="department", help="Fachamt (Pflicht für Fachplanung)")
    s.add_argument(
        "--passwort-stdin",
        dest="password_stdin",
        action="store_true",
        help="Passwort als eine Zeile von stdin",
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_user)

    s = sub.add_parser("audit", help="Änderungsprotokoll: wer hat wann was geändert (neueste zuerst)")
    s.add_argument("--person", metavar="BENUTZERNAME")
    s.add_argument(
        "--objekt", dest="object", metavar="TABELLE", help="z. B. comment, decision, dataset_version"
    )
    s.add_argument("--seit", dest="since", metavar="JJJJ-MM-TT")
    s.add_argument("--limit", type=int, default=200)
    s.add_argument(
        "--pruefen",
        dest="verify",
        action="store_true",
        help="Prüfsummen-Kette prüfen: nennt den ersten veränderten, eingefügten oder fehlenden Eintrag",
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("migrate", help="Datenbankschema auf den neuesten Stand bringen")
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser(
        "geheimnis",
        help="Geheimnis für die Anmelde-Cookies erzeugen; mit --pruefen das eingestellte prüfen",
    )
    s.add_argument(
        "--pruefen",
        dest="check",
        action="store_true",
        help="PLANUNGSATLAS_SESSION_SECRET (sonst secrets.toml) prüfen: fehlt, zu kurz, Platzhalter → Fehler",
    )
    s.set_defaults(func=cmd_secret)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        # The command line and the scheduled jobs (deploy/systemd) act as the system service, said
        # explicitly: nothing else in the process writes without an acting person.
        with acting_as(SYSTEM):
            return func(args)
    except (CliError, NoDataError, KeyError) as exc:
        msg = exc.args[0] if exc.args else str(exc)
        if isinstance(exc, NoDataError):
            msg += " Mit 'python -m planning demo' eine Demo-Kommune anlegen oder Daten importieren."
        print(f"Fehler: {msg}", file=sys.stderr)
        return 1
