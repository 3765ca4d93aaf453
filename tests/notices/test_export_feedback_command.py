"""python manage.py export_feedback --notice N (--class CODE | --college CODE) -o FILE"""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.notices.conftest import done_everything
from tests.notices.xlsx_helpers import data_rows, open_book


def _run(*args):
    out = io.StringIO()
    call_command("export_feedback", *args, stdout=out)
    return out.getvalue()


def test_one_class_to_a_file(world, notice, tmp_path):
    done_everything(world.alice_record)
    target = tmp_path / "a.xlsx"

    output = _run("--notice", notice.number, "--class", world.class_a.code, "-o", str(target))

    book = open_book(target.read_bytes())
    assert book.sheetnames == [world.class_a.name]
    assert data_rows(book.active)[0][2:4] == ("李晓梅", "无误")
    assert "1 个班级，2 名学生" in output


def test_a_college_to_one_workbook(world, notice, tmp_path):
    target = tmp_path / "college.xlsx"

    _run("--notice", str(notice.pk), "--college", "LG", "-o", str(target))

    assert len(open_book(target.read_bytes()).sheetnames) == 2


def test_an_unknown_class_is_an_error(world, notice, tmp_path):
    with pytest.raises(CommandError, match="找不到班级"):
        _run("--notice", notice.number, "--class", "nope", "-o", str(tmp_path / "x.xlsx"))


def test_class_and_college_are_exclusive(world, notice, tmp_path):
    with pytest.raises(CommandError):
        _run("--notice", notice.number, "--class", "a", "--college", "b", "-o", "x.xlsx")
