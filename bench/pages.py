"""Page benchmark: `python -m bench.pages [--duration 10] [--surge 2000]`.

Seeds the demo into a PostgreSQL database of its own (dropped afterwards), runs the portal
as in production (gunicorn, 2 sync workers, DEBUG off, persistent connections, Redis
cache, cached_db sessions) and drives it, 8 connections for `--duration` seconds a page,
with wrk (or a Python client when wrk is missing):

- the ceiling: a minimal logged-in page of the same stack (bench/ceiling_urls.py),
  measured before and after the pages; its mean is what every page is divided by;
- as the demo student: home, 学籍信息 (/records/mine/, which holds the photo panel) and
  the photo's thumbnail — target ≥ 0.8 × the ceiling;
- as staff: the registrar's 有误 queue and the counselor's class progress page — target
  ≥ 0.5 × the ceiling.

Then the deadline surge: `--surge` extra students (one password, hashed once) each log in,
open 学籍信息, open 正确 and confirm, `--surge-clients` at a time; every step must answer
as expected and every student must end up with one confirmation. Its ceiling is the same
five requests as plain as Django allows (bench/ceiling_urls.py: log-in page, log-in with
the same hasher, a small page, a form, one write), run by as many other students just
before it and again just after it on the same server (the machine's speed drifts; their
mean is the ceiling): target, surge ≥ 0.7 × the ceiling flow in students a second. Both
run once per gunicorn setting of `--surge-workers-per-core` (1 and 2 sync
workers a core), each on a fresh server, and the app servers' CPU time per student is
reported, from which docs/deploy.md argues what more cores give.

Each page's query count (one request, Django's test client in this process) is printed
beside it, to say where a slow page's time goes.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import os
import random
import re
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field

from bench._util import (
    OUT,
    PYTHON,
    Browser,
    Process,
    Row,
    child_pids,
    free_port,
    peak_rss_mb,
    redis_flush_db,
    report,
    temp_database,
    wait_http,
)

MODULE = "pages"
DATABASE = "xueji_bench_pages"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SURGE_PASSWORD = "surge-Pass-2026!"
STUDENT_TARGET, STAFF_TARGET = 0.8, 0.5
SURGE_TARGET = 0.7  # the surge, as a fraction of the ceiling flow (students a second)
# The five requests of one student, in the portal and in the ceiling flow.
STEPS = ("login", "mine", "confirm")


@dataclass
class Page:
    name: str
    path: str
    who: str  # the persona whose session is used
    target: float | None
    result: dict = field(default_factory=dict)
    queries: int | None = None


# --- Setting up -------------------------------------------------------------------------


def server_env(database_url: str, sessions: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        CACHE_URL=REDIS,
        SESSION_ENGINE=f"django.contrib.sessions.backends.{sessions}",
        STATIC_ROOT=str(OUT / "pages-static"),
        MEDIA_ROOT=str(OUT / "pages-media"),
        LOG_LEVEL="WARNING",
    )
    return env


def prepare(students: int) -> None:
    """Migrate, collect static files (the manifest storage needs them), seed the demo."""
    from django.core.management import call_command

    shutil.rmtree(OUT / "pages-media", ignore_errors=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", allow_without_debug=True, students=students, stdout=quiet)
    print(f"database ready in {time.perf_counter() - started:.0f} s ({students} students)")


def page_paths() -> list[Page]:
    from django.urls import reverse

    from accounts.models import User
    from imaging.models import Photo
    from records.models import SchoolClass

    student = User.objects.get(username="student")
    # The photo panel is part of 学籍信息; what a photo adds on its own is its thumbnail.
    photo = Photo.objects.filter(record__user=student).order_by("pk").first()
    photo_page = reverse("imaging:photo_thumbnail", args=[photo.token]) if photo else None
    counselor = User.objects.get(username="counselor")
    klass = SchoolClass.objects.filter(counselors=counselor).order_by("pk").first()
    pages = [
        Page("ceiling", "/bench/ceiling/", "student", None),
        Page("student: home", "/", "student", STUDENT_TARGET),
        Page("student: 学籍信息", "/records/mine/", "student", STUDENT_TARGET),
    ]
    if photo_page:
        pages.append(Page("student: photo thumbnail", photo_page, "student", STUDENT_TARGET))
    pages += [
        Page("registrar: 有误 queue", "/records/queue/", "registrar", STAFF_TARGET),
        Page(
            "counselor: class progress", f"/records/classes/{klass.pk}/", "counselor", STAFF_TARGET
        ),
    ]
    return pages


def count_queries(pages: list[Page]) -> None:
    """Queries of one request to each page (the second visit: as under load)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    clients = {}
    for page in pages:
        if page.who not in clients:
            clients[page.who] = Client(SERVER_NAME="127.0.0.1")
            clients[page.who].force_login(User.objects.get(username=page.who))
        client = clients[page.who]
        client.get(page.path)
        with CaptureQueriesContext(connection) as queries:
            client.get(page.path)
        page.queries = len(queries)


