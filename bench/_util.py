"""Helpers the benchmarks (and scripts/cluster_test.py) share.

- `Row` and `report(module, rows)`: a benchmark's figures, printed and written to
  bench/out/<module>.json, where `bench.run` collects them into one table. A figure is a
  value next to the ceiling measured in the same run (docs/quality.md), so `ratio` is what
  counts: value / ceiling for rates, ceiling / value for times (higher is better).
- `temp_database(name)`: a PostgreSQL database created for the run and dropped after.
- `Process`: a server or worker started in its own process group and stopped by its id
  (never by name), with its log in bench/out/.
- `wait_http`, `free_port`, `redis_flush_db`, `peak_rss_mb`.

Every loop here is bounded in time; every address is on the loopback.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


# --- Figures --------------------------------------------------------------------------


@dataclass
class Row:
    module: str
    figure: str
    value: float
    unit: str
    ceiling: float | None = None
    ratio: float | None = None
    peak_mb: float | None = None
    target: float | None = None  # the ratio the figure should reach, when there is one
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return ""
        return "ok" if self.ratio >= self.target else f"BELOW {self.target:g}"


def report(module: str, rows: list[Row]) -> None:
    """Print the module's table and keep its rows for `bench.run`."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{module}.json").write_text(
        json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1)
    )
    print_table(rows)


def load_rows(module: str) -> list[Row] | None:
    path = OUT / f"{module}.json"
    if not path.exists():
        return None
    return [Row(**item) for item in json.loads(path.read_text())]


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) < 10 and digits < 2:
        digits = 2
    return f"{value:.{digits}f}"


def print_table(rows: list[Row], *, title: str = "") -> None:
    header = ("module", "figure", "value", "unit", "ceiling", "ratio", "peak MB", "target")
    lines = [header]
    for r in rows:
        lines.append(
            (
                r.module,
                r.figure,
                _fmt(r.value),
                r.unit,
                _fmt(r.ceiling),
                _fmt(r.ratio, 2),
                _fmt(r.peak_mb, 0),
                r.verdict,
            )
        )
    widths = [max(_width(str(line[i])) for line in lines) for i in range(len(header))]
    if title:
        print(f"\n{title}")
    for n, line in enumerate(lines):
        cells = [
            _pad(str(c), w, right=0 < i < 7 and i != 3)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    notes = [f"  {r.module} / {r.figure}: {r.note}" for r in rows if r.note]
    if notes:
        print("notes:")
        print("\n".join(notes))


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


# --- PostgreSQL and Redis ---------------------------------------------------------------


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def temp_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database for the run, dropped afterwards (even on failure)."""
    assert name.isidentifier(), name
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _psql(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def redis_flush_db(url: str) -> None:
    """Empty one Redis database (the one in the URL) and no other."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


# --- Processes ------------------------------------------------------------------------


@dataclass
class Process:
    """A child process in its own process group, so that stopping it also stops what it
    forked (gunicorn's workers, RQ's work-horse) and nothing else."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Process:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        handle.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group this process leads (its pid is the group id), and every
        process it forked even into a session of its own (RQ's work-horse does)."""
        if self.popen is None:
            return
        for pid in descendants(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def stop(self, timeout: float = 10) -> None:
        if self.popen is None:
            return
        family = descendants(self.pid)  # before the leader goes and they are re-parented
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.popen.wait(5)
        # Whatever the leader left behind: a gunicorn worker in its group, a work-horse in
        # a group of its own.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def child_step(module: str, step: str, env: dict, **args: Path) -> dict:
    """Run one `--step` of a benchmark module in a fresh process, so that its peak memory
    is its own, and return the JSON the step prints last."""
    command = [sys.executable, "-m", module, "--step", step]
    for name, value in args.items():
        command += [f"--{name}", str(value)]
    output = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def own_peak_mb() -> float:
    """This process's peak resident size so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, *, timeout: float = 60, process: Process | None = None) -> None:
    """Until the URL answers at all (any status), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def peak_rss_mb(pids: list[int]) -> float | None:
    """The largest peak resident size (VmHWM) among these live processes, in MB."""
    peaks = []
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return max(peaks) if peaks else None


def descendants(pid: int) -> list[int]:
    """Children first, then theirs, read from /proc while they live."""
    found = []
    for child in child_pids(pid):
        found += [child, *descendants(child)]
    return found


def child_pids(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(p) for p in text.split()]
    return []


# --- A small browser: cookies, CSRF, keep-alive -------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def csrf(self) -> str:
        match = CSRF_INPUT.search(self.text)
        if match is None:
            raise AssertionError(f"no CSRF token in the page (HTTP {self.status})")
        return match.group(1)


class Browser:
    """One person's browser against one server: keeps its cookies itself, since the
    portal's cookies are Secure in production and the benchmark talks plain HTTP."""

    def __init__(self, base: str, *, timeout: float = 30):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    def use(self, base: str) -> Browser:
        """The same cookies against another server (the cluster test's server B)."""
        other = Browser(base, timeout=self.timeout)
        other.cookies = self.cookies
        return other

    def request(self, method: str, path: str, *, fields=None, body=None, headers=None):
        headers = dict(headers or {})
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            # Django checks the Referer only for HTTPS; a browser sends the Origin.
            headers.setdefault("Origin", f"http://{self.host}:{self.port}")
        started = time.perf_counter()
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                raw = conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - started
        for value in raw.headers.get_all("Set-Cookie") or []:
            name, _eq, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(raw.status, dict(raw.headers.items()), data, seconds)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, fields: dict, **kw) -> Response:
        return self.request("POST", path, fields=fields, **kw)

    def login(self, username: str, password: str) -> Response:
        page = self.get("/accounts/login/")
        fields = {"username": username, "password": password}
        response = self.post("/accounts/login/", {**fields, "csrfmiddlewaretoken": page.csrf()})
        if response.status != 302 or "sessionid" not in self.cookies:
            raise AssertionError(f"log-in as {username} failed: HTTP {response.status}")
        return response

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    """(body, content type) of a multipart/form-data form with files."""
    boundary = f"----bench{os.getpid()}{time.monotonic_ns()}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
