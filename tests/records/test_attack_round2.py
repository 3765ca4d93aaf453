"""Outside review, round 2 (2f3e1a9..): 学籍信息 reads a 专升本 record's prior degree in
the degrees' query (records.views._own_degrees, binding.bindable_q); each record (and each
degree, through its 学籍 or the 本科 record it is the prior degree of) is checked under its
own notice (records.campaign.record_notices, notices.selectors.current_notices,
checks.notice_for); the 正确 / 有误 pages send her back when there is nothing to do
(record_for_student(related=…)). Probes that pass are regression guards; a failing one
is a finding (see its docstring)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccountState, Role
from notices.models import (
    ConfirmationNotice,
    DiscrepancyNotice,
    NoticeAudience,
    NoticeState,
    NoticeTask,
)
from portal.lib.models import AuditEvent
from records.campaign import record_notices
from records.errors import RecordError
from records.models import (
    CheckResult,
    DegreeRecord,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Level,
    RecordConfirmation,
    RecordStatus,
    ReportState,
)
from records.services import checks
from tests import factories
from tests.notices.conftest import make_notice
from tests.records.test_zsb import junior_degree

DAY = datetime.timedelta(days=1)
MINE = "/records/mine/"
NOT_BOUND_WARNING = "该专科学历尚未绑定到您的账号"

pytestmark = pytest.mark.django_db


def _link(record, degree):
    EnrollmentRecord.objects.filter(pk=record.pk).update(prior_degree=degree)


def _mine(client):
    response = client.get(MINE)
    assert response.status_code == 200
    return response, response.content.decode()


def _detail_href(degree) -> str:
    return f'href="/records/degrees/{degree.pk}/"'


def _her_record_elsewhere(world, *, bound=True, **fields):
    """A second 学籍 of alice's person at the other university."""
    klass = factories.school_class(factories.college(world.other_institution))
    return factories.record(
        klass,
        owner=world.alice if bound else None,
        id_number=world.alice.id_number,
        name=world.alice.real_name,
        **fields,
    )


def _claim(subject, by, upload):
    claims = {"name": "李小梅"} if isinstance(subject, DegreeRecord) else {"ethnicity": "回族"}
    evidence = [checks.Evidence("hukou", upload())]
    if isinstance(subject, DegreeRecord):
        evidence.append(checks.Evidence("police", upload()))
    return checks.discrepancy_report(
        record=subject, by=by, claims=claims, explanation="户口本为准", evidence=evidence
    )


def _open_report(subject, user):
    key = "degree" if isinstance(subject, DegreeRecord) else "record"
    report = DiscrepancyReport.objects.create(**{key: subject}, user=user)
    DiscrepancyItem.objects.create(
        report=report, field="ethnicity", current_value="汉族", claimed_value="回族"
    )
    return report


# --- 1. 学籍信息: the prior degree read in the degrees' query ------------------------------


def test_a_prior_degree_bound_to_another_account_is_not_listed_as_hers(client_for, world):
    """A roster error linked bob's bound 专科 degree to alice's 本科 record: the card shows
    what _prior_degree.html always showed (number, school, major, date, state, and that it
    is not hers), never a link to it, never among her degrees, never bob's name or ID."""
    degree = junior_degree(world.bob_record, "137681202106000901", user=world.bob)
    _link(world.alice_record, degree)

    response, page = _mine(client_for(world.alice))

    assert response.context["degrees"] == []
    assert response.context["items"][0]["record"].prior_degree.pk == degree.pk
    assert "137681202106000901" in page and NOT_BOUND_WARNING in page
    assert _detail_href(degree) not in page
    assert world.bob_record.id_number not in page
    assert "王强" not in page  # bob's name on the degree
    degree.refresh_from_db()
    assert degree.user_id == world.bob.pk
    assert client_for(world.alice).get(f"/records/degrees/{degree.pk}/").status_code == 404


def test_an_unbound_prior_degree_of_another_person_is_neither_listed_nor_bound(client_for, world):
    degree = junior_degree(world.carol_record, "137681202106000902")
    _link(world.alice_record, degree)

    response, page = _mine(client_for(world.alice))
    _mine(client_for(world.alice))  # and on the second look

    assert response.context["degrees"] == []
    assert NOT_BOUND_WARNING in page and _detail_href(degree) not in page
    assert world.carol_record.id_number not in page and "陈静" not in page
    degree.refresh_from_db()
    assert degree.user_id is None