# --- Load --------------------------------------------------------------------------------


WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, cookie: str, *, duration: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    command += ["-H", f"Cookie: {cookie}", url]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    latency = {int(p): float(v) * UNITS[u] for p, v, u in WRK_LATENCY.findall(output)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50": latency.get(50),
        "p99": latency.get(99),
        "requests": requests,
        "errors": int(bad.group(1)) if bad else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def run_python(base: str, path: str, cookie: str, *, duration: int, connections: int) -> dict:
    """The same measurement with threads, keep-alive and a bounded request count."""
    deadline = time.monotonic() + duration
    cap = 200_000
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        browser = Browser(base)
        name, _eq, value = cookie.partition("=")
        browser.cookies[name] = value
        mine = []
        while time.monotonic() < deadline and len(latencies) + len(mine) < cap:
            response = browser.get(path)
            mine.append(response.seconds * 1000)
            if response.status >= 400:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)
        browser.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 30)
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "rps": len(latencies) / elapsed,
        "p50": quantiles[49],
        "p99": quantiles[98],
        "requests": len(latencies),
        "errors": errors[0],
        "socket_errors": "",
    }


def measure(base: str, page: Page, cookie: str, args) -> dict:
    if args.tool == "wrk":
        return run_wrk(
            base + page.path, cookie, duration=args.duration, connections=args.connections
        )
    return run_python(base, page.path, cookie, duration=args.duration, connections=args.connections)


# --- The deadline surge -------------------------------------------------------------------


