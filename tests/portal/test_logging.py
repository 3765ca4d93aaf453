"""Operations logging (issue 17 §5): JSON lines with LOG_FORMAT=json, and errors to Sentry
with SENTRY_DSN — received by a fake Sentry on the loopback, without personal data."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "36010219900101123X"
# A job that fails with an ID number in its local variables; the number comes from the
# environment, so that neither the source lines nor sys.argv (both sent) hold it.
FAILING_MODULE = """
import logging


def export(id_number):
    try:
        raise ValueError("boom-17")
    except ValueError:
        logging.getLogger("portal.export").exception("export failed")
"""
FAILING = (
    "import os, failing_job, sentry_sdk; failing_job.export(os.environ['ID']); sentry_sdk.flush(10)"
)


@pytest.fixture
def failing_job(tmp_path) -> dict[str, str]:
    (tmp_path / "failing_job.py").write_text(FAILING_MODULE)
    return {"PYTHONPATH": str(tmp_path), "ID": ID_NUMBER}


def manage_shell(code: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    environ.update(DEBUG="1", DJANGO_SETTINGS_MODULE="portal.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def fake_sentry():
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_port}/1", received
    server.shutdown()
    server.server_close()


def test_json_logs_are_one_object_a_line(failing_job):
    result = manage_shell(FAILING, LOG_FORMAT="json", **failing_job)

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    (entry,) = [e for e in lines if e["logger"] == "portal.export"]
    assert entry["level"] == "ERROR" and entry["message"] == "export failed"
    assert "ValueError: boom-17" in entry["exception"]


def test_errors_reach_sentry_without_the_local_variables(fake_sentry, failing_job):
    dsn, received = fake_sentry

    result = manage_shell(FAILING, SENTRY_DSN=dsn, **failing_job)

    assert result.returncode == 0, result.stderr
    sent = b"".join(received).decode()
    assert "boom-17" in sent and "export failed" in sent
    assert ID_NUMBER not in sent


def test_a_dsn_without_the_sdk_is_said_at_start(tmp_path):
    # A Python that cannot import sentry_sdk: the `sentry` extra is not installed.
    blocker = tmp_path / "sentry_sdk.py"
    blocker.write_text("raise ImportError('not installed')\n")
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="portal.settings",
        SENTRY_DSN="http://k@127.0.0.1:9/1",
        PYTHONPATH=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "sentry-sdk is not installed" in result.stderr
