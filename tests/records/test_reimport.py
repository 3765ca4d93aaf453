"""A re-import that changes records: the student who had confirmed hers is told and asked
again; the dry run and the report list what changes and what is created; new colleges
and majors need a yes; 考生号 warnings."""

from __future__ import annotations

import datetime
import io
import random

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import sms
from portal.lib import idnumbers
from portal.lib.models import AuditEvent, Job
from records.imports import roster_import
from records.models import College, Department, EnrollmentRecord, Major, RecordConfirmation
from tests.records.roster_files import (
    HEADER,
    id_number,
    newcomer,
    row_of,
    student,
    write_roster,
)

pytestmark = pytest.mark.django_db

NOTICE = "您的学籍信息（民族）已由学校更新，请登录重新校对。"


@pytest.fixture
def confirmed_alice(client_for, world):
    """Alice, with a phone and an e-mail address, has confirmed her record (正确)."""
    world.alice.phone, world.alice.email = "13800000001", "alice@example.edu.cn"
    world.alice.save()
    client_for(world.alice).post(f"/records/{world.alice_record.pk}/confirm/")
    assert RecordConfirmation.objects.filter(
        record=world.alice_record, revoked_at__isnull=True
    ).exists()
    sms.outbox.clear()
    return world.alice_record


# --- The re-import story -----------------------------------------------------------------


def test_a_reimport_that_changes_a_confirmed_record_revokes_it_and_tells_the_student(
    client_for, world, confirmed_alice, tmp_path, django_capture_on_commit_callbacks
):
    path = write_roster(tmp_path / "again.xlsx", [row_of(confirmed_alice, 民族="回族")])
    upload = SimpleUploadedFile("名单.xlsx", path.read_bytes())
    registrar = client_for(world.registrar)

    with django_capture_on_commit_callbacks(execute=True):
        response = registrar.post("/records/import/", {"file": upload})
    job = Job.objects.get(pk=response["Location"].split("/")[2])

    # the registrar's report: what changed, and that a confirmation ended
    assert job.result["changes"] == [
        {
            "student_number": confirmed_alice.student_number,
            "name": "李晓梅",
            "field": "民族",
            "old": "汉族",
            "new": "回族",
        }
    ]
    assert ["已失效的学生确认", 1] in job.result["summary"]
    # her confirmation no longer stands, and says why
    confirmation = RecordConfirmation.objects.get(record=confirmed_alice)
    assert confirmation.revoked_at is not None
    assert confirmation.revoked_reason == "学校导入名单时更新了：民族（汉族 → 回族）"
    # she is told by SMS and e-mail, after the commit: the fields, not the values
    assert [(m.phone, m.text) for m in sms.outbox] == [("13800000001", f"【学籍校对】{NOTICE}")]
    assert [(m.to, m.body) for m in mail.outbox] == [(["alice@example.edu.cn"], NOTICE)]
    # the per-record audit, with before and after
    event = AuditEvent.objects.get(action="records.imported", target_id=str(confirmed_alice.pk))
    assert event.changes == {"ethnicity": ["01", "03"]}
    assert event.actor == world.registrar
    assert "确认失效" in event.reason
    # her page says what changed, and asks her to confirm again
    page = client_for(world.alice).get("/records/mine/").content.decode()
    assert "您之前的确认已失效，请重新核对后确认。" in page
    assert "学校导入名单时更新了：民族（汉族 → 回族）。" in page
    day = timezone.localtime(confirmation.revoked_at)
    assert f"{day.year}年{day.month}月{day.day}日，学校导入名单时更新了" in page
    assert f'href="/records/{confirmed_alice.pk}/confirm/"' in page
    assert "已确认正确" not in page


def test_confirming_again_removes_the_change_notice(client_for, world, confirmed_alice, roster):
    roster_import(file=roster([row_of(confirmed_alice, 民族="回族")]), by=world.registrar)
    client = client_for(world.alice)

    client.post(f"/records/{confirmed_alice.pk}/confirm/")

    page = client.get("/records/mine/").content.decode()
    assert "已确认正确" in page
    assert "您之前的确认已失效" not in page


