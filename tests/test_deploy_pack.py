"""The operations pack in deploy/ (issue 17 §5) agrees with the code it runs: the nginx
site's large-upload location is the photo archive's URL and lets its largest archive
through, every command a unit starts exists, and the environment file names settings
the portal reads."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands
from django.urls import reverse

from imaging.forms import MAX_ARCHIVE_BYTES

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
SETTINGS = Path(__file__).resolve().parents[1] / "portal" / "settings.py"


def megabytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([mMgG])", value).groups()
    return int(number) * (1024 if unit.lower() == "g" else 1)


def test_only_the_photo_archive_upload_may_be_large():
    site = (DEPLOY / "nginx" / "xueji.conf").read_text()
    # Each location block of the TLS server, up to its closing brace at its own indent.
    blocks = re.findall(r"^    location (?:= )?(\S+) \{\n(.*?)^    \}", site, re.M | re.S)
    sizes = {
        path: found.group(1)
        for path, body in blocks
        if (found := re.search(r"client_max_body_size (\w+);", body))
    }
    default = megabytes(re.search(r"^    client_max_body_size (\w+);", site, re.M).group(1))

    assert list(sizes) == [reverse("imaging:batch_import")]
    assert megabytes(sizes[reverse("imaging:batch_import")]) * 1024**2 > MAX_ARCHIVE_BYTES
    assert 50 < default < 100  # a roster is at most 50 MB


def test_every_unit_starts_a_command_that_exists():
    commands = get_commands()
    units = list((DEPLOY / "systemd").glob("*.service"))
    started = [
        re.search(r"manage\.py (\w+)", unit.read_text())
        or re.search(r"gunicorn portal\.wsgi", unit.read_text())
        for unit in units
    ]

    assert len(units) >= 3 and all(started)
    for match in started:
        if match.re.pattern.startswith("manage"):
            assert match.group(1) in commands or match.group(1) == "rqworker"


def test_the_environment_file_names_only_settings_the_portal_reads():
    read = set(re.findall(r'env\.\w+\(\s*"(\w+)"', SETTINGS.read_text()))
    read |= {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL"}
    example = (DEPLOY / "xueji.env.example").read_text()
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))

    assert named and named <= read, named - read


def test_the_maintenance_page_stands_alone():
    page = (DEPLOY / "maintenance.html").read_text()

    assert "系统维护中" in page
    assert "http" not in page.replace('lang="zh-Hans"', "")  # no CDN, no outside link
