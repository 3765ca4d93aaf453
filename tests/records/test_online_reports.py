"""学籍在线验证报告: the student creates, extends and closes a report; anyone verifies it
by its code on the public page, with the ID number masked; code guessing is throttled."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from portal.lib.models import AuditEvent
from records.errors import RecordError
from records.models import OnlineReport
from records.online_reports import services

CODE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{16}$")
PUBLIC_LABELS = [
    "姓名", "性别", "出生年份", "证件号码", "院校名称", "层次", "专业名称", "学制", "学历类别",
    "学习形式", "分院", "班级", "学号", "入学日期", "预计毕业日期", "学籍状态",
]  # fmt: skip
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache: none may leak into or out of a test."""
    cache.clear()
    yield
    cache.clear()


def _report(record, *, valid_for=30 * DAY, closed=False) -> OnlineReport:
    now = timezone.now()
    return OnlineReport.objects.create(
        record=record,
        user=record.user,
        code=services.code_generate(),
        valid_until=now + valid_for,
        closed_at=now if closed else None,
    )


def _close_to(a: datetime.datetime, b: datetime.datetime) -> bool:
    return abs(a - b) < datetime.timedelta(minutes=1)


def _shape(response) -> str:
    """The page without what differs per request: the CSRF token and the language form's
    return address (the page's own URL)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", html)


# Creating a report


def test_student_creates_a_report_with_a_16_character_unambiguous_code(client_for, world):
    client = client_for(world.alice)

    response = client.post(f"/records/{world.alice_record.pk}/reports/new/", {"months": "3"})

    report = OnlineReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/records/reports/{report.pk}/"
    assert CODE.match(report.code)
    assert report.record == world.alice_record
    assert report.user == world.alice
    assert _close_to(report.valid_until, services.add_months(timezone.now(), 3))


def test_the_report_page_shows_the_code_in_groups_of_four_and_a_qr_code(client_for, world):
    report = _report(world.alice_record)
    code = report.code

    page = client_for(world.alice).get(f"/records/reports/{report.pk}/").content.decode()

    assert f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}" in page
    assert 'src="data:image/svg+xml' in page
    assert f"http://testserver/verify/{code}/" in page
    assert "<script" not in page


def test_only_the_offered_validity_periods_are_accepted(client_for, world):
    response = client_for(world.alice).post(
        f"/records/{world.alice_record.pk}/reports/new/", {"months": "12"}
    )

    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not OnlineReport.objects.exists()


def test_a_report_cannot_be_made_of_a_record_bound_to_someone_else(client_for, world):
    response = client_for(world.bob).post(
        f"/records/{world.alice_record.pk}/reports/new/", {"months": "1"}
    )

    assert response.status_code == 404
    with pytest.raises(RecordError):
        services.report_create(record=world.alice_record, by=world.bob, months=1)
    assert not OnlineReport.objects.exists()


def test_creating_a_report_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    url = f"/records/{world.alice_record.pk}/reports/new/"

    refused = client.post(url, {"months": "1"})
    client.get(f"/records/{world.alice_record.pk}/reports/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, {"months": "1", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert OnlineReport.objects.count() == 1


def test_a_code_collision_draws_a_new_code(world, monkeypatch):
    taken = _report(world.bob_record).code
    codes = iter([taken, "ABCDEFGHJKMNPQRS"])
    monkeypatch.setattr(services, "code_generate", lambda: next(codes))

    report = services.report_create(record=world.alice_record, by=world.alice, months=1)

    assert report.code == "ABCDEFGHJKMNPQRS"


def test_a_month_later_is_the_same_day_or_the_end_of_a_shorter_month():
    shanghai = timezone.get_default_timezone()
    jan_31 = datetime.datetime(2024, 1, 31, 10, 0, tzinfo=shanghai)

    assert services.add_months(jan_31, 1).date() == datetime.date(2024, 2, 29)
    assert services.add_months(jan_31, 6).date() == datetime.date(2024, 7, 31)
    assert services.add_months(jan_31, 12).date() == datetime.date(2025, 1, 31)


# The student's pages


def test_the_record_page_links_to_its_reports(client_for, world):
    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert "查看该学籍的在线验证报告" in page
    assert f'href="/records/{world.alice_record.pk}/reports/"' in page


def test_the_list_shows_the_reports_of_that_record_with_their_state(client_for, world):
    valid = _report(world.alice_record)
    closed = _report(world.alice_record, closed=True)
    _report(world.bob_record)

    page = client_for(world.alice).get(f"/records/{world.alice_record.pk}/reports/").content
    page = page.decode()

    assert services.code_display(valid.code) in page
    assert services.code_display(closed.code) in page
    assert "有效" in page and "已关闭" in page
    assert page.count('class="card report-card"') == 2


@pytest.mark.parametrize(
    "path",
    ["/records/reports/{pk}/", "/records/reports/{pk}/extend/", "/records/reports/{pk}/close/"],
)
def test_another_student_gets_404(client_for, world, path):
    report = _report(world.alice_record)

    response = client_for(world.bob).get(path.format(pk=report.pk))

    assert response.status_code == 404


def test_another_student_cannot_close_the_report(client_for, world):
    report = _report(world.alice_record)

    response = client_for(world.bob).post(f"/records/reports/{report.pk}/close/")

    report.refresh_from_db()
    assert response.status_code == 404
    assert report.closed_at is None


def test_another_students_record_has_no_report_list_for_her(client_for, world):
    response = client_for(world.bob).get(f"/records/{world.alice_record.pk}/reports/")

    assert response.status_code == 404


def test_staff_have_no_business_on_the_students_report_pages(client_for, world):
    report = _report(world.alice_record)

    response = client_for(world.counselor).get(f"/records/reports/{report.pk}/")

    assert response.status_code == 403


# Extending and closing


def test_extending_adds_months_to_the_current_end(client_for, world):
    report = _report(world.alice_record, valid_for=10 * DAY)
    old_end = report.valid_until

    response = client_for(world.alice).post(
        f"/records/reports/{report.pk}/extend/", {"months": "1"}
    )

    report.refresh_from_db()
    assert response.status_code == 302
    assert report.valid_until == services.add_months(old_end, 1)


def test_an_expired_report_is_extended_from_now(world):
    report = _report(world.alice_record, valid_for=-10 * DAY)

    report = services.report_extend(report=report, by=world.alice, months=2)

    assert _close_to(report.valid_until, services.add_months(timezone.now(), 2))


def test_extending_stops_at_six_months_from_now(world):
    report = _report(world.alice_record, valid_for=150 * DAY)

    report = services.report_extend(report=report, by=world.alice, months=3)

    assert _close_to(report.valid_until, services.add_months(timezone.now(), 6))


def test_extending_a_report_already_at_the_limit_says_so(client_for, world):
    report = _report(world.alice_record)
    report.valid_until = services.add_months(timezone.now(), 6) + DAY
    report.save()

    response = client_for(world.alice).post(
        f"/records/reports/{report.pk}/extend/", {"months": "1"}
    )

    assert response.status_code == 200
    assert "已达上限" in response.content.decode()


def test_a_closed_report_cannot_be_extended(world):
    report = _report(world.alice_record, closed=True)

    with pytest.raises(RecordError, match="已关闭"):
        services.report_extend(report=report, by=world.alice, months=1)


def test_closing_asks_for_a_second_confirmation_first(client_for, world):
    report = _report(world.alice_record)
    client = client_for(world.alice)

    page = client.get(f"/records/reports/{report.pk}/close/").content.decode()
    report.refresh_from_db()

    assert "确认关闭" in page
    assert "不能恢复" in page
    assert report.closed_at is None


def test_confirming_closes_the_report_and_its_code_stops_working(client_for, world):
    report = _report(world.alice_record)

    response = client_for(world.alice).post(f"/records/reports/{report.pk}/close/")
    public = Client().get(f"/verify/{report.code}/")

    report.refresh_from_db()
    assert response.status_code == 302
    assert report.closed_at is not None
    assert "该报告已被本人关闭" in public.content.decode()


# The public page


def test_anyone_sees_the_report_with_the_id_number_masked(world):
    record = world.alice_record
    report = _report(record)

    response = Client().get(f"/verify/{report.code}/")
    page = response.content.decode()

    assert response.status_code == 200
    for label in PUBLIC_LABELS:
        assert f"<dt>{label}</dt>" in page, label
    for value in (record.name, record.student_number, record.institution.name, record.major.name):
        assert value in page
    assert record.masked_id_number in page
    assert record.id_number not in page
    # Beside the masked number the birth date would give it away: the year only.
    assert f"{record.birth_date.year}年" in page
    assert record.birth_date.strftime("%m-%d") not in page
    assert "有效期至" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_code_is_accepted_with_dashes_spaces_and_in_any_case(world):
    report = _report(world.alice_record)
    typed = " " + services.code_display(report.code).lower().replace("-", " - ") + " "

    from_form = Client().get("/verify/", {"code": typed}, follow=True)
    from_path = Client().get(f"/verify/{services.code_display(report.code).lower()}/")

    assert from_form.redirect_chain == [(f"/verify/{report.code}/", 302)]
    assert world.alice_record.name in from_form.content.decode()
    assert world.alice_record.name in from_path.content.decode()


def test_full_width_characters_from_a_chinese_input_method_are_understood():
    assert services.code_normalize("ＡＢＣＤ－ｅｆｇｈ") == "ABCDEFGH"


def test_the_verify_form_asks_for_a_code(db):
    page = Client().get("/verify/", {"code": " - "}).content.decode()

    assert "请输入在线验证码" in page
    assert '<label for="id_code">在线验证码</label>' in page


def test_an_expired_report_says_so_and_shows_nothing_else(world):
    report = _report(world.alice_record, valid_for=-DAY)

    response = Client().get(f"/verify/{report.code}/")
    page = response.content.decode()

    assert response.status_code == 404
    assert "该报告已过期" in page
    assert world.alice_record.name not in page


def test_a_closed_report_says_so(world):
    report = _report(world.alice_record, closed=True)

    page = Client().get(f"/verify/{report.code}/").content.decode()

    assert "该报告已被本人关闭" in page
    assert world.alice_record.name not in page


def test_an_unknown_code_and_a_malformed_one_get_the_same_answer(world):
    unknown = Client().get("/verify/ABCDEFGHJKMNPQRS/")
    malformed = Client().get("/verify/0O1IL/")

    assert unknown.status_code == malformed.status_code == 404
    assert "验证码不存在" in unknown.content.decode()
    assert _shape(unknown) == _shape(malformed)


def test_a_successful_look_up_counts_one_view(world):
    report = _report(world.alice_record)

    Client().get(f"/verify/{report.code}/")
    Client().get(f"/verify/{report.code}/")

    report.refresh_from_db()
    assert report.view_count == 2


def test_guessing_is_throttled_without_telling_whether_a_code_exists(world):
    report = _report(world.alice_record)
    guesser = Client(REMOTE_ADDR="203.0.113.7")

    misses = [guesser.get(f"/verify/{services.code_generate()}/") for _ in range(20)]
    blocked = guesser.get(f"/verify/{services.code_generate()}/")
    real = guesser.get(f"/verify/{report.code}/")
    elsewhere = Client(REMOTE_ADDR="198.51.100.2").get(f"/verify/{report.code}/")

    assert {r.status_code for r in misses} == {404}
    assert blocked.status_code == real.status_code == 429
    assert "操作过于频繁" in blocked.content.decode()
    assert "分钟后再试" in blocked.content.decode()
    assert _shape(real) == _shape(blocked)
    assert world.alice_record.name not in real.content.decode()
    assert elsewhere.status_code == 200
    report.refresh_from_db()
    assert report.view_count == 1


def test_looking_up_valid_codes_is_never_throttled(world):
    report = _report(world.alice_record)
    client = Client()

    statuses = {client.get(f"/verify/{report.code}/").status_code for _ in range(25)}

    assert statuses == {200}


def test_the_public_page_costs_a_few_queries(world, django_assert_max_num_queries):
    report = _report(world.alice_record)

    # +1 since issue 11: each look-up is counted (and given back) in the database.
    with django_assert_max_num_queries(7):
        assert Client().get(f"/verify/{report.code}/").status_code == 200


def test_the_report_list_costs_the_same_queries_for_1_and_10_reports(
    client_for, world, django_assert_max_num_queries
):
    client = client_for(world.alice)
    url = f"/records/{world.alice_record.pk}/reports/"
    _report(world.alice_record)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(9):
        _report(world.alice_record)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_verify_pages_are_not_indexed(world):
    report = _report(world.alice_record)

    for url in ("/verify/", f"/verify/{report.code}/"):
        assert '<meta name="robots" content="noindex' in Client().get(url).content.decode()


# Audit


def test_every_change_and_every_view_is_audited(client_for, world):
    client = client_for(world.alice)
    client.post(f"/records/{world.alice_record.pk}/reports/new/", {"months": "1"})
    report = OnlineReport.objects.get()
    client.post(f"/records/reports/{report.pk}/extend/", {"months": "1"})
    Client(REMOTE_ADDR="198.51.100.9").get(f"/verify/{report.code}/")
    client.post(f"/records/reports/{report.pk}/close/")

    events = list(AuditEvent.objects.filter(target_id=str(report.pk)).order_by("pk"))

    assert [e.action for e in events] == [
        "records.online_report_created",
        "records.online_report_extended",
        "records.online_report_viewed",
        "records.online_report_closed",
    ]
    assert {e.target_type for e in events} == {"records.OnlineReport"}
    assert {e.subject for e in events} == {world.alice}
    assert {e.institution for e in events} == {world.institution}
    assert events[0].actor == world.alice
    assert events[2].actor is None and events[2].ip_address == "198.51.100.9"
    assert set(events[1].changes) == {"valid_until"}
    assert all(report.code not in str(e.changes) for e in events)


def test_the_report_gives_the_length_of_study_in_years(client_for, world):
    report = _report(world.alice_record)

    page = client_for(world.alice).get(f"/records/reports/{report.pk}/").content.decode()

    assert "<dt>学制</dt><dd>4 年</dd>" in page
