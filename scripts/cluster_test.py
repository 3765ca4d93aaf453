"""Cluster test (`make cluster-test`): the app servers keep no state of their own.

Two gunicorn instances (servers A and B, two loopback ports) share one PostgreSQL database
(`xueji_cluster`, created here and dropped afterwards), one Redis database (number 13 by
default: only that one is flushed) for the cache, the sessions and the RQ task queue, and
one media store. RQ workers run the tasks (`--tasks db`: the database queue) and look after
themselves as in production (portal.worker: heartbeat and recovery of abandoned jobs, every
second here). The demo is seeded small (60 students).

It proves, printing one PASS/FAIL line each:
- a session started on A is valid on B, and a log-out on B ends it on A;
- throttling counts on both servers together (failed log-ins on A lock the pair on B);
- a roster export started on A (a form POST with CSRF) is run by a worker and its file
  is downloaded from B;
- a roster uploaded through the import form on A is imported by a worker; the worker is
  killed (SIGKILL, its whole process group) in the middle of it; a new worker finds the
  abandoned job by itself, runs it from the beginning, and every row is imported exactly
  once.

With `--media s3` the media store is an S3-compatible object store (moto's server on the
loopback, when the moto package is installed) instead of a shared directory.

Processes are stopped by the ids this script started, never by name. The whole run is
bounded (`--limit`, 170 s by default). Exit status 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._util import (  # noqa: E402
    PYTHON,
    Browser,
    Process,
    free_port,
    multipart,
    redis_flush_db,
    temp_database,
    wait_http,
)

DATABASE = "xueji_cluster"
PASSWORD_ENV = "DEMO_PASSWORD"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Checks:
    def __init__(self, deadline: float):
        self.failed = 0
        self.passed = 0
        self.deadline = deadline

    def record(self, ok: bool, what: str, detail: str = "") -> bool:
        status = "PASS" if ok else "FAIL"
        print(f"{status}: {what}" + (f" ({detail})" if detail else ""), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def left(self) -> float:
        return self.deadline - time.monotonic()


# --- The cluster ---------------------------------------------------------------------------


class Cluster:
    def __init__(self, args, database_url: str, work: Path):
        self.args = args
        self.work = work
        self.processes: list[Process] = []
        redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
        self.redis_url = redis_url
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            DATABASE_URL=database_url,
            SECRET_KEY="cluster-test-only-" + "k" * 40,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SECURE_HSTS_SECONDS="0",
            CACHE_URL=redis_url,
            SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
            WORKER_HOUSEKEEPING_EVERY="1",
            TASKS_BACKEND=(
                "django_tasks_rq.RQBackend"
                if args.tasks == "rq"
                else "django_tasks_db.DatabaseBackend"
            ),
            REDIS_URL=redis_url,
            STATIC_ROOT=str(work / "static"),
            MEDIA_ROOT=str(work / "media"),
            JOB_LEASE_DIR=str(work / "leases"),
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            # The cluster's staff log in with the password only (no TOTP devices enrolled).
            OTP_REQUIRED="0",
        )
        self.env = env
        self.servers: dict[str, str] = {}

    def start(self, name: str, argv: list[str]) -> Process:
        process = Process(name, argv, self.env, self.work / f"{name}.log").start()
        self.processes.append(process)
        return process

    def gunicorn(self, name: str) -> str:
        port = free_port()
        argv = [PYTHON, "-m", "gunicorn", "portal.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"]
        # No control socket: its default path is per user, and two instances would share it.
        argv += ["--graceful-timeout", "5", "--no-control-socket"]
        process = self.start(f"gunicorn-{name}", argv)
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/", timeout=60, process=process)
        self.servers[name] = base
        return base

    def worker(self, n: int) -> Process:
        name = f"cluster-worker-{n}-{os.getpid()}"
        if self.args.tasks == "db":
            argv = ["db_worker", "--interval", "0.2", "--no-startup-delay", "--worker-id", name]
        else:
            argv = ["rqworker", "default", "--job-class", "django_tasks_rq.Job", "--name", name]
        return self.start(f"{self.args.tasks}-worker-{n}", [PYTHON, "manage.py", *argv])

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop(timeout=5)


def start_s3(cluster: Cluster) -> None:
    """moto's S3 server on the loopback, and the settings that point the portal at it."""
    import boto3

    port = free_port()
    server = cluster.start("moto-s3", [PYTHON, "-m", "moto.server", "-p", str(port)])
    endpoint = f"http://127.0.0.1:{port}"
    wait_http(endpoint, timeout=30, process=server)
    cluster.env.update(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="xueji-cluster",
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="cluster-test",
        AWS_SECRET_ACCESS_KEY="cluster-test",
        AWS_S3_ADDRESSING_STYLE="path",
    )
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="cluster-test",
        aws_secret_access_key="cluster-test",
    )
    client.create_bucket(Bucket="xueji-cluster")