def test_an_unbound_prior_degree_of_her_person_binds_on_first_look(client_for, world):
    degree = junior_degree(world.alice_record, "137681202106000903")
    _link(world.alice_record, degree)
    client = client_for(world.alice)

    response, page = _mine(client)

    degree.refresh_from_db()
    assert degree.user_id == world.alice.pk
    assert AuditEvent.objects.filter(action="records.bound", target_id=str(degree.pk)).exists()
    assert [d.pk for d in response.context["degrees"]] == [degree.pk]
    prior = response.context["items"][0]["record"].prior_degree
    assert prior.user_id == world.alice.pk  # the card read after the binding
    assert NOT_BOUND_WARNING not in page and _detail_href(degree) in page

    again, page = _mine(client)  # re-read: nothing left to bind, the same page
    assert [d.pk for d in again.context["degrees"]] == [degree.pk]
    assert NOT_BOUND_WARNING not in page and _detail_href(degree) in page
    assert AuditEvent.objects.filter(action="records.bound", target_id=str(degree.pk)).count() == 1


def test_a_degree_both_hers_and_prior_is_listed_once_and_is_the_cards(client_for, world):
    degree = junior_degree(world.alice_record, "137681202106000904", user=world.alice)
    _link(world.alice_record, degree)

    response, page = _mine(client_for(world.alice))

    degrees = response.context["degrees"]
    assert [d.pk for d in degrees] == [degree.pk]
    assert response.context["items"][0]["record"].prior_degree is degrees[0]
    assert NOT_BOUND_WARNING not in page


def test_several_records_with_the_same_prior_degree_cost_one_query(
    client_for, world, django_assert_max_num_queries
):
    degree = junior_degree(world.alice_record, "137681202106000905", user=world.alice)
    second = _her_record_elsewhere(world)
    client = client_for(world.alice)
    _link(world.alice_record, degree)
    _mine(client)  # binds nothing, marks both seen
    with django_assert_max_num_queries(200) as one:
        _mine(client)
    _link(second, degree)

    with django_assert_max_num_queries(len(one)):
        response, page = _mine(client)

    assert [d.pk for d in response.context["degrees"]] == [degree.pk]
    cards = [item["record"].prior_degree for item in response.context["items"]]
    assert {c.pk for c in cards} == {degree.pk} and len(cards) == 2
    assert page.count("专科学历（专升本）") == 2


def test_another_persons_prior_degree_costs_no_more_queries(
    client_for, world, django_assert_max_num_queries
):
    client = client_for(world.alice)
    _mine(client)
    with django_assert_max_num_queries(200) as plain:
        _mine(client)
    bobs = junior_degree(world.bob_record, "137681202106000906", user=world.bob)
    _link(world.alice_record, bobs)
    with django_assert_max_num_queries(len(plain)):
        _mine(client)
    carols = junior_degree(world.carol_record, "137681202106000907")
    _link(world.alice_record, carols)
    with django_assert_max_num_queries(len(plain)):
        _mine(client)


def test_a_deleted_or_unlinked_prior_degree_leaves_the_quiet_line(client_for, world):
    degree = junior_degree(world.alice_record, "137681202106000908", user=world.alice)
    _link(world.alice_record, degree)
    client = client_for(world.alice)
    assert _detail_href(degree) in _mine(client)[1]

    degree.delete()  # SET_NULL on the record
    response, page = _mine(client)
    assert response.context["items"][0]["record"].prior_degree is None
    assert "137681202106000908" not in page
    assert "专升本学生：学校名单中没有您的专科毕业证书编号的" in page

    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(
        prior_certificate_number="137681202106000909"
    )
    page = _mine(client)[1]
    assert "没有找到与您的姓名、证件号码一致的这张专科学历" in page


def test_a_degree_only_graduate_sees_and_binds_her_degree(client_for, world):
    graduate = factories.user(Role.STUDENT, id_number=factories.id_number(), real_name="周敏")
    bound = factories.degree(world.institution, owner=graduate)
    unbound = factories.degree(
        world.other_institution, id_number=graduate.id_number, name=graduate.real_name
    )
    assert unbound.user_id is None

    response, _page = _mine(client_for(graduate))

    assert response.context["items"] == []
    assert response.context["diagnosis"] == "degree_only"
    assert {d.pk for d in response.context["degrees"]} == {bound.pk, unbound.pk}
    unbound.refresh_from_db()
    assert unbound.user_id == graduate.pk
    assert response.context["notices"] == []


