"""A class's page for a notice: who has not done the task, and its feedback sheet."""

from notices.models import FeedbackSheet
from notices.services.sheets import sheets_sync
from tests.notices.conftest import bulk_student, count_queries, done_everything, report


def _url(sheet):
    return f"/notices/sheets/{sheet.pk}/"


def test_counselor_sees_who_has_not_done_it_with_masked_id_numbers(client_for, world, sheet):
    done_everything(world.alice_record)

    page = client_for(world.counselor).get(_url(sheet)).content.decode()

    pending = page.split('id="pending-heading"')[1].split('id="sheet-heading"')[0]
    assert "王强" in pending and "李晓梅" not in pending
    assert world.bob_record.masked_id_number in pending
    assert world.bob_record.id_number not in page


def test_the_sheet_lists_every_student_with_the_result(client_for, world, sheet):
    done_everything(world.alice_record)
    report(world.bob_record)

    page = client_for(world.counselor).get(_url(sheet)).content.decode()

    sheet_part = page.split('id="sheet-heading"')[1]
    assert "无误" in sheet_part
    assert "民族有误：现为“汉族”，应为“回族”" in sheet_part


def test_the_monitor_sees_the_sheet_but_not_the_staff_list(client_for, world, sheet):
    page = client_for(world.alice).get(_url(sheet)).content.decode()

    assert "王强" in page
    assert 'id="pending-heading"' not in page
    assert world.bob_record.masked_id_number not in page
    assert 'name="remark_' in page  # the monitor fills the sheet


def test_a_classmate_who_is_not_monitor_gets_404(client_for, world, sheet):
    assert client_for(world.bob).get(_url(sheet)).status_code == 404


def test_counselor_of_another_class_gets_404(client_for, world, notice):
    sheets_sync(notice=notice)
    other = FeedbackSheet.objects.get(notice=notice, school_class=world.class_b)

    assert client_for(world.counselor).get(_url(other)).status_code == 404


def test_the_page_costs_the_same_queries_for_2_or_40_students(
    client_for, world, sheet, django_assert_max_num_queries
):
    client = client_for(world.counselor)
    report(world.bob_record)  # every kind of row is on the page in both counts
    small = count_queries(client, _url(sheet))
    for n in range(38):
        _user, record = bulk_student(world.class_a)
        if n % 3 == 0:
            done_everything(record)
        elif n % 3 == 1:
            report(record)

    with django_assert_max_num_queries(small):
        assert client.get(_url(sheet)).status_code == 200