def make_surge_students(count: int, prefix: str = "surge") -> dict[str, int]:
    """`count` students with one known password (hashed once: docs/quality.md) and a record each,
    bound, in the 2023 cohort, with the current photos of the demo record it copies (as
    most students have theirs when the check opens: 86% of the demo's records), not yet
    checked. Returns username → record id. Each `prefix` is a new set."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from imaging.models import Photo
    from portal.lib import idnumbers
    from records.models import CheckResult, EnrollmentRecord, RecordStatus

    encoded = make_password(SURGE_PASSWORD)
    # Registered records only: a copy of the demo's 未注册 or 退学 record would be one the
    # student cannot check, and the surge would count her as an error.
    registered = EnrollmentRecord.objects.filter(status=RecordStatus.REGISTERED).order_by("pk")
    templates = list(registered.filter(admission_year=2023)[:50]) or list(registered[:50])
    taken = set(User.objects.values_list("id_number", flat=True))
    rng = random.Random(f"{prefix}-2026")
    first = EnrollmentRecord.objects.count()  # 学号 and 考生号 of a new set follow the last
    now = timezone.now()
    users, records = [], []
    for n in range(count):
        number = ""
        while not number or number in taken:
            birth = datetime.date(2004, 1, 1) + datetime.timedelta(days=rng.randrange(1800))
            number = idnumbers.generate(rng=rng, region="360102", birth=birth, sex="1")
        taken.add(number)
        name = f"压测{n:04d}"
        users.append(
            User(
                username=f"{prefix}{n:05d}",
                password=encoded,
                real_name=name,
                id_number=number,
                role=Role.STUDENT,
            )
        )
        record = copy.copy(templates[n % len(templates)])
        record.pk = None
        record._state = copy.copy(record._state)
        record._state.adding = True
        record.student_number = f"9{first + n:09d}"
        record.examinee_number = f"99{first + n:012d}"
        record.name, record.id_number, record.birth_date = name, number, birth
        record.bound_at, record.first_viewed_at = now, None
        record.check_result = CheckResult.NONE  # a new student has confirmed nothing yet
        records.append(record)
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=500)
        for user, record in zip(users, records, strict=True):
            record.user = user
        EnrollmentRecord.objects.bulk_create(records, batch_size=500)
        Photo.objects.bulk_create(_photo_copies(records, templates), batch_size=500)
    return {u.username: r.pk for u, r in zip(users, records, strict=True)}


def _photo_copies(records: list, templates: list) -> list:
    """New rows for the current photos of each record's template (the same files),
    unchecked."""
    import secrets

    from imaging.models import Photo, PhotoState

    photos: dict[int, list[Photo]] = {}
    for photo in Photo.objects.filter(record__in=templates, is_current=True):
        photos.setdefault(photo.record_id, []).append(photo)
    copies = []
    for n, record in enumerate(records):
        for photo in photos.get(templates[n % len(templates)].pk, []):
            copy = Photo(
                record=record,
                kind=photo.kind,
                token=secrets.token_hex(16),
                image=photo.image.name,
                thumbnail=photo.thumbnail.name,
                width=photo.width,
                height=photo.height,
                sha256=photo.sha256,
                batch_id=photo.batch_id,
                state=PhotoState.UNVERIFIED,
            )
            copies.append(copy)
    return copies


# The portal's five requests, and the ceiling flow's (bench/ceiling_urls.py).
FLOWS = {
    "portal": {
        "login": "/accounts/login/",
        "page": "/records/mine/",
        "form": "/records/{record}/confirm/",
    },
    "ceiling": {
        "login": "/bench/flow/login/",
        "page": "/bench/flow/page/",
        "form": "/bench/flow/form/{record}/",
    },
}


def surge_student(
    base: str, username: str, record_id: int, flow: str = "portal"
) -> dict[str, list[float]]:
    """One student's deadline: log-in page, log in, 学籍信息, 正确 page, confirm (or the
    ceiling flow's five requests). Returns the milliseconds of each step; raises on
    anything unexpected."""
    paths = FLOWS[flow]
    form = paths["form"].format(record=record_id)
    browser = Browser(base)
    try:
        login_page = browser.get(paths["login"])
        fields = {"username": username, "password": SURGE_PASSWORD}
        login = browser.post(paths["login"], {**fields, "csrfmiddlewaretoken": login_page.csrf()})
        if login.status != 302:
            raise AssertionError(f"log-in answered {login.status}")
        mine = browser.get(paths["page"])
        if mine.status != 200 or (flow == "portal" and form not in mine.text):
            raise AssertionError(f"学籍信息 answered {mine.status} without the 正确 button")
        confirm_page = browser.get(form)
        confirm = browser.post(form, {"csrfmiddlewaretoken": confirm_page.csrf()})
        if confirm.status != 302:
            raise AssertionError(f"正确 answered {confirm.status}")
    finally:
        browser.close()
    return {
        "login": [login_page.seconds * 1000, login.seconds * 1000],
        "mine": [mine.seconds * 1000],
        "confirm": [confirm_page.seconds * 1000, confirm.seconds * 1000],
    }


def surge(
    base: str, students: dict[str, int], *, clients: int, limit: float, flow: str = "portal"
) -> dict:
    """Every student through `surge_student`, `clients` at a time, for `limit` s at most."""
    queue = list(students.items())
    latencies: dict[str, list[float]] = {s: [] for s in STEPS}
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + limit

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                username, record_id = queue.pop()
            try:
                steps = surge_student(base, username, record_id, flow)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    errors.append(f"{username}: {exc}")
                continue
            with lock:
                for step, values in steps.items():
                    latencies[step] += values
                done[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(limit + 60)
    elapsed = time.monotonic() - started
    every = [v for values in latencies.values() for v in values]
    q = statistics.quantiles(every, n=100) if len(every) > 1 else [0] * 99
    step_p = {
        k: (statistics.median(v), statistics.quantiles(v, n=100)[98])
        for k, v in latencies.items()
        if len(v) > 1
    }
    return {
        "students": done[0],
        "left": len(queue),
        "errors": errors,
        "seconds": elapsed,
        "requests": len(every),
        "rps": len(every) / elapsed if elapsed else 0,
        "p50": q[49],
        "p99": q[98],
        "step_p": step_p,
        "per_second": done[0] / elapsed if elapsed else 0,
    }


def confirmed(students: dict[str, int]) -> int:
    from records.models import RecordConfirmation

    return (
        RecordConfirmation.objects.filter(
            record_id__in=list(students.values()), revoked_at__isnull=True
        )
        .values("record_id")
        .distinct()
        .count()
    )


# --- The run -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per page (0: the surge only)"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--students", type=int, default=1200, help="demo students")
    parser.add_argument("--surge", type=int, default=1000, help="students in each surge")
    parser.add_argument(
        "--surge-workers-per-core",
        type=lambda v: [int(n) for n in v.split(",")],
        default=[1, 2],
        help="gunicorn workers a core for the surges, e.g. 1,2",
    )
    parser.add_argument("--surge-clients", type=int, default=8)
    parser.add_argument("--surge-limit", type=float, default=1800, help="seconds at most")
    parser.add_argument("--sessions", default="cached_db", choices=["db", "cached_db", "cache"])
    parser.add_argument("--db-pool", action="store_true", help="DB_POOL=1 instead of CONN_MAX_AGE")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    if args.tool == "auto":
        args.tool = "wrk" if shutil.which("wrk") else "python"
    OUT.mkdir(parents=True, exist_ok=True)
    with temp_database(DATABASE) as database_url:
        env = server_env(database_url, args.sessions)
        if args.db_pool:
            env["DB_POOL"] = "1"
        redis_flush_db(REDIS)
        try:
            rows = run(args, env)
        finally:
            redis_flush_db(REDIS)
            # Django's connection in this process must let go before the database is dropped.
            from django.db import connections

            connections.close_all()
    report(MODULE, rows)
    if any(r.note.startswith("FAILED") for r in rows):
        raise SystemExit(1)


def run(args, env: dict[str, str]) -> list[Row]:
    os.environ.update(env)
    import django

    django.setup()
    prepare(args.students)
    pages = page_paths()
    count_queries(pages)
    rows = []
    if args.duration:
        server, base = start_server(env, args.workers)
        try:
            rows = load(args, base, pages, server)
        finally:
            server.stop()
    return rows + run_surges(args, env)


def start_server(env: dict[str, str], workers: int) -> tuple[Process, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Process(
        "gunicorn",
        [PYTHON, "-m", "gunicorn", "portal.wsgi", "-w", str(workers), "-b",
         f"127.0.0.1:{port}", "--worker-class", "sync", "--graceful-timeout", "5", "--no-control-socket"],
        env,
        OUT / "pages-gunicorn.log",
    ).start()  # fmt: skip
    try:
        wait_http(base + "/", timeout=60, process=server)
    except BaseException:
        server.stop()
        raise
    return server, base


def load(args, base: str, pages: list[Page], server: Process) -> list[Row]:
    from django.conf import settings

    cookies = {}
    for who in {p.who for p in pages}:
        browser = Browser(base)
        browser.login(who, settings.DEMO_PASSWORD)
        cookies[who] = f"sessionid={browser.cookies['sessionid']}"
    for page in pages:
        browser = Browser(base)
        browser.cookies["sessionid"] = cookies[page.who].split("=", 1)[1]
        response = browser.get(page.path)
        if response.status != 200:
            raise SystemExit(f"{page.name} ({page.path}) answered {response.status}, not 200")
    print(f"load tool: {args.tool}; {args.connections} connections, {args.duration} s a page")
    # The machine is shared and its load drifts: the ceiling is measured between every two
    # pages, and each page is divided by the mean of the ceilings just before and after it.
    ceiling_page, measured = pages[0], pages[1:]
    ceilings = [_measure_one(base, ceiling_page, cookies, args)]
    for page in measured:
        page.result = _measure_one(base, page, cookies, args)
        ceilings.append(_measure_one(base, ceiling_page, cookies, args))
    peak = peak_rss_mb(child_pids(server.pid))
    ceiling = statistics.mean(c["rps"] for c in ceilings)
    spread = f"{min(c['rps'] for c in ceilings):.0f}-{max(c['rps'] for c in ceilings):.0f}"
    first = ceilings[0]
    rows = [
        Row(MODULE, "ceiling (minimal logged-in page)", ceiling, "req/s", ceiling, 1.0, peak,
            None, f"mean of {len(ceilings)} runs ({spread} req/s), p50 {first['p50']:.1f} ms, "
            f"p99 {first['p99']:.1f} ms, {ceiling_page.queries} queries")
    ]  # fmt: skip
    for n, page in enumerate(measured):
        r = page.result
        local = statistics.mean([ceilings[n]["rps"], ceilings[n + 1]["rps"]])
        note = f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, {page.queries} queries, {page.path}"
        if r["errors"]:
            note += f", {r['errors']} non-2xx"
        rows.append(
            Row(MODULE, page.name, r["rps"], "req/s", local, r["rps"] / local, peak,
                page.target, note)
        )  # fmt: skip
    return rows


def _measure_one(base: str, page: Page, cookies: dict, args) -> dict:
    r = measure(base, page, cookies[page.who], args)
    print(f"  {page.name:28} {r['rps']:8.1f} req/s  p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms")
    if r["errors"] or r["socket_errors"]:
        print(f"    errors: {r['errors']} {r['socket_errors']}")
    return r


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy so far (/proc/stat), in seconds."""
    values = [int(v) for v in open("/proc/stat").readline().split()[1:]]  # noqa: SIM115
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def surge_once(args, base: str, server: Process, flow: str, prefix: str) -> dict:
    students = make_surge_students(args.surge, prefix)
    workers = child_pids(server.pid)
    cpu, busy = cpu_seconds(workers), machine_busy_seconds()
    result = surge(base, students, clients=args.surge_clients, limit=args.surge_limit, flow=flow)
    result["app_cpu_ms"] = (cpu_seconds(workers) - cpu) * 1000 / max(1, result["students"])
    result["machine_cpu_ms"] = (machine_busy_seconds() - busy) * 1000 / max(1, result["students"])
    result["total"] = len(students)
    result["confirmed"] = confirmed(students) if flow == "portal" else result["students"]
    steps = "  ".join(
        f"{k} p50 {p50:.0f} / p99 {p99:.0f} ms" for k, (p50, p99) in result["step_p"].items()
    )
    print(
        f"  {flow:8} {result['students']}/{len(students)} students in {result['seconds']:.0f} s"
        f" = {result['per_second']:.1f}/s, {len(result['errors'])} errors, p99 {result['p99']:.0f} ms;"
        f" {steps}; CPU a student: app {result['app_cpu_ms']:.0f} ms,"
        f" machine {result['machine_cpu_ms']:.0f} ms"
    )  # fmt: skip
    for line in result["errors"][:10]:
        print(f"    {line}")
    return result