def test_binding_a_record_and_its_prior_degree_on_first_look(client_for, world):
    """An unbound 本科 学籍 of her person elsewhere, its prior degree unbound and hers too:
    one look binds both, and the card (read after the binding) links her degree."""
    second = _her_record_elsewhere(world, bound=False)
    degree = junior_degree(world.alice_record, "137681202106000910")
    _link(second, degree)

    response, page = _mine(client_for(world.alice))

    second.refresh_from_db()
    degree.refresh_from_db()
    assert second.user_id == world.alice.pk and degree.user_id == world.alice.pk
    item = next(i for i in response.context["items"] if i["record"].pk == second.pk)
    assert item["bound"] and item["record"].prior_degree.user_id == world.alice.pk
    assert [d.pk for d in response.context["degrees"]] == [degree.pk]
    assert _detail_href(degree) in page and NOT_BOUND_WARNING not in page


def test_an_unregistered_record_of_hers_shows_nothing_of_its_prior_degree(client_for, world):
    """Shown read-only, never bound: its prior degree (someone else's) is read with the
    degrees, but neither listed nor shown."""
    second = _her_record_elsewhere(world, bound=False, status=RecordStatus.UNREGISTERED)
    degree = junior_degree(world.dave_record, "137681202106000911", user=world.dave)
    _link(second, degree)

    response, page = _mine(client_for(world.alice))

    second.refresh_from_db()
    assert second.user_id is None
    assert response.context["degrees"] == []
    assert "137681202106000911" not in page and NOT_BOUND_WARNING not in page


def test_a_pending_account_lists_no_unbound_degree(world):
    """bindable_q for an account that cannot bind is her own only: an unbound degree of
    her person is set on its record's card but not listed (the page itself sends a
    pending account to her identity check first)."""
    from records.views import _own_degrees

    degree = junior_degree(world.alice_record, "137681202106000912")
    mine = junior_degree(world.alice_record, "137681202106000915", user=world.alice)
    _link(world.alice_record, degree)
    world.alice.state = AccountState.PENDING
    record = EnrollmentRecord.objects.get(pk=world.alice_record.pk)

    listed = _own_degrees(world.alice, [record], bindable=True)

    assert [d.pk for d in listed] == [mine.pk]
    assert record.prior_degree.pk == degree.pk and record.prior_degree.user_id is None


# --- 2. each record under its own notice ---------------------------------------------


def _two_colleges(world):
    """Alice's 学籍 in college 1 (its notice open, older) and a 学籍 of hers in college 2
    of the same school (its notice newer, its correction deadline passed)."""
    now = timezone.now()
    second = factories.record(
        world.class_other_college,
        owner=world.alice,
        id_number=world.alice.id_number,
        admission_year=2021,
    )
    own = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=now - 9 * DAY)
    NoticeAudience.objects.create(notice=own, college=world.class_a.college)
    other = make_notice(
        world,
        task=NoticeTask.RECORD_CHECK,
        window_start=now - DAY,
        correction_deadline=now - datetime.timedelta(hours=1),
    )
    NoticeAudience.objects.create(notice=other, college=world.class_other_college.college)
    return second, own, other


def test_college_rules_give_each_record_its_own_notice(client_for, world, pdf_upload):
    second, own, other = _two_colleges(world)

    found = record_notices(world.alice)
    assert found[world.alice_record.pk].pk == own.pk
    assert found[second.pk].pk == other.pk

    report = _claim(world.alice_record, world.alice, pdf_upload)
    assert DiscrepancyNotice.objects.get(report=report).notice == own
    with pytest.raises(RecordError, match="更正申请截止时间"):
        _claim(second, world.alice, pdf_upload)

    page = _mine(client_for(world.alice))[1]
    assert page.index(f"/notices/{other.pk}/") < page.index(f"/notices/{own.pk}/")
    form = client_for(world.alice).get(f"/records/{second.pk}/report/").content.decode()
    assert "更正申请截止时间" in form
    form = client_for(world.alice).get(f"/records/{world.alice_record.pk}/report/")
    assert "更正申请截止时间" not in form.content.decode()


