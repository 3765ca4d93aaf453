"""The graduate's 学历 self-check: every field of the degree, 正确 after a second
confirmation, 有误 with the fields, the right values and evidence, withdraw, and the
registrar's decision in the same queue as a 学籍's (issue 16 §2)."""

import datetime

import pytest

from accounts import sms
from portal.lib.models import AuditEvent
from records.models import (
    CheckResult,
    DegreeRecord,
    DiscrepancyReport,
    RecordConfirmation,
    ReportState,
)
from tests import factories
from tests.clients import csrf_client, csrf_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def degree(world) -> DegreeRecord:
    """Alice's 学历 of her 学籍 (class A, 理工学院)."""
    return factories.degree(world.institution, record=world.alice_record)


@pytest.fixture
def old_degree(world) -> DegreeRecord:
    """A 往届毕业生's 学历 with no 学籍 here, counted under 经管学院."""
    college = world.dave_record.college
    graduate = factories.user(real_name="孙雅", username="sunya", id_number=factories.id_number())
    return factories.degree(world.institution, owner=graduate, college=college)


def _report(client, degree, jpeg_upload, **extra):
    data = {
        "wrong_name": "on",
        "value_name": "李小梅",
        "explanation": "户口本上的名字",
        "kind_0": "hukou",
        "file_0": jpeg_upload(),
        "kind_1": "police",
        "file_1": jpeg_upload(),
        **extra,
    }
    return csrf_post(client, f"/records/degrees/{degree.pk}/report/", data)


def test_the_degree_page_shows_every_field_and_marks_the_first_look(client_for, world, degree):
    page = client_for(world.alice).get(f"/records/degrees/{degree.pk}/").content.decode()

    for words in (degree.certificate_number, degree.major_name, "毕（结）业", "2020年7月1日"):
        assert words in page
    assert world.alice_record.id_number in page  # her own page: whole, as her 学籍 page
    assert "学历信息正确" in page and "学历信息有误" in page
    degree.refresh_from_db()
    assert degree.first_viewed_at is not None


def test_the_records_page_links_each_degree_card_to_its_page(client_for, world, degree):
    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert f'href="/records/degrees/{degree.pk}/"' in page
    assert "未查看" in page


def test_confirming_asks_twice_and_a_double_click_records_one(world, degree):
    client = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/confirm/")
    dialog = client.get(f"/records/degrees/{degree.pk}/confirm/").content.decode()
    assert "确认学历信息正确？" in dialog

    for _ in range(2):
        response = csrf_post(client, f"/records/degrees/{degree.pk}/confirm/")
        assert response.status_code == 302

    assert RecordConfirmation.objects.filter(degree=degree, revoked_at__isnull=True).count() == 1
    degree.refresh_from_db()
    assert degree.check_result == CheckResult.CONFIRMED
    assert AuditEvent.objects.filter(action="records.degree_confirmed").count() == 1
    page = client.get(f"/records/degrees/{degree.pk}/").content.decode()
    assert "已确认正确" in page and "学历信息有误" not in page


def test_a_report_keeps_the_fields_the_values_and_the_evidence(world, degree, jpeg_upload):
    client = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")

    response = _report(client, degree, jpeg_upload)

    assert response.status_code == 302
    report = DiscrepancyReport.objects.get(degree=degree)
    assert report.record is None
    item = report.items.get()
    assert (item.field, item.current_value, item.claimed_value) == ("name", "李晓梅", "李小梅")
    assert report.evidence.count() == 2
    degree.refresh_from_db()
    assert degree.check_result == CheckResult.REPORTED
    assert AuditEvent.objects.filter(action="records.degree_reported").exists()


def test_the_report_form_shows_the_change_policy_and_not_the_certificate_number(
    client_for, world, degree
):
    page = client_for(world.alice).get(f"/records/degrees/{degree.pk}/report/").content.decode()

    assert "需上传：户口本、公安部门证明" in page  # 姓名's change policy (records.rules.policy)
    assert 'name="wrong_major_name"' in page and 'name="wrong_graduation_date"' in page
    assert 'name="wrong_certificate_number"' not in page


