"""The steering committee's paper: ``paper`` writes an agenda's decision paper as PDF or PPTX."""

from __future__ import annotations

import argparse
from pathlib import Path

from planning.cli.common import CliError, Subcommands, open_engine, user_errors


def cmd_paper(args: argparse.Namespace) -> int:
    """The decision paper of an agenda as PDF or PPTX (same content as the app's export)."""
    from planning.paper.build import build_paper
    from planning.paper.images import ExportError
    from planning.steering import SteeringError

    engine = open_engine(args)
    out = Path(args.out)
    if out.suffix.lower() != f".{args.format}":
        raise CliError(
            f"Die Zieldatei „{out.name}“ passt nicht zum Format {args.format}: bitte .{args.format}."
        )
    if not out.parent.is_dir():
        raise CliError(f"Den Ordner „{out.parent}“ gibt es nicht.")
    with user_errors(SteeringError, ExportError):
        paper = build_paper(engine, args.agenda)
        if args.format == "pdf":
            from planning.paper.to_pdf import render_pdf

            content = render_pdf(paper)
        else:
            from planning.paper.to_pptx import render_pptx

            content = render_pptx(paper)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(content)
    tmp.replace(out)  # a scheduled job never finds half a file
    tops = sum(1 for sec in paper.sections if sec.title.startswith("TOP "))
    print(
        f"Entscheidungsvorlage geschrieben: {out} "
        f"({args.format.upper()}, {tops} TOPs, {len(content) // 1024} KB)"
    )
    return 0


def add_paper(sub: Subcommands) -> None:
    """``paper --agenda NAME --format pdf|pptx --out FILE``"""
    s = sub.add_parser("paper", help="Entscheidungsvorlage einer Sitzung/Tagesordnung als PDF oder PPTX")
    s.add_argument("--agenda", required=True, metavar="NAME", help="Name der Sitzung (z. B. Demo-Sitzung)")
    s.add_argument("--format", required=True, choices=("pdf", "pptx"), help="pdf oder pptx")
    s.add_argument("--out", required=True, metavar="FILE", help="Zieldatei (.pdf oder .pptx)")
    s.set_defaults(func=cmd_paper)