def test_cohort_level_and_graduation_year_rules_pick_the_notice(world):
    now = timezone.now()
    record = world.alice_record
    fits = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=now - 5 * DAY)
    NoticeAudience.objects.create(
        notice=fits,
        cohort=record.admission_year,
        level=record.level,
        graduation_year=record.expected_graduation.year,
    )
    for rule in (
        {"cohort": record.admission_year - 1},
        {"level": Level.JUNIOR_COLLEGE},
        {"graduation_year": record.expected_graduation.year + 1},
        {"cohort": record.admission_year, "level": Level.JUNIOR_COLLEGE},
    ):
        newer = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=now - DAY)
        NoticeAudience.objects.create(notice=newer, **rule)

    assert record_notices(world.alice)[record.pk].pk == fits.pk


def test_a_started_notice_is_later_than_one_with_no_start_and_future_ones_wait(world):
    now = timezone.now()
    started = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=now - 5 * DAY)
    unstarted = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=None)
    make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=now + DAY)  # not yet
    make_notice(world, task=NoticeTask.PHOTO_CHECK, window_start=now - DAY)  # no record check

    assert record_notices(world.alice)[world.alice_record.pk].pk == started.pk
    started.delete()
    assert record_notices(world.alice)[world.alice_record.pk].pk == unstarted.pk


def test_a_tie_goes_to_the_later_created_and_the_page_names_one(client_for, world):
    start = timezone.now() - 3 * DAY
    first = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=start)
    second = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=start)

    assert record_notices(world.alice)[world.alice_record.pk].pk == second.pk
    response, page = _mine(client_for(world.alice))
    assert [n.pk for n in response.context["notices"]] == [second.pk]
    assert f"/notices/{first.pk}/" not in page


def test_draft_and_withdrawn_notices_are_never_shown_nor_used(client_for, world, pdf_upload):
    now = timezone.now()
    live = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=now - 5 * DAY)
    past = now - datetime.timedelta(hours=1)
    hidden = [
        make_notice(
            world,
            task=NoticeTask.RECORD_CHECK,
            state=state,
            window_start=now - DAY,
            correction_deadline=past,
        )
        for state in (NoticeState.DRAFT, NoticeState.WITHDRAWN)
    ]

    response, page = _mine(client_for(world.alice))
    assert [n.pk for n in response.context["notices"]] == [live.pk]
    for notice in hidden:
        assert f"/notices/{notice.pk}/" not in page
    report = _claim(world.alice_record, world.alice, pdf_upload)
    assert DiscrepancyNotice.objects.get(report=report).notice == live


def _passed_elsewhere(world):
    """An open notice for alice's school, and a newer one of the other school whose
    correction deadline has passed."""
    now = timezone.now()
    own = make_notice(world, task=NoticeTask.RECORD_CHECK, window_start=now - 9 * DAY)
    other = make_notice(
        world,
        institution=world.other_institution,
        task=NoticeTask.RECORD_CHECK,
        window_start=now - DAY,
        correction_deadline=now - datetime.timedelta(hours=1),
    )
    return own, other


def test_a_degree_whose_record_is_someone_elses_takes_her_own_notice(world, jpeg_upload):
    own, _other = _passed_elsewhere(world)
    stranger_class = factories.school_class(factories.college(world.other_institution))
    stranger = factories.record(stranger_class)  # another person, at the other school
    degree = factories.degree(
        world.other_institution,
        record=stranger,
        owner=world.alice,
        id_number=world.alice.id_number,
        name=world.alice.real_name,
    )
    assert degree.user_id == world.alice.pk

    report = _claim(degree, world.alice, jpeg_upload)

    assert DiscrepancyNotice.objects.get(report=report).notice == own


def test_a_prior_degree_runs_under_its_bachelor_records_notice(world, jpeg_upload):
    own, _other = _passed_elsewhere(world)
    _her_record_elsewhere(world)  # her 学籍 under the passed notice
    degree = junior_degree(world.alice_record, "137681202106000913", user=world.alice)
    _link(world.alice_record, degree)

    confirmation = checks.record_confirm(record=degree, by=world.alice)
    assert ConfirmationNotice.objects.get(confirmation=confirmation).notice == own
    checks.revoke_confirmation(degree, "测试")
    report = _claim(degree, world.alice, jpeg_upload)
    assert DiscrepancyNotice.objects.get(report=report).notice == own