def mean_ceiling(before: dict, after: dict) -> dict:
    """The ceiling flow's figures, the mean of its runs before and after the surge (p99:
    the larger; errors: both runs')."""
    runs = (before, after)
    return {
        "per_second": statistics.mean(r["per_second"] for r in runs),
        "app_cpu_ms": statistics.mean(r["app_cpu_ms"] for r in runs),
        "machine_cpu_ms": statistics.mean(r["machine_cpu_ms"] for r in runs),
        "p99": max(r["p99"] for r in runs),
        "errors": before["errors"] + after["errors"],
        "spread": f"{before['per_second']:.1f} before and {after['per_second']:.1f} after",
    }


def run_surges(args, env: dict[str, str]) -> list[Row]:
    """The surge beside its ceiling flow, on a fresh server for each gunicorn setting."""
    if not args.surge:
        return []
    cores = os.cpu_count() or 1
    rows, table = [], []
    for per_core in args.surge_workers_per_core:
        workers = per_core * cores
        print(
            f"surge: {args.surge} students a flow, {workers} gunicorn workers ({per_core} a core)"
        )
        server, base = start_server(env, workers)
        try:
            # The machine's speed drifts: the ceiling flow runs before and after the surge,
            # and the surge is divided by their mean (as each page is, above).
            before = surge_once(args, base, server, "ceiling", f"ceil{workers}w")
            portal = surge_once(args, base, server, "portal", f"surge{workers}w")
            after = surge_once(args, base, server, "ceiling", f"ceil{workers}w2")
            ceiling = mean_ceiling(before, after)
            peak = peak_rss_mb(child_pids(server.pid))
        finally:
            server.stop()
        ok = (
            not ceiling["errors"]
            and not portal["errors"]
            and not portal["left"]
            and portal["confirmed"] == portal["total"]
        )
        ratio = portal["per_second"] / ceiling["per_second"] if ceiling["per_second"] else 0
        steps = ", ".join(
            f"{k} {p50:.0f}/{p99:.0f} ms" for k, (p50, p99) in portal["step_p"].items()
        )
        note = (
            f"{workers} workers ({per_core}/core): {portal['students']}/{portal['total']} students, "
            f"{len(portal['errors'])} errors, {portal['confirmed']} confirmed, "
            f"p50 {portal['p50']:.0f} ms, p99 {portal['p99']:.0f} ms; p50/p99 per step: {steps}; "
            f"CPU a student {portal['app_cpu_ms']:.0f} ms in the app servers, "
            f"{portal['machine_cpu_ms']:.0f} ms on the machine (ceiling flow "
            f"{ceiling['per_second']:.1f}/s, mean of {ceiling['spread']}, p99 "
            f"{ceiling['p99']:.0f} ms, {ceiling['app_cpu_ms']:.0f} ms app CPU)"
        )
        if not ok:
            note = "FAILED: errors, or students not confirmed (output above); " + note
        rows.append(
            Row(MODULE, f"surge: students a second, {per_core} worker/core", portal["per_second"],
                "students/s", ceiling["per_second"], ratio, peak, SURGE_TARGET, note)
        )  # fmt: skip
        table.append((per_core, workers, ceiling, portal, ratio))
    print_surge_table(table, cores)
    return rows


def print_surge_table(table, cores: int) -> None:
    print(f"\nThe deadline surge on {cores} cores (students a second; p50 / p99 of a request):")
    print(
        "| workers | ceiling flow | surge | surge / ceiling | surge p50 / p99 | "
        "app CPU a student | machine CPU a student |"
    )
    print("|---|---|---|---|---|---|---|")
    for per_core, workers, ceiling, portal, ratio in table:
        print(
            f"| {workers} ({per_core}/core) | {ceiling['per_second']:.1f} | "
            f"{portal['per_second']:.1f} | {ratio:.2f} | {portal['p50']:.0f} / "
            f"{portal['p99']:.0f} ms | {portal['app_cpu_ms']:.0f} ms | "
            f"{portal['machine_cpu_ms']:.0f} ms |"
        )


if __name__ == "__main__":
    main()
