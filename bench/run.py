"""`python -m bench.run [MODULE ...] [--quick]` (`make bench`): every benchmark, one table.

Runs each benchmark module under bench/ that exists, in its own process and in this
order: hashing, roster_import, photo_batch, feedback_export, growth, pages. A module reports its figures
with `bench._util.report(module, rows)` (bench/out/<module>.json); for a module that only
prints, the figures are read from its printed table (a label, then seconds first among
the numbers, a step labelled "ceiling"), and otherwise its output stands above the table.

In the final table every figure sits beside the ceiling measured in the same run, and
`ratio` is always "as fast as the ceiling = 1": value / ceiling for rates, ceiling / value
for durations. `peak MB` is the benchmark's own peak when it measures one, else the
largest resident size among its processes. `--table` prints the table of the last run
again (bench/out/<module>.json and .log) without running anything.
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import time

from bench._util import OUT, PYTHON, ROOT, Row, load_rows, print_table

MODULES = ("hashing", "roster_import", "photo_batch", "feedback_export", "growth", "pages")
QUICK = {
    "roster_import": ["--rows", "5000"],
    "growth": ["--large", "6000", "--repeat", "10"],
    "pages": ["--duration", "3", "--surge", "200", "--students", "300"],
}
TIME_LIMIT = 1800  # seconds per module


def available(names: list[str]) -> list[str]:
    wanted = names or list(MODULES)
    unknown = [n for n in wanted if n not in MODULES]
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
    return [n for n in wanted if (ROOT / "bench" / f"{n}.py").exists()]


def run_module(name: str, args: list[str]) -> tuple[list[Row], str]:
    (OUT / f"{name}.json").unlink(missing_ok=True)
    print(f"\n===== bench.{name} {' '.join(args)} =====", flush=True)
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    process = subprocess.Popen(
        [PYTHON, "-m", f"bench.{name}", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + TIME_LIMIT
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
        if time.monotonic() > deadline:
            process.kill()  # the process this function started, by its handle
            break
    code = process.wait()
    seconds = time.perf_counter() - started
    output = "".join(lines)
    (OUT / f"{name}.log").write_text(output)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak = peak if peak > before / 1024 else None
    rows = load_rows(name) or parse_printed_table(name, output)
    for row in rows:
        if row.peak_mb is None:
            row.peak_mb = peak
    if code != 0:
        rows.append(Row(name, f"FAILED (exit {code})", seconds, "s", note="see its output above"))
    elif not rows:
        rows.append(Row(name, "ran (no figures read: see its output above)", seconds, "s"))
    return rows, output


# --- Modules that print their own table only -------------------------------------------------

NUMBER = re.compile(r"^\d+(\.\d+)?$")


def _table_line(line: str) -> tuple[str, list[float], str] | None:
    """`label  n  n …  detail` (columns two spaces apart, at least two numbers) or None."""
    parts = re.split(r"\s{2,}", line.strip())
    numbers = []
    for part in parts[1:]:
        if not NUMBER.match(part):
            break
        numbers.append(float(part))
    if len(numbers) < 2:
        return None
    return parts[0], numbers, "  ".join(parts[1 + len(numbers) :])


def parse_printed_table(module: str, output: str) -> list[Row]:
    """For a module that only prints its table (bench.roster_import, bench.feedback_export
    today): one line per step, its label, then its seconds first among the numbers, its
    peak memory last when there are three or more, then a detail; the ceiling is the
    step whose label says so."""
    steps = [found for found in map(_table_line, output.splitlines()) if found]
    ceiling = next((numbers[0] for label, numbers, _ in steps if "ceiling" in label), None)
    if ceiling is None:
        return []
    rows = []
    for label, numbers, detail in steps:
        seconds, peak = numbers[0], numbers[-1] if len(numbers) > 2 else None
        ratio = ceiling / seconds if seconds else None
        rows.append(Row(module, label, seconds, "s", ceiling, ratio, peak, note=detail))
    return rows


def last_rows(name: str) -> list[Row]:
    log = OUT / f"{name}.log"
    output = log.read_text() if log.exists() else ""
    return load_rows(name) or parse_printed_table(name, output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--table", action="store_true", help="run nothing: the table of the last run's outputs"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    names = available(args.modules)
    if not names:
        raise SystemExit("no benchmark module found under bench/")
    rows: list[Row] = []
    for name in names:
        if args.table:
            rows += last_rows(name)
            continue
        found, _output = run_module(name, QUICK.get(name, []) if args.quick else [])
        rows += found
    missing = [n for n in (args.modules or MODULES) if n not in names]
    title = (
        "All figures (ratio: as fast as the ceiling measured in the same run = 1; "
        "value / ceiling for rates, ceiling / value for durations)"
    )
    print_table(rows, title=title)
    if missing:
        print(f"not present (yet): {', '.join(f'bench/{n}.py' for n in missing)}")
    if any(r.figure.startswith("FAILED") for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
