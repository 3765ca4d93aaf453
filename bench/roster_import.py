"""Roster import benchmark: `python -m bench.roster_import [--rows 50000]`.

Generates a roster .xlsx (bench/out/, git-ignored) and times, each in a fresh process
so that its peak memory (max RSS) is its own:

- a bare openpyxl read-only pass over the file (the ceiling every figure is divided by:
  these machines are shared and noisy, so only ratios measured in the same run count);
- a bare python-calamine pass (the reader the import uses);
- the checks before the reader (records.imports.archive.check_archive: the zip, then the
  cells of the sheet, records/imports/parts.py), on their own, to show what they cost;
- roster_import: a dry run, the first import, a re-import with nothing changed and a
  re-import with every tenth student changed, on a fresh SQLite database;
- the degree import (records.imports.degrees) of the same students' 专科 degrees, after
  the roster (each degree links to its 学籍 by 学号), and again unchanged; its ceiling is
  the openpyxl pass of the degree file, and the figures are given as rows/s as well.

The target (the issue's): an import takes at most half the time of the openpyxl pass of
the same file in the same run, i.e. ratio (ceiling / seconds) ≥ 2.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench._util import Row, child_step, own_peak_mb, report

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
STEPS = (
    "python",
    "openpyxl",
    "calamine",
    "checks",
    "dry-run",
    "import",
    "re-import",
    "re-import-10%",
    "degree-openpyxl",
    "degree-import",
    "degree-re-import",
)
IMPORTS = ("dry-run", "import", "re-import", "re-import-10%")
DEGREE_IMPORTS = ("degree-import", "degree-re-import")
TARGET = 2.0  # ceiling / seconds: the import in at most half the openpyxl pass
LABELS = {
    "python": "Python + Django set-up only",
    "openpyxl": "openpyxl read-only pass (ceiling)",
    "calamine": "python-calamine pass",
    "checks": "checks before the reader (zip, cells)",
    "dry-run": "roster_import --dry-run",
    "import": "roster_import (all new)",
    "re-import": "roster_import again (all unchanged)",
    "re-import-10%": "roster_import, 10% changed",
    "degree-openpyxl": "openpyxl pass of the degree file (ceiling)",
    "degree-import": "degree_import (all new, linked)",
    "degree-re-import": "degree_import again (all unchanged)",
}


# --- The roster --------------------------------------------------------------------


def generate(path: Path, rows: int, *, changed_every: int = 0) -> None:
    """A realistic roster: 10 colleges, 40 majors, classes of 50; dates as Excel dates,
    years and durations as numbers, everything else as text."""
    from portal.lib import idnumbers
    from portal.lib.xlsx import write_rows
    from records.imports import TEMPLATE_HEADER

    rng = random.Random(2026)

    def row(n: int) -> list:
        sex = rng.choice("12")
        birth = datetime.date(2003, 1, 1) + datetime.timedelta(days=rng.randrange(1500))
        number = idnumbers.generate(rng=rng, region="360102", birth=birth, sex=sex)
        college, major = n % 10, n % 40
        status = "休学" if changed_every and n % changed_every == 0 else "在籍(注册学籍)"
        return [
            f"23360102{n:06d}", f"学生{n}", f"2023{n:06d}", "男" if sex == "1" else "女",
            birth, number, "汉族", "江西省", "13999", "示例职业大学", status,
            f"专业{major}", 3, "专科", 2023, "普通全日制", "普通", f"学院{college}", "",
            f"2023{major:02d}{n // 2000:02d}", datetime.date(2023, 9, 1),
            datetime.date(2026, 7, 1),
        ]  # fmt: skip

    write_rows(path, title="学生名单", header=TEMPLATE_HEADER, rows=(row(n) for n in range(rows)))


def generate_degrees(path: Path, rows: int) -> None:
    """The 专科 degrees of the roster's students (graduating 2026), by 学号."""
    from portal.lib import idnumbers
    from portal.lib.xlsx import write_rows
    from records.imports.degrees import DEGREE_TEMPLATE_HEADER

    rng = random.Random(2026)  # the roster's sequence: the same ID numbers

    def row(n: int) -> list:
        sex = rng.choice("12")
        birth = datetime.date(2003, 1, 1) + datetime.timedelta(days=rng.randrange(1500))
        number = idnumbers.generate(rng=rng, region="360102", birth=birth, sex=sex)
        return [
            f"139991202606{n:06d}", f"学生{n}", "男" if sex == "1" else "女", birth,
            "居民身份证", number, "13999", "示例职业大学", f"专业{n % 40}", "专科", "普通",
            "普通全日制", datetime.date(2023, 9, 1), datetime.date(2026, 6, 30), "毕业",
            f"2023{n:06d}", "",
        ]  # fmt: skip

    write_rows(
        path, title="学历名单", header=DEGREE_TEMPLATE_HEADER, rows=(row(n) for n in range(rows))
    )


# --- One step, in its own process ------------------------------------------------------


def _django() -> None:
    import django

    django.setup()


