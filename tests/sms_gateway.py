"""A fake SMS gateway for the tests: a real HTTP server on the loopback (a thread), which
records every request and answers what the test says; and a port nothing listens on."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def closed_port() -> int:
    """A loopback port where nothing listens (a gateway that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeGateway:
    """`answer(received) -> (status, json body)`; by default 200 {"ok": true}."""

    def __init__(self, port: int = 0, answer: Callable[[Received], tuple[int, dict]] | None = None):
        self.received: list[Received] = []
        self.answer = answer or (lambda received: (200, {"ok": True}))
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                gateway.received.append(received)
                status, body = gateway.answer(received)
                content = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