# --- Data ----------------------------------------------------------------------------------


def roster(rows: int) -> bytes:
    """A valid roster of `rows` new 2024级 students of the demo university."""
    from portal.demo import INSTITUTION_CODE, INSTITUTION_NAME
    from portal.lib import idnumbers
    from portal.lib.xlsx import write_rows
    from records.imports import TEMPLATE_HEADER

    rng = random.Random(7)

    def row(n: int) -> list:
        sex = rng.choice("12")
        birth = datetime.date(2005, 1, 1) + datetime.timedelta(days=rng.randrange(1500))
        number = idnumbers.generate(rng=rng, region="360102", birth=birth, sex=sex)
        return [
            f"24360102{n:06d}", f"新生{n}", f"2024{n:06d}", "男" if sex == "1" else "女",
            birth, number, "汉族", "江西省", INSTITUTION_CODE, INSTITUTION_NAME, "在籍(注册学籍)",
            "软件技术", 3, "专科", 2024, "普通全日制", "普通", "信息工程学院", "软件工程系",
            f"C2024{n // 50:04d}", datetime.date(2024, 9, 1), datetime.date(2027, 7, 1),
        ]  # fmt: skip

    buffer = io.BytesIO()
    write_rows(buffer, title="学生名单", header=TEMPLATE_HEADER, rows=(row(n) for n in range(rows)))
    return buffer.getvalue()


def record_count() -> int:
    from records.models import EnrollmentRecord

    return EnrollmentRecord.objects.count()


def job_status(browser: Browser, job_path: str) -> dict:
    import json

    response = browser.get(job_path + "status/")
    if response.status != 200:
        return {"state": f"HTTP {response.status}"}
    return json.loads(response.body)


def wait_job(browser: Browser, job_path: str, checks: Checks, *, until, timeout: float) -> dict:
    deadline = time.monotonic() + min(timeout, max(checks.left(), 1))
    status = job_status(browser, job_path)
    while not until(status) and time.monotonic() < deadline:
        time.sleep(0.2)
        status = job_status(browser, job_path)
    return status


# --- The checks ----------------------------------------------------------------------------


def check_sessions(cluster: Cluster, checks: Checks, password: str) -> Browser:
    a, b = cluster.servers["A"], cluster.servers["B"]
    registrar = Browser(a)
    registrar.login("registrar", password)
    on_b = registrar.use(b).get("/records/queue/")
    checks.record(
        on_b.status == 200 and "有误" in on_b.text,
        "log in on A, the session is valid on B",
        f"B answered {on_b.status}",
    )
    # Log out on B; A must no longer know the session.
    other = Browser(a)
    other.login("counselor", password)
    on_b = other.use(b)
    logout = on_b.post("/accounts/logout/", {"csrfmiddlewaretoken": on_b.get("/").csrf()})
    after = Browser(a)
    after.cookies.update(other.cookies)
    page = after.get("/records/classes/")
    checks.record(
        logout.status in (200, 302)
        and page.status == 302
        and "login" in page.headers.get("Location", ""),
        "log out on B ends the session on A",
        f"A answered {page.status} {page.headers.get('Location', '')}",
    )
    return registrar


