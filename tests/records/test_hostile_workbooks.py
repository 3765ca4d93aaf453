"""Hostile and broken workbooks end with a clear Chinese error and exit status 1, never
with a dead worker (docs/quality.md "Background work never kills the worker").

The command runs in a child process with its address space capped (RLIMIT_AS) and a
timeout, so that a regression — a reader allocating by a sheet's claimed size — fails
these tests instead of taking pytest down with it. One child reads every file in turn
and prints one line per file; one more runs `manage.py import_roster` as an operator
would, for its exit status."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.lib.models import Job, JobState
from records.imports import RosterImportError, roster_import
from records.models import EnrollmentRecord
from tests.records import hostile_files as hostile
from tests.records.roster_files import HEADER, student

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP = 3 * 2**29  # 1.5 GiB
TIMEOUT = 60

FAR = "第 1048576 行 XFD 列有内容（可能是格式残留），超出名单的合理范围"
DOCTYPE = "含有文档类型声明（DOCTYPE）"
BOMB = "可能是“压缩炸弹”"
SLIP = "路径穿越"
NOT_XLSX = "文件不是 Excel .xlsx 工作簿"
EXPECTED = {
    "far_cell": FAR,
    "far_cell_dimension_lies": FAR,
    "cells_without_r": "第 1048576 行 A 列有内容",
    "rows_without_r": "第 1048576 行 A 列有内容",
    "far_columns_without_r": "第 2 行 GS 列有内容",
    "far_merge": FAR,
    "repeated_cells": "单元格或合并单元格过多",
    "billion_laughs_in_shared_strings": DOCTYPE,
    "billion_laughs_in_sheet": DOCTYPE,
    "zip_bomb": BOMB,
    "zip_slip": SLIP,
    "absolute_entry": SLIP,
    "not_a_zip": NOT_XLSX,
    "html_renamed": NOT_XLSX,
    "empty": "文件是空的",
    "old_xls": "这是旧版 .xls 文件",
    "truncated_zip": NOT_XLSX,
    "many_shared_strings": BOMB,
}

# The child: the command on each file; one JSON line per file (its exit status and
# stderr). A file that makes the reader allocate aborts the child: no line, and the
# test says which file it was.
CHILD = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
for path in sys.argv[1:]:
    err = io.StringIO()
    try:
        call_command("import_roster", path, stdout=io.StringIO(), stderr=err)
        status = 0
    except CommandError as exc:
        status, message = exc.returncode, str(exc)
        err.write(message)
    print(json.dumps({"file": path, "status": status, "stderr": err.getvalue()}), flush=True)
"""


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _run(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings_test")
    return subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        preexec_fn=_capped,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = [getattr(hostile, name)(folder / f"{name}.xlsx") for name in EXPECTED]
    child = _run([sys.executable, "-c", CHILD, *map(str, paths)])
    lines = [json.loads(line) for line in child.stdout.splitlines() if line.startswith("{")]
    results = {Path(line["file"]).stem: line for line in lines}
    if len(results) < len(paths):
        stuck = next(name for name in EXPECTED if name not in results)
        pytest.fail(f"the reader died on {stuck} (exit {child.returncode}): {child.stderr[-2000:]}")
    return results


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_hostile_file_exits_1_with_a_chinese_message(outcomes, name):
    outcome = outcomes[name]

    assert outcome["status"] == 1
    assert EXPECTED[name] in outcome["stderr"]


def test_manage_py_import_roster_exits_1_on_the_far_cell(tmp_path):
    path = hostile.far_cell(tmp_path / "名单.xlsx")

    process = _run([sys.executable, "manage.py", "import_roster", str(path)])

    assert process.returncode == 1
    assert "工作表“学生名单”中第 1048576 行 XFD 列有内容" in process.stderr
    assert "Traceback" not in process.stderr


# --- In process: files that no reader would die on, if the checks regressed ------------------


def _roster_sheet(rows: list[dict], *, without_r: bool = False, extra: str = "") -> str:
    lines = [hostile.header_row()]
    for line, row in enumerate(rows, start=2):
        cells = "".join(hostile.text(None, str(row.get(title, ""))) for title in HEADER)
        lines.append(("<row>" if without_r else f'<row r="{line}">') + cells + extra + "</row>")
    return hostile.sheet("".join(lines))


def test_a_roster_written_without_cell_references_imports(tmp_path, db):
    path = hostile.workbook(
        tmp_path / "名单.xlsx", _roster_sheet([student(1), student(2)], without_r=True)
    )

    result = roster_import(file=path, allow_new_colleges=True)

    assert not result.errors
    assert result.created == 2


def test_format_residue_far_away_without_a_value_is_harmless(tmp_path, db):
    residue = '<c r="XFD1048576" s="1"/>'
    path = hostile.workbook(tmp_path / "名单.xlsx", _roster_sheet([student(1)], extra=residue))

    result = roster_import(file=path, allow_new_colleges=True)

    assert result.created == 1


def test_a_value_at_the_last_row_and_column_allowed_is_read(tmp_path, db):
    rows = hostile.header_row() + '<row r="60000">' + hostile.text("V60000", "x") + "</row>"
    path = hostile.workbook(tmp_path / "名单.xlsx", hostile.sheet(rows))

    result = roster_import(file=path, allow_new_colleges=True)  # read, then refused by row

    assert [error.row for error in result.errors] == [60000] * len(result.errors)


def test_one_row_past_the_cap_is_refused_and_named(tmp_path, db):
    rows = hostile.header_row() + '<row r="60001">' + hostile.text("A60001", "x") + "</row>"
    path = hostile.workbook(tmp_path / "名单.xlsx", hostile.sheet(rows))

    with pytest.raises(RosterImportError, match="第 60001 行 A 列有内容"):
        roster_import(file=path)


def test_the_upload_page_shows_the_far_cell_on_the_job_page(client_for, world, tmp_path):
    # Row 70,000 of column A: far enough to be refused, small enough that a regression
    # fails this test instead of the process.
    rows = hostile.header_row() + '<row r="70000">' + hostile.text("A70000", "x") + "</row>"
    path = hostile.workbook(tmp_path / "名单.xlsx", hostile.sheet(rows))
    client = client_for(world.registrar)
    records = EnrollmentRecord.objects.count()

    response = client.post(
        "/records/import/", {"file": SimpleUploadedFile("名单.xlsx", path.read_bytes())}
    )

    job = Job.objects.get(pk=response["Location"].split("/")[2])
    assert job.state == JobState.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    assert "第 70000 行 A 列有内容（可能是格式残留）" in page
    assert EnrollmentRecord.objects.count() == records


def test_the_upload_page_shows_a_doctype_refusal(client_for, world, tmp_path):
    path = hostile.billion_laughs_in_shared_strings(tmp_path / "名单.xlsx")
    client = client_for(world.registrar)

    response = client.post(
        "/records/import/", {"file": SimpleUploadedFile("名单.xlsx", path.read_bytes())}
    )

    job = Job.objects.get(pk=response["Location"].split("/")[2])
    assert job.state == JobState.FAILED
    assert DOCTYPE in client.get(job.get_absolute_url()).content.decode()
