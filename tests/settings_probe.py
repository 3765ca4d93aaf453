"""What the settings come to in a server started with a given environment: read in a
fresh process, since portal/settings.py reads the environment once, at import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Variables that change what the tests read, taken out of the environment the tests run
# in (a CI's DATABASE_URL, a developer's DEBUG), so that a reading starts from the
# defaults plus what the test sets.
UNSET = frozenset(
    {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "OTP_REQUIRED",
        "DATABASE_URL",
        "CACHE_URL",
        "TASKS_BACKEND",
        "MEDIA_STORAGE",
        "THROTTLE_REDIS_URL",
    }
)


def read_settings(expression: str, **env: str) -> Any:
    """`expression` (over `settings`, JSON-able; other values as text) as read by a
    `manage.py shell` started with `env` (and a SECRET_KEY) over the cleaned environment."""
    clean = {name: value for name, value in os.environ.items() if name not in UNSET}
    clean.update(SECRET_KEY="x", **env)
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({expression}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
