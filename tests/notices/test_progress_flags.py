"""The progress page flags a class sheet that changed since it was signed (签名后有变化) or
handed in (交表后有变化), saying who and what, for the counselor and the college; and a
sheet past its deadline unsigned reads 逾期 on the page and in its export."""

import datetime

from django.utils import timezone

from notices.models import FeedbackSheet
from notices.services.sheets import sheet_countersign, sheet_sign, sheets_sync
from tests.notices.conftest import bulk_class, bulk_student, count_queries, done_everything, report
from tests.notices.xlsx_helpers import open_book


def _url(notice):
    return f"/notices/{notice.pk}/progress/"


def test_the_counselor_reads_who_changed_since_she_signed(client_for, world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    report(world.bob_record)

    page = client_for(world.counselor).get(_url(sheet.notice)).content.decode()

    assert "签名后有变化" in page
    assert f"王强（{world.bob_record.student_number}）：无照片，须补采；学籍信息未校对 → " in page
    assert "应为“回族”" in page  # what the student reported: staff read the values


def test_the_college_reads_who_changed_since_it_was_handed_in(client_for, world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    sheet_countersign(sheet=sheet, by=world.college_staff, opinion="同意")
    done_everything(world.alice_record)

    page = client_for(world.college_staff).get(_url(sheet.notice)).content.decode()

    assert "交表后有变化" in page and "签名后有变化" not in page
    number = world.alice_record.student_number
    assert f"李晓梅（{number}）：无照片，须补采；学籍信息未校对 → 无误" in page


def test_an_unchanged_signed_sheet_carries_no_flag(client_for, world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)

    page = client_for(world.counselor).get(_url(sheet.notice)).content.decode()

    assert "有变化" not in page


def test_the_monitor_never_reads_the_flag_on_her_home_page(client_for, world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    report(world.bob_record)

    page = client_for(world.alice).get("/").content.decode()

    assert "有变化" not in page and "回族" not in page


def _sign_every_sheet(world, notice):
    sheets_sync(notice=notice)
    for sheet in FeedbackSheet.objects.filter(notice=notice, counselor_signed_at=None):
        sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)


def test_the_flags_cost_the_same_queries_for_1_class_or_many(
    client_for, world, notice, django_assert_max_num_queries
):
    _sign_every_sheet(world, notice)
    report(world.bob_record)
    client = client_for(world.counselor)
    small = count_queries(client, _url(notice))
    for _ in range(4):
        klass = bulk_class(world.class_a.college)
        klass.counselors.add(world.counselor)
        students = [bulk_student(klass)[1] for _n in range(3)]
        _sign_every_sheet(world, notice)
        report(students[0])

    with django_assert_max_num_queries(small):
        page = client.get(_url(notice)).content.decode()

    assert page.count("签名后有变化") == 5


def test_an_unsigned_sheet_past_its_deadline_reads_overdue_on_the_page_and_in_its_export(
    client_for, world, sheet
):
    notice = sheet.notice
    notice.sheet_deadline = timezone.now() - datetime.timedelta(hours=1)
    notice.save()
    client = client_for(world.counselor)

    page = client.get(_url(notice)).content.decode()
    ws = open_book(client.get(f"/notices/sheets/{sheet.pk}/export.xlsx").content).active

    assert "逾期" in page
    signed = [cell.value for cell in ws[ws.max_row]]
    assert signed[0] == "逾期未签名" and signed[3] == "逾期未上交"