def test_a_claim_without_the_evidence_its_field_needs_is_refused(world, degree):
    client = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")

    response = csrf_post(
        client,
        f"/records/degrees/{degree.pk}/report/",
        {"wrong_name": "on", "value_name": "李小梅"},
    )

    assert response.status_code == 200
    assert "更正姓名需上传：户口本、公安部门证明" in response.content.decode()
    assert not DiscrepancyReport.objects.exists()


def test_a_level_that_disagrees_with_the_certificate_number_is_refused(world, degree):
    client = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")

    response = csrf_post(
        client,
        f"/records/degrees/{degree.pk}/report/",
        {"wrong_level": "on", "value_level": "专科"},
    )

    assert "证书编号第 11–12 位" in response.content.decode()
    assert not DiscrepancyReport.objects.exists()


def test_withdrawing_reopens_the_check(world, degree, jpeg_upload):
    client = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")
    _report(client, degree, jpeg_upload)
    report = DiscrepancyReport.objects.get(degree=degree)

    response = csrf_post(client, f"/records/reports/{report.pk}/withdraw/")

    assert response["Location"] == f"/records/degrees/{degree.pk}/"
    report.refresh_from_db()
    degree.refresh_from_db()
    assert report.state == ReportState.WITHDRAWN
    assert degree.check_result == CheckResult.NONE


def test_the_registrar_accepts_corrects_the_degree_and_asks_again(
    world, degree, jpeg_upload, django_capture_on_commit_callbacks
):
    world.alice.phone = "13800000001"
    world.alice.save()
    student = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/confirm/")
    csrf_post(student, f"/records/degrees/{degree.pk}/confirm/")
    _report(student, degree, jpeg_upload)
    report = DiscrepancyReport.objects.get(degree=degree)
    registrar = csrf_client(world.registrar, first_page=f"/records/queue/{report.pk}/")
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(
            registrar,
            f"/records/queue/{report.pk}/",
            {"decision": "accept", "fields_to_apply": ["name"]},
        )

    assert response.status_code == 302
    degree.refresh_from_db()
    assert degree.name == "李小梅"
    assert degree.check_result == CheckResult.NONE  # she is asked to confirm again
    assert not RecordConfirmation.objects.filter(degree=degree, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="records.degree_corrected")
    assert event.actor == world.registrar
    assert event.changes["name"] == ["李晓梅", "李小梅"]
    assert any("学历有误申请已处理" in message.text for message in sms.outbox)
    page = student.get(f"/records/degrees/{degree.pk}/").content.decode()
    assert "学历信息正确" in page and "已更正" in page


def test_the_registrar_rejects_with_a_reason(world, degree, jpeg_upload):
    student = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")
    _report(student, degree, jpeg_upload)
    report = DiscrepancyReport.objects.get(degree=degree)
    registrar = csrf_client(world.registrar, first_page=f"/records/queue/{report.pk}/")

    csrf_post(
        registrar, f"/records/queue/{report.pk}/", {"decision": "reject", "note": "材料不清楚"}
    )

    report.refresh_from_db()
    degree.refresh_from_db()
    assert report.state == ReportState.REJECTED
    assert degree.name == "李晓梅" and degree.check_result == CheckResult.NONE
    assert AuditEvent.objects.filter(action="records.report_rejected").exists()


def test_the_decision_page_shows_the_degree(client_for, world, degree, jpeg_upload):
    _report(csrf_client(world.alice, first_page="/records/mine/"), degree, jpeg_upload)
    report = DiscrepancyReport.objects.get(degree=degree)

    page = client_for(world.registrar).get(f"/records/queue/{report.pk}/").content.decode()

    assert "学历有误申请" in page and degree.certificate_number in page
    assert "李晓梅" in page and "李小梅" in page


