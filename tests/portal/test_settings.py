"""Settings read from the environment; production settings pass `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="xueji.example.edu.cn",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_secret_key_production_refuses_to_sign_anything():
    result = _manage(
        "shell", "-c", "from django.core import signing; signing.dumps(1)", SECRET_KEY=""
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_commands_that_need_no_key_run_without_one():
    result = _manage("makemigrations", "--check", "--dry-run", SECRET_KEY="")

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_default_database_is_a_sqlite_file_and_postgres_comes_from_database_url():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d.get('CONN_MAX_AGE'))"
    )
    sqlite = _manage("shell", "-v", "0", "-c", code, SECRET_KEY="x")
    postgres = _manage(
        "shell", "-v", "0", "-c", code, SECRET_KEY="x", DATABASE_URL="postgres://u@db:5432/xueji"
    )

    assert sqlite.stdout.split()[0] == "django.db.backends.sqlite3"
    assert postgres.stdout.split() == ["django.db.backends.postgresql", "60"]


def test_spreadsheets_are_parsed_with_defusedxml(db):
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
    call_command("check")  # portal.E001 would fail here


@pytest.mark.parametrize(
    "text", ["2016-09-05", "2016/9/5", "20160905", "2016年9月5日", "2016.09.05"]
)
def test_chinese_date_spellings_parse(text):
    from django import forms

    assert str(forms.DateField().clean(text)) == "2016-09-05"


def test_a_malformed_trusted_proxy_stops_the_start():
    bad = _manage("check", SECRET_KEY="x", TRUSTED_PROXIES="10.0.0.10,10.0.0.300")
    good = _manage("check", SECRET_KEY="x", TRUSTED_PROXIES="10.0.0.10, 10.0.1.0/24, ::1")

    assert bad.returncode != 0
    assert "TRUSTED_PROXIES" in bad.stderr and "10.0.0.300" in bad.stderr
    assert good.returncode == 0, good.stdout + good.stderr