def test_someone_elses_record_naming_her_degree_does_not_decide(world, jpeg_upload):
    own, _other = _passed_elsewhere(world)
    stranger_class = factories.school_class(factories.college(world.other_institution))
    stranger = factories.record(stranger_class)
    degree = junior_degree(world.alice_record, "137681202106000914", user=world.alice)
    _link(stranger, degree)

    report = _claim(degree, world.alice, jpeg_upload)

    assert DiscrepancyNotice.objects.get(report=report).notice == own


def test_a_degree_of_her_own_record_is_not_refused_by_the_bachelor_schools_deadline(
    client_for, world, jpeg_upload
):
    """FINDING (low): a 专科 degree that has its own 学籍 of hers (at the other school,
    whose notice is open) and is also the prior degree of her 本科 学籍 here runs under the
    latest of the two notices: this school's newer notice, whose correction deadline has
    passed, refuses the 有误 of the other school's degree. The same class as round 1's
    finding; notice_for takes `latest` over both records instead of preferring the
    degree's own 学籍 (records/services/checks.py:75)."""
    now = timezone.now()
    junior_class = factories.school_class(
        factories.college(world.other_institution),
        cohort=2018,
        maj=factories.major(world.other_institution, level=Level.JUNIOR_COLLEGE),
    )
    junior = factories.record(
        junior_class,
        owner=world.alice,
        id_number=world.alice.id_number,
        status=RecordStatus.GRADUATED,
    )
    degree = factories.degree(
        world.other_institution,
        record=junior,
        level=Level.JUNIOR_COLLEGE,
        graduation_date=datetime.date(2021, 6, 30),
    )
    _link(world.alice_record, degree)
    open_there = make_notice(
        world,
        institution=world.other_institution,
        task=NoticeTask.RECORD_CHECK,
        window_start=now - 9 * DAY,
    )
    make_notice(
        world,
        task=NoticeTask.RECORD_CHECK,
        window_start=now - DAY,
        correction_deadline=now - datetime.timedelta(hours=1),
    )

    form = client_for(world.alice).get(f"/records/degrees/{degree.pk}/report/")
    assert "更正申请截止时间" not in form.content.decode()
    report = _claim(degree, world.alice, jpeg_upload)
    assert DiscrepancyNotice.objects.get(report=report).notice == open_there


def test_a_record_without_a_notice_is_not_refused_by_her_other_records(world, pdf_upload):
    now = timezone.now()
    make_notice(
        world,
        task=NoticeTask.RECORD_CHECK,
        window_start=now - DAY,
        correction_deadline=now - datetime.timedelta(hours=1),
    )
    second = _her_record_elsewhere(world)

    assert second.pk not in record_notices(world.alice)
    report = _claim(second, world.alice, pdf_upload)
    assert report.state == ReportState.SUBMITTED
    assert not DiscrepancyNotice.objects.filter(report=report).exists()
    with pytest.raises(RecordError, match="更正申请截止时间"):
        _claim(world.alice_record, world.alice, pdf_upload)


def test_a_degree_only_graduate_checks_under_no_notice(world):
    make_notice(world, task=NoticeTask.RECORD_CHECK)  # her school's, but she has no 学籍
    graduate = factories.user(Role.STUDENT, id_number=factories.id_number())
    degree = factories.degree(world.institution, owner=graduate)

    assert checks.notice_for(degree, graduate) is None
    confirmation = checks.record_confirm(record=degree, by=graduate)
    assert not ConfirmationNotice.objects.filter(confirmation=confirmation).exists()


# --- 3. the 正确 / 有误 pages with nothing to do -----------------------------------------