def test_the_queue_filters_reports_of_records_and_of_degrees(
    client_for, world, degree, old_degree, jpeg_upload
):
    _report(csrf_client(world.alice, first_page="/records/mine/"), degree, jpeg_upload)
    DiscrepancyReport.objects.create(record=world.bob_record, user=world.bob)
    client = client_for(world.registrar)

    degrees = client.get("/records/queue/", {"kind": "degree"}).content.decode()
    records = client.get("/records/queue/", {"kind": "record"}).content.decode()

    assert degree.certificate_number in degrees
    assert 'name="kind"' in degrees  # the filter: 全部 / 学籍 / 学历
    assert world.bob_record.student_number not in degrees
    assert world.bob_record.student_number in records
    assert degree.certificate_number not in records


def test_the_queue_export_says_which_kind_each_row_is(client_for, world, degree, jpeg_upload):
    import io

    from openpyxl import load_workbook

    _report(csrf_client(world.alice, first_page="/records/mine/"), degree, jpeg_upload)
    response = client_for(world.registrar).get("/records/queue/export/")

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "学历" in cells
    assert degree.certificate_number in cells


def test_a_queue_of_degree_reports_costs_the_same_queries_for_1_and_20(
    client_for, world, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    first = factories.degree(world.institution, record=world.bob_record)
    DiscrepancyReport.objects.create(degree=first, user=world.bob)
    with django_assert_max_num_queries(12) as few:
        client.get("/records/queue/")
    for _ in range(19):
        account, record = factories.student(world.class_b)
        found = factories.degree(world.institution, record=record)
        DiscrepancyReport.objects.create(degree=found, user=account)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/records/queue/").status_code == 200


@pytest.mark.parametrize("page", ["", "confirm/", "report/"])
def test_another_students_degree_is_not_found(client_for, world, degree, page):
    response = client_for(world.bob).get(f"/records/degrees/{degree.pk}/{page}")

    assert response.status_code == 404


def test_another_student_cannot_confirm_it(world, degree):
    client = csrf_client(world.bob, first_page="/records/mine/")

    response = csrf_post(client, f"/records/degrees/{degree.pk}/confirm/")

    assert response.status_code == 404
    assert not RecordConfirmation.objects.filter(degree=degree).exists()


def test_staff_see_reports_of_degrees_in_their_scope_only(world, degree, old_degree):
    alice = DiscrepancyReport.objects.create(degree=degree, user=world.alice)
    old = DiscrepancyReport.objects.create(degree=old_degree, user=old_degree.user)

    def seen(user):
        return set(DiscrepancyReport.objects.visible_to(user))

    assert seen(world.registrar) == {alice, old}
    assert seen(world.other_registrar) == set()
    assert seen(world.college_staff) == {alice}  # 理工学院: Alice's
    assert seen(world.other_college_staff) == {old}  # 经管学院: the 往届毕业生's
    assert seen(world.counselor) == {alice}  # class A, through her 学籍
    assert seen(world.alice) == {alice}
    assert seen(world.bob) == set()


def test_a_degree_report_after_the_deadline_is_refused(world, degree, deadline_passed):
    client = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")

    page = client.get(f"/records/degrees/{degree.pk}/report/").content.decode()

    assert "逾期不再办理" in page


def test_graduation_date_claims_are_read_by_the_field_rules(world, degree):
    client = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")

    response = csrf_post(
        client,
        f"/records/degrees/{degree.pk}/report/",
        {"wrong_graduation_date": "on", "value_graduation_date": "2015-07-01"},
    )

    # Before the entry date, and against the certificate number's year.
    assert response.status_code == 200
    assert not DiscrepancyReport.objects.exists()
    assert datetime.date(2015, 7, 1) != degree.graduation_date


# The student's task and the progress counts ------------------------------------------------


def test_a_graduates_record_task_is_done_once_she_checks_her_degree(client_for, world):
    from notices.models import NoticeTask
    from notices.selectors import class_progress
    from tests.notices.conftest import make_notice

    notice = make_notice(world, task=NoticeTask.RECORD_CHECK)
    record = world.bob_record
    record.status = "graduated"
    record.save()
    degree = factories.degree(world.institution, record=record)

    def bobs_class():
        rows = {row.school_class: row.counts for row in class_progress(notice, world.registrar)}
        return rows[world.class_a]

    before = bobs_class().n_done
    todo = client_for(world.bob).get("/").content.decode()
    assert "学历信息尚未校对" in todo and f"/records/degrees/{degree.pk}/" in todo

    RecordConfirmation.objects.create(degree=degree, user=world.bob)

    assert bobs_class().n_done == before + 1
    assert "学历信息尚未校对" not in client_for(world.bob).get("/").content.decode()


def test_progress_counts_a_degree_only_graduate_under_the_colleges_graduates(
    client_for, world, old_degree, django_assert_max_num_queries
):
    from notices.models import NoticeTask
    from notices.selectors import college_progress, graduate_progress
    from tests.notices.conftest import make_notice

    notice = make_notice(world, task=NoticeTask.RECORD_CHECK)
    RecordConfirmation.objects.create(degree=old_degree, user=old_degree.user)

    graduates = graduate_progress(notice, world.registrar)
    colleges = {
        row.college.name: row.counts for row in college_progress(notice, world.registrar, graduates)
    }

    assert [(g.college_name, g.major_name) for g in graduates] == [("经管学院", "会计学")]
    assert (graduates[0].counts.n_students, graduates[0].counts.n_done) == (1, 1)
    assert colleges["经管学院"].n_students == 2  # dave, and the 往届毕业生
    assert colleges["经管学院"].n_confirmed == 1
    assert graduate_progress(notice, world.college_staff) == []  # 理工学院 sees none
    assert len(graduate_progress(notice, world.other_college_staff)) == 1  # 经管学院
    client = client_for(world.registrar)
    with django_assert_max_num_queries(60) as few:
        page = client.get(f"/notices/{notice.pk}/progress/").content.decode()
    assert "往届毕业生" in page
    for _ in range(10):
        graduate = factories.user(id_number=factories.id_number())
        factories.degree(world.institution, owner=graduate, college=old_degree.college)

    # 往届毕业生 cost one grouped query, whatever their number.
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/notices/{notice.pk}/progress/")


def test_the_registrars_home_counts_degree_only_graduates_in_their_college(world, old_degree):
    from records.models import College
    from records.selectors import college_progress

    colleges = {c.name: c for c in college_progress(College.objects.order_by("code"))}

    assert colleges["经管学院"].n_students == 2
    assert colleges["理工学院"].n_students == 3


def test_her_history_shows_the_degree_report_and_its_correction(world, degree, jpeg_upload):
    student = csrf_client(world.alice, first_page=f"/records/degrees/{degree.pk}/report/")
    _report(student, degree, jpeg_upload, wrong_major_name="on", value_major_name="财务管理")
    report = DiscrepancyReport.objects.get(degree=degree)
    registrar = csrf_client(world.registrar, first_page=f"/records/queue/{report.pk}/")
    csrf_post(
        registrar,
        f"/records/queue/{report.pk}/",
        {"decision": "accept", "fields_to_apply": ["major_name"]},
    )

    page = student.get("/records/mine/history/").content.decode()

    assert "提交学历有误申请" in page and "更正学历信息" in page
    assert "专业" in page and "财务管理" in page


def test_a_reimport_that_changes_a_confirmed_degree_asks_her_again(world, tmp_path):
    from records.imports.degrees import degree_import
    from tests.records.degree_files import certificate, degree_of, write_degrees

    rows = [degree_of(world.alice_record, 1), degree_of(world.bob_record, 2)]
    assert degree_import(file=write_degrees(tmp_path / "a.xlsx", rows), by=world.registrar).ok
    alices = DegreeRecord.objects.get(certificate_number=certificate(1))
    bobs = DegreeRecord.objects.get(certificate_number=certificate(2))
    RecordConfirmation.objects.create(degree=alices, user=world.alice)
    RecordConfirmation.objects.create(degree=bobs, user=world.bob)
    rows[0]["专业名称"] = "软件工程"

    assert degree_import(file=write_degrees(tmp_path / "b.xlsx", rows), by=world.registrar).ok

    alices.refresh_from_db()
    bobs.refresh_from_db()
    assert alices.check_result == CheckResult.NONE  # changed: to check again
    assert bobs.check_result == CheckResult.CONFIRMED  # as it was


def test_the_feedback_sheet_words_a_graduates_degree_check(world):
    from notices.feedback import class_rows
    from notices.models import NoticeTask
    from tests.notices.conftest import make_notice

    notice = make_notice(world, task=NoticeTask.RECORD_CHECK)
    record = world.bob_record
    record.status = "graduated"
    record.save()
    degree = factories.degree(world.institution, record=record)

    def bobs_row():
        return next(r for r in class_rows(notice, world.class_a) if r.record_id == record.pk)

    assert (bobs_row().result, bobs_row().done) == ("未校对", False)
    report = DiscrepancyReport.objects.create(degree=degree, user=world.bob)
    assert bobs_row().result == "学历信息有误，待学籍管理部门处理"
    report.state = ReportState.WITHDRAWN
    report.save()
    RecordConfirmation.objects.create(degree=degree, user=world.bob)
    assert (bobs_row().result, bobs_row().done) == ("无误", True)


@pytest.mark.parametrize("path", ["discrepancyreport", "recordconfirmation"])
def test_an_admin_opening_a_degrees_report_or_confirmation_is_recorded(
    client_for, world, degree, path
):
    if path == "discrepancyreport":
        obj = DiscrepancyReport.objects.create(degree=degree, user=world.alice)
    else:
        obj = RecordConfirmation.objects.create(degree=degree, user=world.alice)

    response = client_for(world.admin).get(f"/admin/records/{path}/{obj.pk}/change/")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="records.admin_viewed")
    assert set(event.subjects.values_list("user_id", flat=True)) == {world.alice.pk}


