"""Peak memory of checking files an attacker (or a large city) may upload (issue 20).

Both files are built here: a population CSV of a given size in the canonical long format (every row
valid, with 'insgesamt' rows that agree with their bands, so the whole check runs to its end) and
the 5 KB dimension-bomb workbook (``<dimension ref="A1:XFD1048576"/>`` with one cell in row
1,048,576). Each is checked by ``python -m planning check`` in a child process against an empty
SQLite database; the child's peak resident memory comes from ``wait4`` (its own ``ru_maxrss``, not
that of other children of this process).

``make bench`` measures them as the dataset ``dateipruefung`` (targets in :data:`TARGETS`);
``BENCH_ONLY=dateipruefung make bench`` measures only these and merges them into bench/results.json.
``BENCH_CSV_MB`` sets the CSV's size (100 MB by default).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Key in results.json's datasets and the targets (MB of peak resident memory of the check).
DATASET = "dateipruefung"
TARGETS: dict[str, float] = {
    "check_csv_100mb_peak_rss_mb": 1024.0,
    "check_xlsx_bomb_peak_rss_mb": 300.0,
}


def write_population_csv(path: Path, megabytes: float) -> int:
    """A Bevölkerung file of about ``megabytes`` MB (single ages 0–89, 90+, 'insgesamt', m/w per
    area and year); returns the number of data rows. Areas are added until the size is reached."""
    target = int(megabytes * 1_000_000)
    years = range(2001, 2026)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("gebiet_id;jahr;alter;geschlecht;anzahl\r\n")
        area = 0
        while fh.tell() < target:
            area += 1
            gid = f"{area // 100:04d}{area % 100:02d}"
            block = []
            for year in years:
                for sex in ("m", "w"):
                    total = 0
                    for age in range(91):
                        n = (area * 7 + year * 3 + age * 11 + (sex == "w")) % 97 + 1
                        total += n
                        block.append(f"{gid};{year};{age if age < 90 else '90+'};{sex};{n}\r\n")
                    block.append(f"{gid};{year};insgesamt;{sex};{total}\r\n")
            fh.write("".join(block))
            rows += len(block)
    return rows


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_NS = "http://schemas.openxmlformats.org"


def dimension_bomb() -> bytes:
    """The issue's 5 KB workbook: declares A1:XFD1048576, one Kita in row 2 and one in row 1,048,576."""
    rel = f"{_NS}/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": f'{_XML}<Types xmlns="{_NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'{_XML}<Relationships xmlns="{_NS}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{_XML}<workbook xmlns="{_NS}/spreadsheetml/2006/main" xmlns:r="{rel}">'
        '<sheets><sheet name="Kitas" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{_XML}<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    rows = {
        1: ("kita_id", "name", "plaetze_gesamt"),
        2: ("K1", "Kita Nord", "60"),
        1_048_576: ("K2", "Kita ganz unten", "45"),
    }
    body = "".join(
        f'<row r="{n}">'
        + "".join(
            f'<c r="{col}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
            for col, v in zip("ABC", cells, strict=True)
        )
        + "</row>"
        for n, cells in rows.items()
    )
    parts["xl/worksheets/sheet1.xml"] = (
        f'{_XML}<worksheet xmlns="{_NS}/spreadsheetml/2006/main">'
        f'<dimension ref="A1:XFD1048576"/><sheetData>{body}</sheetData></worksheet>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


#: A small launcher between the measuring process and the measured one. Linux counts into a child's
#: ``ru_maxrss`` the resident memory of the address space it replaced at ``exec`` — after Python's
#: vfork that is the *parent's*: a child of a 750 MB pytest worker "peaked" at 750 MB whatever it used
#: itself. The launcher is a fresh, small interpreter; the checked command is its child, and it
#: reports that child's own peak (KB) and exit code on its last line.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "code = os.waitstatus_to_exitcode(status)\n"
    "print(f'\\n{sys.argv[0]} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime} {code}', flush=True)\n"
    "sys.exit(code)\n"
)


def measured_child(command: list[str], timeout: float) -> tuple[str, float, float, int]:
    """Run ``command`` through :data:`_LAUNCHER`: its output, own peak RSS (MB), CPU s, exit code."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    # sys.argv[0] of "python -c" is "-c": the launcher's line is the last one starting with it
    body, _, tail = done.stdout.rstrip("\n").rpartition("\n")
    mark, kb, cpu, code = tail.split()
    assert mark == "-c", tail
    return body, round(int(kb) / 1024, 1), round(float(cpu), 1), int(code)


def run_check(kind: str, path: Path, db_url: str, timeout: float = 900) -> dict[str, object]:
    """``python -m planning check KIND PATH`` in a child: seconds, peak RSS (MB), exit code, last line."""
    t0 = time.perf_counter()
    out, peak_mb, cpu_s, code = measured_child(
        [sys.executable, "-m", "planning", "--db", db_url, "check", kind, str(path)], timeout
    )
    seconds = time.perf_counter() - t0
    last = [ln for ln in out.splitlines() if ln.strip()]
    return {
        "seconds": round(seconds, 1),
        # CPU seconds of the child: on a shared machine the wall clock also counts the neighbours.
        "cpu_s": cpu_s,
        "peak_rss_mb": peak_mb,
        "exit_code": code,
        "output": out,
        "last_line": last[-1] if last else "",
    }


def _baseline_rss(db_url: str) -> float:
    """Peak RSS of ``python -m planning --help``-like start-up with the check's imports: the floor
    every figure above stands on."""
    imports = "import planning.cli, planning.imports.service, planning.imports.validate"
    return measured_child([sys.executable, "-c", imports], 300)[1]


def measure(csv_mb: float | None = None) -> dict[str, object]:
    """The figures of :data:`TARGETS` with their seconds; the files live in a temporary folder."""
    csv_mb = csv_mb or float(os.environ.get("BENCH_CSV_MB", "100"))
    # Own date: a partial bench run (BENCH_ONLY=dateipruefung) leaves the other datasets' figures.
    figures: dict[str, object] = {"measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'leer.db'}"
        csv_path = folder / "bevoelkerung_gross.csv"
        rows = write_population_csv(csv_path, csv_mb)
        figures["check_csv_mb"] = round(csv_path.stat().st_size / 1e6, 1)
        figures["check_csv_rows"] = rows
        done = run_check("bevoelkerung", csv_path, db)
        csv_path.unlink()
        if done["exit_code"] != 0:
            raise RuntimeError(f"Prüfung der großen CSV fehlgeschlagen: {done['last_line']}")
        figures["check_csv_100mb_s"] = done["seconds"]
        figures["check_csv_100mb_cpu_s"] = done["cpu_s"]
        figures["check_csv_100mb_peak_rss_mb"] = done["peak_rss_mb"]
        bomb = folder / "bombe.xlsx"
        bomb.write_bytes(dimension_bomb())
        done = run_check("kitas", bomb, db)
        if done["exit_code"] != 0:
            raise RuntimeError(f"Prüfung der Excel-Bombe fehlgeschlagen: {done['last_line']}")
        figures["check_xlsx_bomb_bytes"] = bomb.stat().st_size
        figures["check_xlsx_bomb_s"] = done["seconds"]
        figures["check_xlsx_bomb_peak_rss_mb"] = done["peak_rss_mb"]
        figures["check_baseline_peak_rss_mb"] = _baseline_rss(db)
    return figures