def check_throttle(cluster: Cluster, checks: Checks) -> None:
    a, b = cluster.servers["A"], cluster.servers["B"]
    for _ in range(5):
        browser = Browser(a)
        page = browser.get("/accounts/login/")
        fields = {
            "username": "monitor",
            "password": "wrong-password",
            "csrfmiddlewaretoken": page.csrf(),
        }
        browser.post("/accounts/login/", fields)
    browser = Browser(b)
    page = browser.get("/accounts/login/")
    fields = {
        "username": "monitor",
        "password": "wrong-password",
        "csrfmiddlewaretoken": page.csrf(),
    }
    response = browser.post("/accounts/login/", fields)
    checks.record(
        response.status == 200 and "请 15 分钟后再试" in response.text,
        "5 failed log-ins on A: the 6th on B is throttled (shared counters)",
        f"B answered {response.status}",
    )


def check_export(cluster: Cluster, checks: Checks, registrar: Browser) -> None:
    from openpyxl import load_workbook

    from portal.lib.xlsx import HEADER_ROW

    a, b = registrar.use(cluster.servers["A"]), registrar.use(cluster.servers["B"])
    page = a.get("/records/search/")
    started = a.post("/records/export/", {"csrfmiddlewaretoken": page.csrf()})
    location = started.headers.get("Location", "")
    checks.record(
        started.status == 302 and location.startswith("/jobs/"),
        "start the roster export on A (POST with CSRF)",
        f"A answered {started.status} {location}",
    )
    status = wait_job(b, location, checks, until=lambda s: s.get("finished"), timeout=60)
    checks.record(
        status.get("state") == "succeeded",
        f"a worker ({cluster.args.tasks}) ran the export; B shows it finished",
        f"state {status.get('state')}, {status.get('done')}/{status.get('total')}",
    )
    download = b.get(location + "download/")
    rows = 0
    if download.status == 200:
        sheet = load_workbook(io.BytesIO(download.body), read_only=True).active
        rows = sum(1 for _ in sheet.iter_rows(min_row=HEADER_ROW + 1))
    checks.record(
        download.status == 200 and rows == record_count(),
        "download the export's file from B",
        f"HTTP {download.status}, {rows} rows, {len(download.body)} bytes",
    )


