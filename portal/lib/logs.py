"""Logs an operator can ship: one JSON object a line (LOG_FORMAT=json), and optional error
reporting to Sentry (SENTRY_DSN), both without personal data (docs/deploy.md)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "message"} and, for an error, "exception" — a line each,
    which journald, Loki or Elasticsearch read as they are."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, level: str, fmt: str) -> dict:
    if fmt not in ("text", "json"):
        raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {fmt!r}")
    handler: dict = {"class": "logging.StreamHandler"}
    if fmt == "json":
        handler["formatter"] = "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "portal.lib.logs.JsonFormatter"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "INFO"}},
    }


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    """Errors to Sentry, without what the portal must not send anywhere: no cookies, user
    or address (send_default_pii off), no request bodies (ID numbers, passwords), no local
    variables of the failing frames (a record's fields)."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install -e '.[sentry]'"
        ) from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
    )