def test_the_queue_college_filter_finds_a_degree_by_its_records_college(
    client_for, world, degree, jpeg_upload
):
    DegreeRecord.objects.filter(pk=degree.pk).update(college=None)
    _report(csrf_client(world.alice, first_page="/records/mine/"), degree, jpeg_upload)
    client = client_for(world.registrar)

    page = client.get(
        "/records/queue/", {"college": world.alice_record.college_id, "kind": "degree"}
    ).content.decode()

    assert degree.certificate_number in page


def test_the_confirm_dialog_is_not_offered_for_a_degree_already_confirmed(
    client_for, world, degree
):
    RecordConfirmation.objects.create(degree=degree, user=world.alice)
    client = client_for(world.alice)

    response = client.get(f"/records/degrees/{degree.pk}/confirm/", follow=True)

    assert response.redirect_chain[-1][0] == f"/records/degrees/{degree.pk}/"
    assert "您已确认本学历信息正确" in response.content.decode()


def test_a_reimport_that_revokes_her_confirmation_counts_it_and_tells_her(
    world, tmp_path, django_capture_on_commit_callbacks
):
    from records.imports.degrees import degree_import
    from tests.records.degree_files import certificate, degree_of, write_degrees

    world.alice.phone = "13800000001"
    world.alice.save()
    rows = [degree_of(world.alice_record, 1)]
    assert degree_import(file=write_degrees(tmp_path / "a.xlsx", rows), by=world.registrar).ok
    alices = DegreeRecord.objects.get(certificate_number=certificate(1))
    RecordConfirmation.objects.create(degree=alices, user=world.alice)
    rows[0]["专业名称"] = "软件工程"
    changed = write_degrees(tmp_path / "b.xlsx", rows)

    trial = degree_import(file=changed, dry_run=True, by=world.registrar)
    assert trial.revoked == 1  # 将失效的学生确认, before anything is written
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = degree_import(file=changed, by=world.registrar)

    assert result.revoked == 1
    assert [m.phone for m in sms.outbox if "学历信息已由学校更新" in m.text] == ["13800000001"]
