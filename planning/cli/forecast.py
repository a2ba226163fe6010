"""Forecast and plan: ``forecast`` (children per area and age), ``plan`` (demand against places),
``scenarios`` and ``backtest`` (the forecast from an earlier year against what happened)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, replace
from pathlib import Path

from planning.cli.common import Subcommands, open_engine, print_json, user_errors
from planning.cli.options import add_json, add_layout
from planning.formatting import percent
from planning.plan_ranges import single_age_ranges
from planning.repository import get_layout, load_planning_data


def _plan_for(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Compute the plan of ``--scenario`` with the command-line overrides (years, birth variant)."""
    from planning.plan import compute_plan
    from planning.scenarios import ScenarioError, get_scenario

    engine = open_engine(args)
    data = load_planning_data(engine, args.layout)
    with user_errors(ScenarioError, ValueError):
        scenario = get_scenario(engine, data.layout.id, args.scenario)
        overrides = {}
        if args.years is not None:
            overrides["prognose_jahre"] = args.years
        if getattr(args, "variante", None):
            overrides["geburtenvariante"] = args.variante
        if overrides:
            scenario = replace(scenario, params={**scenario.params, **overrides})
        return compute_plan(data, scenario)


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

    from planning.scenarios import list_scenarios

    engine = open_engine(args)
    data_layout = get_layout(engine, args.layout)
    scenarios = list_scenarios(engine, data_layout.id)
    if args.json:
        print_json(
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

    data = load_planning_data(open_engine(args), args.layout)
    with user_errors(ValueError):
        result = backtest_data(data, args.base_year)
    if args.json:
        print_json(result)
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


def _run_options(s: argparse.ArgumentParser, variants: bool) -> None:
    """What ``forecast`` and ``plan`` compute from: scenario, years, birth variant, layout; the CSV."""
    s.add_argument("--scenario", metavar="NAME", help="Szenario (Standard: Basis)")
    s.add_argument("--years", type=int, metavar="N", help="Prognosejahre (Standard: laut Szenario, 10)")
    if variants:
        s.add_argument(
            "--variante",
            choices=("niedrig", "mittel", "hoch"),
            help="Geburtenvariante (Standard: laut Szenario)",
        )
    add_layout(s)
    s.add_argument("--out", required=True, metavar="FILE.csv")


def add_forecast(sub: Subcommands) -> None:
    """``forecast --out FILE.csv [--scenario NAME] [--years N] [--variante V] [--spanne]``"""
    s = sub.add_parser("forecast", help="Kinder je Gebiet und Einzelalter 0–17 vorausberechnen (CSV)")
    _run_options(s, variants=True)
    s.add_argument(
        "--spanne",
        action="store_true",
        help="Spalten children_low/children_high (80-%%-Spanne aus der Rückrechnung)",
    )
    s.set_defaults(func=cmd_forecast)


def add_plan(sub: Subcommands) -> None:
    """``plan --out FILE.csv [--scenario NAME] [--years N] [--spanne]``"""
    s = sub.add_parser("plan", help="Kita-, Schul- und Ganztagsbedarf gegen Plätze je Gebiet und Jahr (CSV)")
    _run_options(s, variants=False)
    s.add_argument(
        "--spanne", action="store_true", help="je Wertspalte <spalte>_low und <spalte>_high (80-%%-Spanne)"
    )
    s.set_defaults(func=cmd_plan)


def add_scenarios(sub: Subcommands) -> None:
    """``scenarios [--layout CODE] [--json]``"""
    s = sub.add_parser("scenarios", help="Szenarien mit Parameteränderungen und Maßnahmen auflisten")
    add_layout(s)
    add_json(s)
    s.set_defaults(func=cmd_scenarios)


def add_backtest(sub: Subcommands) -> None:
    """``backtest [--base-year J] [--layout CODE] [--json]``"""
    s = sub.add_parser("backtest", help="Prognose ab einem früheren Jahr mit der Wirklichkeit vergleichen")
    s.add_argument(
        "--base-year",
        type=int,
        metavar="JAHR",
        help="nur dieses Basisjahr (Standard: jedes mögliche, gepoolt)",
    )
    add_layout(s)
    add_json(s)
    s.set_defaults(func=cmd_backtest)