def run_step(step: str, roster: Path, changed: Path) -> dict:
    _django()
    started = time.perf_counter()
    detail = ""
    if step == "openpyxl":
        from openpyxl import load_workbook

        workbook = load_workbook(roster, read_only=True)
        detail = f"{sum(1 for _ in workbook.active.iter_rows(values_only=True))} rows"
        workbook.close()
    elif step == "calamine":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(roster)).get_sheet_by_index(0)
        detail = f"{sum(1 for _ in sheet.iter_rows())} rows"
    elif step == "degree-openpyxl":
        from openpyxl import load_workbook

        workbook = load_workbook(_degrees_file(roster), read_only=True)
        detail = f"{sum(1 for _ in workbook.active.iter_rows(values_only=True))} rows"
        workbook.close()
    elif step in DEGREE_IMPORTS:
        from records.imports.degrees import degree_import

        result = degree_import(file=_degrees_file(roster))
        assert not result.errors, result.errors[:5]
        detail = f"created {result.created}, unchanged {result.unchanged}, linked {result.linked}"
    elif step == "checks":
        from records.imports.archive import check_archive

        check_archive(roster)
        detail = "zip, XML parts, cell extent"
    elif step != "python":
        from records.imports import roster_import

        # The generated roster founds its colleges and majors: it says yes to them.
        result = roster_import(
            file=changed if step == "re-import-10%" else roster,
            dry_run=step == "dry-run",
            allow_new_colleges=True,
        )
        assert not result.errors, result.errors[:5]
        detail = f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": own_peak_mb(), "detail": detail}


def _degrees_file(roster: Path) -> Path:
    return roster.with_name(roster.name.replace("roster-", "degrees-"))


def _child(step: str, roster: Path, changed: Path, env: dict) -> dict:
    return child_step("bench.roster_import", step, env, file=roster, changed=changed)


# --- The run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--changed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    if args.step:
        print(json.dumps(run_step(args.step, args.file, args.changed)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    env = dict(os.environ)
    _django()
    roster, changed = OUT / f"roster-{args.rows}.xlsx", OUT / f"roster-{args.rows}-changed.xlsx"
    started = time.perf_counter()
    generate(roster, args.rows)
    generate(changed, args.rows, changed_every=10)
    generate_degrees(_degrees_file(roster), args.rows)
    print(f"generated 2 × {args.rows:,} rows in {time.perf_counter() - started:.1f} s; "
          f"{roster.stat().st_size / 2**20:.1f} MB each")  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    results = {step: _child(step, roster, changed, env) for step in STEPS}
    _print(results, args.rows)
    _report(results)


def _print(results: dict, rows: int) -> None:
    ceiling, reader = results["openpyxl"]["seconds"], results["calamine"]["seconds"]
    print(f"\n{rows:,} rows × 22 columns; load average {os.getloadavg()[0]:.1f}")
    print("ratio = seconds / the openpyxl read-only pass of the same run\n")
    print(f"{'step':38} {'seconds':>8} {'ratio':>7} {'× calamine':>10} {'peak RSS MB':>12}  detail")
    for step, result in results.items():
        print(
            f"{LABELS[step]:38} {result['seconds']:8.2f} {result['seconds'] / ceiling:7.2f} "
            f"{result['seconds'] / reader:10.1f} {result['peak_mb']:12.0f}  {result['detail']}"
        )
    share = results["import"]["seconds"] / ceiling
    verdict = "ok" if share <= 1 / TARGET else "ABOVE the target"
    print(
        f"\nroster import = {share:.2f} × the openpyxl pass (target ≤ {1 / TARGET:.2f}×): {verdict}"
    )
    degree_ceiling, degrees = results["degree-openpyxl"]["seconds"], results["degree-import"]
    share = degrees["seconds"] / degree_ceiling
    verdict = "ok" if share <= 1 / TARGET else "ABOVE the target"
    print(
        f"degree import = {share:.2f} × the openpyxl pass of its file (target ≤ "
        f"{1 / TARGET:.2f}×): {verdict}; {rows / degrees['seconds']:,.0f} rows/s beside the "
        f"roster's {rows / results['import']['seconds']:,.0f} rows/s"
    )


def _report(results: dict) -> None:
    """Keep the figures for `bench.run`: durations, so ratio = ceiling / seconds (higher is
    better); the set-up step gives the baseline memory only."""
    ceilings = {step: results["openpyxl"]["seconds"] for step in results}
    degree_steps = ("degree-openpyxl", *DEGREE_IMPORTS)
    ceilings.update((step, results["degree-openpyxl"]["seconds"]) for step in degree_steps)
    rows = [
        Row(
            module="roster_import",
            figure=LABELS[step],
            value=result["seconds"],
            unit="s",
            ceiling=ceilings[step],
            ratio=(
                ceilings[step] / result["seconds"]
                if step != "python" and result["seconds"]
                else None
            ),
            peak_mb=result["peak_mb"],
            target=TARGET if step in IMPORTS + DEGREE_IMPORTS else None,
            note=result["detail"],
        )
        for step, result in results.items()
    ]
    print()
    report("roster_import", rows)


if __name__ == "__main__":
    main()