def check_object_store(cluster: Cluster, checks: Checks) -> None:
    """With --media s3: the files are in the bucket, private, and not on any local disk."""
    import boto3

    env = cluster.env
    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name=env["AWS_S3_REGION_NAME"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    bucket = env["AWS_STORAGE_BUCKET_NAME"]
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    exports = [k for k in keys if k.startswith("jobs/")]
    public = [
        k
        for k in exports[:1] + [k for k in keys if k.startswith("photos/")][:3]
        for grant in client.get_object_acl(Bucket=bucket, Key=k)["Grants"]
        if "AllUsers" in grant["Grantee"].get("URI", "")
    ]
    checks.record(
        bool(exports) and not public and not (cluster.work / "media").exists(),
        "the export and the photos are in the object store, private, on no local disk",
        f"{len(keys)} objects, {len(public)} public",
    )


def upload_roster(browser: Browser, content: bytes) -> str:
    page = browser.get("/records/import/")
    body, content_type = multipart(
        {"csrfmiddlewaretoken": page.csrf()}, {"file": ("名单.xlsx", content, XLSX)}
    )
    response = browser.request(
        "POST", "/records/import/", body=body, headers={"Content-Type": content_type}
    )
    if response.status != 302:
        raise AssertionError(f"the import form answered {response.status}")
    return response.headers["Location"]


def check_kill_mid_import(cluster: Cluster, checks: Checks, registrar: Browser, worker) -> None:
    rows = cluster.args.rows
    a, b = registrar.use(cluster.servers["A"]), registrar.use(cluster.servers["B"])
    before = record_count()
    content = roster(rows)
    job = upload_roster(a, content)
    checks.record(True, f"upload a roster of {rows:,} students through the import form on A")

    # The first half of the bar is validation, the second the write, in one transaction
    # (whose progress the others see only at its end): kill while it writes.
    def writing(s):
        return s.get("state") == "running" and s.get("done", 0) * 2 >= s.get("total", 1) > 1

    status = wait_job(b, job, checks, until=lambda s: writing(s) or s.get("finished"), timeout=90)
    if not checks.record(
        status.get("state") == "running",
        "a worker has validated it and is writing (seen on B)",
        f"state {status.get('state')}, {status.get('done')}/{status.get('total')}",
    ):
        return
    time.sleep(cluster.args.kill_after)
    worker.kill(signal.SIGKILL)
    worker.popen.wait(10)
    killed_at = job_status(b, job)
    checks.record(
        killed_at.get("state") == "running" and record_count() == before,
        "SIGKILL the worker mid-import: nothing half-written",
        f"job {killed_at.get('state')} at {killed_at.get('done')}/{killed_at.get('total')}, "
        f"records {record_count() - before:+d}",
    )
    # No recover_jobs anywhere: the new worker's housekeeping (at its start, then every
    # second) sees the free lease and re-enqueues the job, which a worker then runs.
    second = cluster.worker(2)
    final = wait_job(b, job, checks, until=lambda s: s.get("finished"), timeout=120)
    checks.record(
        "recovered job" in second.log.read_text(encoding="utf-8", errors="replace"),
        "the new worker recovered the abandoned job by itself",
        f"state {final.get('state')}",
    )
    added = record_count() - before
    checks.record(
        final.get("state") == "succeeded" and added == rows,
        "a new worker ran it again from the start: every row imported exactly once",
        f"state {final.get('state')}, records {added:+d} of {rows}",
    )


# --- The run ---------------------------------------------------------------------------------


def prepare(cluster: Cluster) -> None:
    from django.core.management import call_command

    os.environ.update(cluster.env)
    import django

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_demo", allow_without_debug=True, students=60, stdout=open(os.devnull, "w"))  # noqa: SIM115


def run(args, checks: Checks, work: Path) -> None:
    with temp_database(DATABASE) as database_url:
        cluster = Cluster(args, database_url, work)
        redis_flush_db(cluster.redis_url)
        try:
            if args.media == "s3":
                start_s3(cluster)
            prepare(cluster)
            from django.conf import settings

            cluster.gunicorn("A")
            cluster.gunicorn("B")
            worker = cluster.worker(1)
            print(f"servers A {cluster.servers['A']}, B {cluster.servers['B']}; "
                  f"media: {args.media}; tasks: {args.tasks}; redis db {args.redis_db}",
                  flush=True)  # fmt: skip
            registrar = check_sessions(cluster, checks, settings.DEMO_PASSWORD)
            check_throttle(cluster, checks)
            check_export(cluster, checks, registrar)
            if args.media == "s3":
                check_object_store(cluster, checks)
            check_kill_mid_import(cluster, checks, registrar, worker)
        except Exception as exc:  # noqa: BLE001 - reported as a failed check
            checks.record(False, "the cluster test ran to the end", f"{type(exc).__name__}: {exc}")
            for process in cluster.processes:
                print(f"--- {process.name} (last lines of {process.log})\n{process.tail(15)}")
        finally:
            cluster.stop_all()
            redis_flush_db(cluster.redis_url)
            from django.db import connections

            connections.close_all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8000, help="students in the killed import")
    parser.add_argument("--kill-after", type=float, default=0.5, help="seconds into the write")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--media", choices=["disk", "s3"], default="disk")
    parser.add_argument("--tasks", choices=["rq", "db"], default="rq", help="the task backend")
    parser.add_argument("--limit", type=float, default=170, help="seconds for the whole run")
    parser.add_argument("--keep", action="store_true", help="keep the logs directory")
    args = parser.parse_args()
    started = time.monotonic()
    checks = Checks(started + args.limit)
    work = Path(tempfile.mkdtemp(prefix="xueji-cluster-"))
    try:
        run(args, checks, work)
    finally:
        if args.keep or checks.failed:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    if elapsed > args.limit:
        checks.record(False, f"the run stayed within {args.limit:.0f} s", f"{elapsed:.0f} s")
    print(f"cluster test took {elapsed:.0f} s")
    print(f"cluster: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
