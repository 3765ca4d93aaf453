"""Growth benchmark: `python -m bench.growth [--small 1200] [--large 20000] [--repeat 40]`.

Staff pages must cost what their classes cost, not their students (issue 14): the
registrar's home page and class list within 2× when an institution grows from 1,200 to
20,000 records in the same 30 classes. The demo is seeded at both sizes into SQLite
databases of their own (bench/out/growth-<n>.sqlite3, as a fresh install holds them), and
each page is requested in-process through Django's test client, `--repeat` times after a
warm-up; the median is the figure. The ceiling of each large figure is the same page on
the small database, measured in the same run: ratio = small / large, target ≥ 0.5.

The counselor's and the college's home pages and a notice's progress page are reported
too, without a target: their classes themselves grow 16-fold here (the same 30 classes
hold 20,000 students), and these pages count the students of their own classes.
Each size runs in its own process (one Django set-up per database).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench._util import OUT, ROOT, Row, report

TARGET = 0.5  # small / large: within 2×
PAGES = [
    # (figure, persona, path or a marker the step resolves, target)
    ("registrar: home", "registrar", "/", TARGET),
    ("registrar: class list", "registrar", "/records/classes/", TARGET),
    ("counselor: home", "counselor", "/", None),
    ("college: home", "college", "/", None),
    ("counselor: notice progress", "counselor", "progress", None),
]


def measure(students: int, repeat: int) -> dict:
    """In a child process: seed the demo with `students` records, time every page."""
    database = OUT / f"growth-{students}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=f"sqlite:///{database}",
        MEDIA_ROOT=str(OUT / f"growth-{students}-media"),
        DEBUG="1",  # static files from the app folders (no collectstatic for a test client)
        ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from notices.models import Notice
    from records.models import EnrollmentRecord, SchoolClass

    settings.DEBUG = False  # no query log: what production pays
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", allow_without_debug=True, students=students, stdout=quiet)
    seeded = time.perf_counter() - started
    notice = Notice.objects.filter(state="published").exclude(task="none").order_by("pk").first()
    results = {}
    for figure, persona, path, _target in PAGES:
        if path == "progress":
            path = f"/notices/{notice.pk}/progress/"
        client = Client()
        client.force_login(User.objects.get(username=persona))
        for _ in range(3):
            assert client.get(path).status_code == 200, (figure, path)
        times = []
        for _ in range(repeat):
            begun = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - begun) * 1000)
        results[figure] = statistics.median(times)
    return {
        "students": EnrollmentRecord.objects.count(),
        "classes": SchoolClass.objects.count(),
        "seeded_s": seeded,
        "ms": results,
    }


def run_size(students: int, repeat: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.growth",
        "--step",
        str(students),
        "--repeat",
        str(repeat),
    ]
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1200)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--step", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.step:
        print(json.dumps(measure(args.step, args.repeat)))
        return
    small = run_size(args.small, args.repeat)
    large = run_size(args.large, args.repeat)
    for size in (small, large):
        print(
            f"{size['students']:,} records in {size['classes']} classes "
            f"(seeded in {size['seeded_s']:.0f} s)"
        )
    print(f"load average {os.getloadavg()[0]:.1f}; median of {args.repeat} requests")
    report(
        "growth",
        [
            Row(
                module="growth",
                figure=f"{figure} at {large['students']:,}",
                value=large["ms"][figure],
                unit="ms",
                ceiling=small["ms"][figure],
                ratio=small["ms"][figure] / large["ms"][figure],
                target=target,
                note=f"ceiling: the same page at {small['students']:,} records",
            )
            for figure, _persona, _path, target in PAGES
        ],
    )


if __name__ == "__main__":
    main()