def test_the_confirm_page_by_check_result(client_for, world):
    alice = client_for(world.alice)
    url = f"/records/{world.alice_record.pk}/confirm/"
    page = alice.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert world.alice_record.institution.name in text and world.alice_record.major.name in text

    alice.post(url)
    world.alice_record.refresh_from_db(fields=["check_result"])
    assert world.alice_record.check_result == CheckResult.CONFIRMED
    again = alice.get(url)
    assert again.status_code == 302 and again.url == MINE
    alice.post(url)  # a second POST stands on the first
    assert RecordConfirmation.objects.filter(record=world.alice_record).count() == 1

    _open_report(world.bob_record, world.bob)
    reported = client_for(world.bob).post(f"/records/{world.bob_record.pk}/confirm/")
    assert reported.status_code == 302
    assert not RecordConfirmation.objects.filter(record=world.bob_record).exists()


def test_the_confirm_and_report_pages_of_someone_elses_or_unbound_record_are_404(client_for, world):
    alice = client_for(world.alice)
    unbound = _her_record_elsewhere(world, bound=False, status=RecordStatus.UNREGISTERED)
    for record in (world.bob_record, unbound):
        for action in ("confirm", "report"):
            assert alice.get(f"/records/{record.pk}/{action}/").status_code == 404
            assert alice.post(f"/records/{record.pk}/{action}/").status_code == 404
    assert not RecordConfirmation.objects.filter(user=world.alice).exists()


def test_a_graduated_confirmed_record_says_why_not_that_it_is_confirmed(client_for, world):
    alice = client_for(world.alice)
    alice.post(f"/records/{world.alice_record.pk}/confirm/")
    EnrollmentRecord.objects.filter(pk=world.alice_record.pk).update(status=RecordStatus.GRADUATED)

    page = alice.get(f"/records/{world.alice_record.pk}/confirm/", follow=True)

    assert "已毕业" in page.content.decode()


def test_the_report_form_with_a_report_open_redirects_for_a_record_and_a_degree(
    client_for, world, pdf_upload
):
    alice = client_for(world.alice)
    degree = factories.degree(world.institution, record=world.alice_record)
    _open_report(world.alice_record, world.alice)
    _open_report(degree, world.alice)

    for url, done in (
        (f"/records/{world.alice_record.pk}/report/", MINE),
        (f"/records/degrees/{degree.pk}/report/", f"/records/degrees/{degree.pk}/"),
    ):
        got = alice.get(url)
        assert got.status_code == 302 and got.url == done
        posted = alice.post(
            url,
            {
                "fields": ["ethnicity"],
                "ethnicity": "回族",
                "explanation": "x",
                "hukou": pdf_upload(),
            },
        )
        assert posted.status_code == 302 and posted.url == done
    assert DiscrepancyReport.objects.filter(user=world.alice).count() == 2


def test_a_confirmed_record_or_degree_still_gets_the_report_form(client_for, world):
    """Only an open report sends her back: after 正确 she may still say 有误."""
    alice = client_for(world.alice)
    degree = factories.degree(world.institution, record=world.alice_record)
    checks.record_confirm(record=world.alice_record, by=world.alice)
    checks.record_confirm(record=degree, by=world.alice)

    assert alice.get(f"/records/{world.alice_record.pk}/report/").status_code == 200
    assert alice.get(f"/records/degrees/{degree.pk}/report/").status_code == 200


def test_the_confirm_dialog_joins_only_the_school_and_major(client_for, world):
    alice = client_for(world.alice)
    url = f"/records/{world.alice_record.pk}/confirm/"
    with CaptureQueriesContext(connection) as queries:
        assert alice.get(url).status_code == 200
    table = EnrollmentRecord._meta.db_table
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith(f'SELECT "{table}".') and f'FROM "{table}"' in q["sql"]
    ]
    assert reads
    for other in ("schoolclass", "college", "department"):
        assert not [sql for sql in reads if f'{other}" ON' in sql.lower()], reads
    # nothing read lazily afterwards for the dialog: its school and major were joined
    assert len(reads) == 1, reads


def test_two_records_under_one_notice_make_one_card(client_for, world):
    shared = make_notice(world, task=NoticeTask.RECORD_CHECK)  # the whole school
    second = factories.record(
        world.class_other_college, owner=world.alice, id_number=world.alice.id_number
    )

    found = record_notices(world.alice)
    assert found[world.alice_record.pk] == found[second.pk]
    response, page = _mine(client_for(world.alice))
    assert [n.pk for n in response.context["notices"]] == [shared.pk]
    assert page.count(f'href="/notices/{shared.pk}/"') == 1
