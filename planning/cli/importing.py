"""Files into the database: ``check`` and ``import`` (one file, with a mapping profile and the
table-layout options), ``import-bundle`` (a city's recipe), ``template`` and ``mapping`` (profiles)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from planning.cli.common import CliError, Subcommands, open_engine, user_errors
from planning.cli.options import add_layout
from planning.models import DATA_KINDS

if TYPE_CHECKING:
    from planning.imports.validate import Checked


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
    engine = open_engine(args)
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
    from planning.imports.service import NewLayout, write_file
    from planning.imports.writer import VersionMeta, hash_file

    engine = open_engine(args)
    mapping, options = _mapping(engine, args)
    path = Path(args.file)
    checked = _check(engine, args, path, mapping, options)
    if not checked.ok:
        _print_problems(checked.problems, sys.stderr)
        print(
            f"Import abgebrochen: {checked.error_count} Fehler. Die Datenbank ist unverändert.",
            file=sys.stderr,
        )
        return 1
    meta = VersionMeta(
        source=args.source or options.get("source") or "unbekannt",
        licence=args.licence or options.get("licence") or "unbekannt",
        stand=_date(args.stand),
        label=args.label,
        imported_by=args.user or getpass.getuser(),
        file_name=path.name,
        file_hash=hash_file(path),
    )
    try:
        vid = write_file(
            engine,
            checked,
            meta,
            args.layout,
            new_layout=NewLayout.from_text(args.gebietsstand, args.kommune, args.ebenen),
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

    with user_errors(ValueError):
        out = write_template(args.kind, Path(args.out))
    print(f"Vorlage für {args.kind} geschrieben: {out}")
    return 0


def cmd_mapping(args: argparse.Namespace) -> int:
    from planning.imports.profiles import list_profiles, save_profile

    engine = open_engine(args)
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
    with user_errors(ValueError):
        save_profile(engine, args.name, args.kind, pairs, options)
    print(f"Zuordnungsprofil „{args.name}“ gespeichert.")
    return 0


def cmd_import_bundle(args: argparse.Namespace) -> int:
    from planning.imports.problems import InputFileError, report

    engine = open_engine(args)
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


def add_check_and_import(sub: Subcommands) -> None:
    """``check KIND FILE …`` and ``import KIND FILE …`` (the same checks; import also writes)."""
    for name, func, help_text in (
        ("check", cmd_check, "Datei nur prüfen (nichts wird gespeichert)"),
        ("import", cmd_import, "Datei prüfen und als neuen Datenstand importieren"),
    ):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("kind", metavar="KIND", choices=DATA_KINDS, help="Datenart: " + ", ".join(DATA_KINDS))
        s.add_argument("file", metavar="FILE", help="CSV, XLSX, GeoJSON, GeoPackage oder gezipptes Shapefile")
        s.add_argument("--mapping", metavar="NAME", help="gespeichertes Zuordnungsprofil")
        add_layout(s)
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


def add_import_bundle(sub: Subcommands) -> None:
    """``import-bundle CITY DIR``"""
    s = sub.add_parser("import-bundle", help="offene Daten einer Stadt mit ihrem Import-Rezept laden")
    s.add_argument("city", choices=("berlin", "flensburg"))
    s.add_argument("directory", metavar="DIR", help="Ordner mit den Quelldateien (wie shared/data/real/CITY)")
    s.set_defaults(func=cmd_import_bundle)


def add_template(sub: Subcommands) -> None:
    """``template KIND --out FILE``"""
    s = sub.add_parser("template", help="Importvorlage mit Beispielzeile schreiben")
    s.add_argument("kind", metavar="KIND", choices=DATA_KINDS)
    s.add_argument("--out", required=True, metavar="FILE", help=".csv oder .xlsx (gebiete: .geojson)")
    s.set_defaults(func=cmd_template)


def add_mapping(sub: Subcommands) -> None:
    """``mapping list`` | ``mapping add NAME KIND QUELLE=FELD …``"""
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