def test_a_dry_run_revokes_nothing_and_tells_nobody(
    world, confirmed_alice, roster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = roster_import(
            file=roster([row_of(confirmed_alice, 民族="回族")]), by=world.registrar, dry_run=True
        )

    assert (result.updated, result.revoked) == (1, 1)  # what would happen
    assert callbacks == []
    assert sms.outbox == []
    assert RecordConfirmation.objects.get(record=confirmed_alice).revoked_at is None
    confirmed_alice.refresh_from_db()
    assert confirmed_alice.ethnicity == "01"
    assert not AuditEvent.objects.filter(action="records.imported").exists()


def test_an_unchanged_confirmed_record_stays_confirmed(
    world, confirmed_alice, roster, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = roster_import(file=roster([row_of(confirmed_alice)]), by=world.registrar)

    assert (result.unchanged, result.revoked) == (1, 0)
    assert RecordConfirmation.objects.get(record=confirmed_alice).revoked_at is None
    assert sms.outbox == []


def test_a_changed_record_nobody_confirmed_is_audited_only(
    world, roster, django_capture_on_commit_callbacks
):
    world.bob.phone = "13800000002"
    world.bob.save()
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = roster_import(
            file=roster([row_of(world.bob_record, 学籍状态="休学")]), by=world.registrar
        )

    assert (result.updated, result.revoked) == (1, 0)
    assert sms.outbox == []
    event = AuditEvent.objects.get(action="records.imported")
    assert event.changes == {"status": ["registered", "suspended"]}
    assert event.reason == ""


def test_a_long_list_of_changes_fits_the_reason_with_the_field_names(
    world, confirmed_alice, roster, django_capture_on_commit_callbacks
):
    other = College.objects.get(name="经管学院")
    row = row_of(
        confirmed_alice,
        民族="维吾尔族",
        分院=other.name,
        班号="2023888",
        系所函授站="一个名字很长很长很长很长很长很长很长很长很长很长很长很长很长很长的函授站" * 2,
        学籍状态="休学",
        入学日期="2023-09-02",
        预计毕业日期="2027-07-02",
        生源省市="北京市",
        考生号="23110102999999",
    )

    result = roster_import(file=roster([row]), by=world.registrar)

    assert result.revoked == 1
    reason = RecordConfirmation.objects.get(record=confirmed_alice).revoked_reason
    assert len(reason) <= 200
    assert reason.startswith("学校导入名单时更新了：考生号、民族、生源省市、学籍状态")
    assert "→" not in reason


# --- What a dry run and the report list ------------------------------------------------


def test_a_dry_run_lists_the_changes_and_the_new_college_and_writes_nothing(world, roster):
    rows = [
        row_of(world.bob_record, 学籍状态="休学"),
        newcomer(5, 分院="信息工程学院", 专业名称="软件技术", 系所函授站="软件工程系"),
    ]

    result = roster_import(
        file=roster(rows), by=world.registrar, dry_run=True, allow_new_colleges=True
    )

    assert [str(c) for c in result.changes] == [
        f"{world.bob_record.student_number} 王强：学籍状态（在籍(注册学籍) → 休学）"
    ]
    assert result.new_names_shown() == [
        ("分院", "信息工程学院"),
        ("系(所、函授站)", "软件工程系（信息工程学院）"),
        ("专业", "软件技术（专科）"),
        ("班级", "2023101"),
    ]
    shown = result.as_dict()
    assert shown["created_title"] == "将新建"
    assert shown["changes_title"] == "将更新的字段"
    assert not College.objects.filter(name="信息工程学院").exists()
    world.bob_record.refresh_from_db()
    assert world.bob_record.status == "registered"


def test_the_report_lists_what_changed_and_what_was_created(world, roster):
    rows = [row_of(world.bob_record, 民族="回族"), newcomer(5, 班号="2023555", 分院="理工学院")]

    result = roster_import(file=roster(rows), by=world.registrar, allow_new_colleges=True)

    shown = result.as_dict()
    assert shown["created_title"] == "已新建"
    assert shown["created"] == [["专业", "软件技术（专科）"], ["班级", "2023555"]]
    assert shown["changes"][0]["field"] == "民族"


def test_an_id_number_change_is_listed_masked_with_nothing_that_rebuilds_it(world, roster):
    record = world.dave_record
    record.user = None  # an unbound record may change its ID number by import
    record.save()
    new_number = id_number(400)
    born = idnumbers.birth_date(new_number)
    sex = "男" if idnumbers.sex(new_number) == "1" else "女"
    row = row_of(record, 身份证号=new_number, 出生日期=born.isoformat(), 性别=sex)

    result = roster_import(file=roster([row]), by=world.registrar)

    shown = {c.field: (c.old, c.new) for c in result.changes}
    assert shown["证件号码"] == ("*" * 14 + record.id_number[-4:], "*" * 14 + new_number[-4:])
    assert shown["出生日期"] == (f"{record.birth_date.year}年", f"{born.year}年")
    assert new_number not in str(result.as_dict())


def test_the_list_of_changes_is_capped_with_a_count_of_the_rest(world, roster, monkeypatch):
    monkeypatch.setattr("records.imports.results.MAX_CHANGES", 2)
    rows = [
        row_of(r, 学籍状态="休学", 民族="回族")
        for r in (world.alice_record, world.bob_record, world.carol_record)
    ]

    result = roster_import(file=roster(rows), by=world.registrar)

    assert len(result.changes) == 2
    assert result.changes_more == 4
    assert result.as_dict()["changes_more"] == 4


def test_the_command_prints_the_would_be_changes_and_new_colleges(world, roster):
    path = roster([row_of(world.bob_record, 民族="回族"), newcomer(5)])
    out = io.StringIO()

    call_command("import_roster", str(path), "--dry-run", "--allow-new-colleges", stdout=out)

    printed = out.getvalue()
    assert "将新建分院：信息工程学院" in printed
    assert "将新建专业：软件技术（专科）" in printed
    assert f"{world.bob_record.student_number} 王强：民族（汉族 → 回族）" in printed
    assert "数据未写入" in printed
    assert not College.objects.filter(name="信息工程学院").exists()


# --- New colleges and majors need a yes ------------------------------------------------


def test_a_misspelled_college_is_refused_with_the_name_it_resembles(world, roster):
    College.objects.create(institution=world.institution, code="XX", name="信息工程学院")
    klass = world.class_a

    result = roster_import(
        file=roster([row_of(world.bob_record, 分院="信息工程学园", 班号="")]),
        by=world.registrar,
    )

    assert [str(e) for e in result.errors] == [
        "第 2 行，R 列（分院）：分院“信息工程学园”不存在，是否为“信息工程学院”？"
        "如确需新建，请勾选“允许新建学院、专业”（命令行加 --allow-new-colleges）后重新导入。"
    ]
    assert not College.objects.filter(name="信息工程学园").exists()
    world.bob_record.refresh_from_db()
    assert world.bob_record.college == klass.college


def test_a_dry_run_is_refused_too_and_a_name_like_none_gets_no_suggestion(world, roster):
    result = roster_import(
        file=roster([newcomer(5, 分院="外国语学院")]), by=world.registrar, dry_run=True
    )

    reasons = {e.header: e.reason for e in result.errors}
    assert reasons["分院"].startswith("分院“外国语学院”在系统中不存在，导入将新建它。")
    assert reasons["专业名称"].startswith("专业“软件技术（专科）”在系统中不存在")
    assert result.as_dict()["failed"] is True


def test_a_major_at_another_level_is_new_and_suggests_the_existing_one(world, roster):
    major = world.class_a.major  # 本科
    row = row_of(world.bob_record, 层次="专科", 学制="3", 班号="")

    result = roster_import(file=roster([row]), by=world.registrar)

    assert [e.reason.split("？")[0] for e in result.errors] == [
        f"专业“{major.name}（专科）”不存在，是否为“{major.name}（本科）”"
    ]


def test_with_the_yes_the_new_college_is_created_and_listed(world, roster):
    result = roster_import(
        file=roster([row_of(world.bob_record, 分院="信息工程学园", 班号="2023777")]),
        by=world.registrar,
        allow_new_colleges=True,
    )

    assert result.errors == []
    assert College.objects.filter(institution=world.institution, name="信息工程学园").exists()
    assert result.new_names == {"colleges": ["信息工程学园"], "classes": ["2023777"]}
    number = world.bob_record.student_number
    assert [str(c) for c in result.changes] == [
        f"{number} 王强：分院（理工学院 → 信息工程学园）",
        f"{number} 王强：班级（{world.class_a.name} → 2023777）",  # the class it left, by name
    ]
    event = AuditEvent.objects.get(action="records.imported")
    assert event.changes["school_class"] == [world.class_a.code, "2023777"]


def test_new_departments_and_classes_need_no_yes_and_are_listed(world, roster):
    row = row_of(world.bob_record, 系所函授站="软件工程系", 班号="2023999")
    majors = Major.objects.count()

    result = roster_import(file=roster([row]), by=world.registrar)

    assert result.errors == []
    assert Department.objects.filter(name="软件工程系").exists()
    assert result.new_names == {"departments": ["软件工程系（理工学院）"], "classes": ["2023999"]}
    assert Major.objects.count() == majors


def test_the_command_refuses_a_new_college_without_the_flag(world, roster):
    path = roster([row_of(world.bob_record, 分院="理工学园", 班号="")])
    err = io.StringIO()

    with pytest.raises(CommandError, match="发现 1 处错误"):
        call_command("import_roster", str(path), stderr=err)

    assert "是否为“理工学院”" in err.getvalue()
    out = io.StringIO()
    call_command("import_roster", str(path), "--allow-new-colleges", stdout=out)
    assert "已新建分院：理工学园" in out.getvalue()


# --- 考生号 warnings --------------------------------------------------------------------


def test_examinee_number_warnings_are_listed_by_row_and_do_not_stop_the_import(roster):
    rows = [
        student(1),  # 23 36: agrees with 2023 and 江西省
        student(2, 考生号="24360102000002"),  # year 24 for 录取年份 2023
        student(3, 考生号="23110102000003"),  # 11 (北京市) for 江西省
        student(4, 考生号="2336010200004"),  # 13 digits: another form, not checked
        student(5, 考生号="A3110102000005"),  # not all digits: not checked
    ]

    result = roster_import(file=roster(rows), allow_new_colleges=True)

    assert result.created == 5
    assert [str(w) for w in result.warnings] == [
        "第 3 行，A 列（考生号）：考生号第 1–2 位“24”是高考年份，与录取年份 2023 不符",
        "第 4 行，A 列（考生号）：考生号第 3–4 位“11”（北京市）与生源省市（江西省）不符",
    ]
    shown = result.as_dict()
    assert [w["row"] for w in shown["warnings"]] == [3, 4]
    assert shown["errors"] == []


def test_strict_makes_the_warnings_errors_and_writes_nothing(roster):
    rows = [student(1), student(2, 考生号="24360102000002")]

    result = roster_import(file=roster(rows), allow_new_colleges=True, strict=True)

    assert [(e.row, e.header) for e in result.errors] == [(3, "考生号")]
    assert result.warnings == []
    assert not EnrollmentRecord.objects.exists()


def test_warnings_are_listed_beside_the_errors_of_a_bad_file(roster):
    rows = [student(1, 民族="火星族"), student(2, 考生号="24360102000002")]

    result = roster_import(file=roster(rows), allow_new_colleges=True)

    assert [e.row for e in result.errors] == [2]
    assert [w.row for w in result.warnings] == [3]


def test_the_command_prints_warnings_and_strict_refuses(roster):
    path = roster([student(1), student(2, 考生号="23110102000002")])
    err = io.StringIO()

    call_command(
        "import_roster",
        str(path),
        "--dry-run",
        "--allow-new-colleges",
        stderr=err,
        stdout=io.StringIO(),
    )

    assert "警告：第 3 行，A 列（考生号）：考生号第 3–4 位“11”（北京市）" in err.getvalue()
    with pytest.raises(CommandError, match="发现 1 处错误"):
        call_command(
            "import_roster", str(path), "--allow-new-colleges", "--strict", stderr=io.StringIO()
        )
    assert not EnrollmentRecord.objects.exists()


# --- Cost -------------------------------------------------------------------------------


def _reimport_queries(world, roster, first: int, n: int) -> int:
    rows = [newcomer(k, 班号="2023555") for k in range(first, first + n)]
    roster_import(file=roster(rows), by=world.registrar, allow_new_colleges=True)
    path = roster(rows)
    with CaptureQueriesContext(connection) as done:
        result = roster_import(file=path, by=world.registrar)
    assert result.unchanged == n
    return len(done.captured_queries)


def test_a_reimport_of_unchanged_rows_costs_the_same_queries_for_2_and_40_rows(world, roster):
    """Unchanged rows cost no audit, no confirmation look-up, no notice."""
    assert _reimport_queries(world, roster, 1, 2) == _reimport_queries(world, roster, 101, 40)


def test_changed_rows_look_up_confirmations_once_per_chunk(client_for, world, roster):
    for persona in (world.alice, world.bob):
        client_for(persona).post(f"/records/{persona.enrollment_records.get().pk}/confirm/")
    rows = [
        row_of(r, 学籍状态="休学")
        for r in (world.alice_record, world.bob_record, world.carol_record)
    ]

    with CaptureQueriesContext(connection) as done:
        result = roster_import(file=roster(rows), by=world.registrar)

    assert (result.updated, result.revoked) == (3, 2)
    sql = [q["sql"] for q in done.captured_queries if "recordconfirmation" in q["sql"]]
    # One look-up, a revocation each, then the two records' check results in one UPDATE
    # of the records (records.progress), whose subquery names the confirmations.
    assert [q.split()[0] for q in sql] == ["SELECT", "UPDATE", "UPDATE", "UPDATE"]
    assert "enrollmentrecord" in sql[-1].split()[1]
    assert all("recordconfirmation" in q.split()[1] for q in sql[:3])


def test_changed_rows_of_unbound_records_look_up_no_confirmations(world, roster):
    rows = [newcomer(k) for k in range(1, 21)]
    roster_import(file=roster(rows), by=world.registrar, allow_new_colleges=True)
    path = roster([newcomer(k, 学籍状态="休学") for k in range(1, 21)])

    with CaptureQueriesContext(connection) as done:
        result = roster_import(file=path, by=world.registrar)

    assert result.updated == 20
    assert not [q for q in done.captured_queries if "recordconfirmation" in q["sql"]]


def test_a_blank_examinee_number_is_warned_on_the_stored_one(roster):
    first = roster([student(1, 考生号="23360102000001", 生源省市="江西省")])
    assert roster_import(file=first, allow_new_colleges=True).ok
    again = roster([student(1, 考生号="", 生源省市="云南省")])

    result = roster_import(file=again, strict=True)

    assert [e.reason for e in result.errors] == [
        "考生号第 3–4 位“36”（江西省）与生源省市（云南省）不符"
    ]
    assert EnrollmentRecord.objects.get().origin_region == "360000"


def test_the_import_never_replaces_a_first_generation_number_by_its_second(roster):
    born = datetime.date(1985, 3, 4)
    number = idnumbers.generate(rng=random.Random(7), region="360102", birth=born, sex="1")
    legacy = number[:6] + number[8:17]
    first = student(1, 身份证号=legacy, 出生日期="1985-03-04", 性别="男")
    assert roster_import(file=roster([first]), allow_new_colleges=True).ok

    result = roster_import(file=roster([{**first, "身份证号": number}]))

    assert [e.header for e in result.errors] == ["身份证号"]
    assert "一代身份证换成二代身份证的" in result.errors[0].reason
    assert EnrollmentRecord.objects.get().id_number == legacy


def test_a_leaving_date_is_imported_and_a_blank_one_keeps_it(roster, tmp_path):
    row = student(1, 学籍状态="退学")
    header = [*HEADER, "离校日期"]
    first = write_roster(
        tmp_path / "left.xlsx", [{**row, "离校日期": "2024年6月30日"}], header=header
    )
    assert roster_import(file=first, allow_new_colleges=True).ok
    assert EnrollmentRecord.objects.get().leaving_date == datetime.date(2024, 6, 30)

    assert roster_import(file=roster([row])).ok

    assert EnrollmentRecord.objects.get().leaving_date == datetime.date(2024, 6, 30)
