"""The rows of the feedback sheet (notices.feedback): ascending student number, and
校对结果 filled from what each student did."""

from imaging.models import PhotoKind, PhotoState
from notices.feedback import class_rows, student_number_key
from notices.models import NoticeTask
from records.models import EnrollmentRecord, RecordStatus, ReportState
from tests import factories
from tests.notices.conftest import confirm, done_everything, make_notice, photo, report


def _rows(notice, world):
    return {row.name: row for row in class_rows(notice, world.class_a)}


def test_rows_are_in_ascending_student_number_with_serial_numbers(world, notice):
    factories.record(world.class_a, student_number="2023000010", name="甲")
    factories.record(world.class_a, student_number="2023000002", name="乙")

    rows = class_rows(notice, world.class_a)

    numbers = [row.student_number for row in rows]
    assert numbers == sorted(numbers)
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))


def test_numeric_student_numbers_of_different_length_sort_as_numbers():
    assert sorted(["10", "9", "100"], key=student_number_key) == ["9", "10", "100"]


def test_a_student_who_confirmed_everything_reads_no_error(world, notice):
    done_everything(world.alice_record)

    row = _rows(notice, world)["李晓梅"]

    assert (row.result, row.state, row.done) == ("无误", "ok", True)


def test_a_student_who_did_nothing_reads_not_checked(world, notice):
    photo(world.bob_record)

    row = _rows(notice, world)["王强"]

    assert (row.result, row.state, row.done) == ("未校对", "missing", False)


def test_a_reported_error_is_written_out_with_field_current_and_claimed_value(world, notice):
    report(world.alice_record, field="ethnicity", current="汉族", claimed="回族")
    photo(world.alice_record, state=PhotoState.CONFIRMED)

    row = _rows(notice, world)["李晓梅"]

    assert row.state == "anomaly"
    assert row.result == "民族有误：现为“汉族”，应为“回族”"
    assert row.done


def test_the_brief_names_the_reported_field_without_its_values(world, notice):
    report(world.alice_record, field="ethnicity", current="汉族", claimed="回族")

    row = _rows(notice, world)["李晓梅"]

    assert row.result == "民族有误：现为“汉族”，应为“回族”；无照片，须补采"
    assert row.brief == "民族有误；无照片，须补采"
    assert row.without_values().result == row.brief


def test_a_disputed_photo_is_written_out_with_its_reason(world, notice):
    confirm(world.alice_record)
    photo(
        world.alice_record,
        kind=PhotoKind.DIPLOMA,
        state=PhotoState.DISPUTED,
        reason="not_me",
        comment="照片是别人的",
    )

    row = _rows(notice, world)["李晓梅"]

    assert row.result == "学历照片有误：不是本人照片（照片是别人的）"


def test_no_photo_is_an_anomaly_the_sheet_shows(world, notice):
    confirm(world.alice_record)

    row = _rows(notice, world)["李晓梅"]

    assert (row.result, row.done) == ("无照片，须补采", False)


def test_half_done_says_which_half_is_missing(world, notice):
    confirm(world.alice_record)
    photo(world.alice_record)

    assert _rows(notice, world)["李晓梅"].result == "照片未校对"


def test_an_accepted_correction_waits_for_the_student_to_confirm_again(world, notice):
    report(world.alice_record, state=ReportState.ACCEPTED)
    photo(world.alice_record, state=PhotoState.CONFIRMED)

    row = _rows(notice, world)["李晓梅"]

    assert (row.result, row.done) == ("学籍信息已更正，待本人再次确认", False)


def test_a_record_check_notice_ignores_photos(world):
    notice = make_notice(world, task=NoticeTask.RECORD_CHECK)
    confirm(world.alice_record)

    assert _rows(notice, world)["李晓梅"].result == "无误"


def test_students_outside_the_audience_are_not_on_the_sheet(world, notice):
    factories.record(world.class_a, name="留级生", admission_year=2022)

    assert "留级生" not in _rows(notice, world)


def test_a_withdrawn_student_reads_her_status_and_counts_as_done(world, notice):
    """退学 ends the study: nothing to check (records.self_check), and the sheet says so
    in words (seed 004: 学籍异动) instead of 未校对."""
    EnrollmentRecord.objects.filter(pk=world.bob_record.pk).update(status=RecordStatus.WITHDRAWN)
    photo(world.bob_record, state=PhotoState.CONFIRMED)

    row = _rows(notice, world)["王强"]

    assert (row.result, row.state, row.done) == ("学籍状态为“退学”，无需校对", "anomaly", True)


def test_sheet_rows_of_a_college_cost_no_query_per_record_status(
    world, notice, django_assert_max_num_queries
):
    """The row reads the status: it is loaded with the rows (SHEET_FIELDS), not one by one."""
    for _ in range(5):
        factories.record(world.class_a, status=RecordStatus.WITHDRAWN)
    with django_assert_max_num_queries(10) as few:
        class_rows(notice, world.class_a)
    for _ in range(5):
        factories.record(world.class_a, status=RecordStatus.COMPLETED)

    with django_assert_max_num_queries(len(few.captured_queries)):
        class_rows(notice, world.class_a)


def test_a_zsb_student_with_her_junior_degree_unchecked_is_not_no_error(world, notice):
    from records.models import Level, RecordConfirmation

    junior = factories.degree(world.institution, owner=world.alice, level=Level.JUNIOR_COLLEGE)
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(
        level=Level.BACHELOR, prior_degree=junior
    )
    done_everything(world.alice_record)

    row = _rows(notice, world)["李晓梅"]

    assert (row.result, row.state, row.done) == ("专科学历未校对", "missing", False)

    RecordConfirmation.objects.create(degree=junior, user=world.alice)

    row = _rows(notice, world)["李晓梅"]

    assert (row.result, row.state, row.done) == ("无误", "ok", True)
