"""学历证书电子注册备案表 (issue 16 §4): the graduate creates one of a degree bound to her,
as she creates a 学籍在线验证报告 — validity, code, QR code, extend, close; anyone with
the code sees it as the national form shows it, the ID number masked; every viewing is
recorded for her; it prints on one A4 page."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from portal.lib.models import AuditEvent
from records.errors import RecordError
from records.models import OnlineReport, ReportKind
from records.online_reports import services
from tests.accounts.helpers import degree

CODE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{16}$")
# The national form's fields that we hold, in its order (its 校（院）长姓名 we do not).
LABELS = [
    "姓名", "性别", "出生年份", "证件号码", "入学日期", "毕（结）业日期", "学校名称", "专业",
    "学制", "层次", "学历类别", "学习形式", "毕（结）业", "证书编号",
]  # fmt: skip
DAY = datetime.timedelta(days=1)
LIST = "/records/degrees/reports/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters live in the cache: none may leak into or out of a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def diploma(world):
    """Alice's 本科 degree, bound to her and linked to her 学籍 (its 学制)."""
    return degree(
        world.alice_record,
        user=world.alice,
        bound_at=timezone.now(),
        enrollment_record=world.alice_record,
        entry_date=datetime.date(2003, 9, 1),
    )


def _beian(diploma, *, valid_for=30 * DAY, closed=False) -> OnlineReport:
    now = timezone.now()
    return OnlineReport.objects.create(
        degree=diploma,
        user=diploma.user,
        code=services.code_generate(),
        valid_until=now + valid_for,
        closed_at=now if closed else None,
    )


def _create_url(diploma) -> str:
    return f"/records/degrees/{diploma.pk}/reports/new/"


def _labels(page: str) -> list[str]:
    fields = page.split('class="field-list beian-fields"')[1].split("</dl>")[0]
    return re.findall(r"<dt>([^<]+)</dt><dd", fields)


# Creating one


def test_the_graduate_creates_a_beian_of_her_degree(client_for, world, diploma):
    response = client_for(world.alice).post(_create_url(diploma), {"months": "3"})

    report = OnlineReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/records/reports/{report.pk}/"
    assert report.degree == diploma and report.record is None
    assert report.kind == ReportKind.DEGREE
    assert report.kind_label == "学历证书电子注册备案表"
    assert CODE.match(report.code)
    assert abs(report.valid_until - services.add_months(timezone.now(), 3)) < DAY


def test_its_page_shows_the_code_the_qr_code_and_the_form(client_for, world, diploma):
    report = _beian(diploma)

    page = client_for(world.alice).get(f"/records/reports/{report.pk}/").content.decode()

    assert '<h1 class="beian-title">学历证书电子注册备案表</h1>' in page
    assert services.code_display(report.code) in page
    assert f"http://testserver/verify/{report.code}/" in page
    assert 'src="data:image/svg+xml' in page
    assert f'href="{LIST}"' in page
    assert _labels(page) == LABELS
    assert "<script" not in page


def test_the_records_page_links_to_her_beian_list(client_for, world, diploma):
    page = client_for(world.alice).get("/records/mine/").content.decode()

    assert f'<a href="{LIST}">学历证书电子注册备案表</a>' in page


def test_the_list_shows_each_degree_with_its_beian_and_a_form(client_for, world, diploma):
    valid, closed = _beian(diploma), _beian(diploma, closed=True)
    _beian(degree(world.bob_record, user=world.bob, certificate_number="139991200705000999"))

    page = client_for(world.alice).get(LIST).content.decode()

    assert diploma.certificate_number in page
    assert services.code_display(valid.code) in page
    assert services.code_display(closed.code) in page
    assert page.count('class="card report-card"') == 2
    assert f'action="{_create_url(diploma)}"' in page
    assert f'<label for="id_degree{diploma.pk}_months">有效期</label>' in page


def test_a_graduate_without_a_degree_is_told_how_to_bind_one(client_for, world):
    page = client_for(world.alice).get(LIST).content.decode()

    assert "您的账号还没有绑定学历" in page
    assert 'href="/records/mine/bind/"' in page


def test_creating_needs_the_csrf_token(world, diploma):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)

    refused = client.post(_create_url(diploma), {"months": "1"})
    client.get(LIST)
    token = client.cookies["csrftoken"].value
    accepted = client.post(_create_url(diploma), {"months": "1", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert OnlineReport.objects.count() == 1


def test_only_the_offered_validity_periods_are_accepted(client_for, world, diploma):
    response = client_for(world.alice).post(_create_url(diploma), {"months": "12"})

    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not OnlineReport.objects.exists()


def test_someone_elses_degree_is_refused(client_for, world, diploma):
    response = client_for(world.bob).post(_create_url(diploma), {"months": "1"})

    assert response.status_code == 404
    with pytest.raises(RecordError, match="只能为已绑定到本人账号的学历"):
        services.report_create(degree=diploma, by=world.bob, months=1)
    assert not OnlineReport.objects.exists()


def test_a_degree_of_her_id_number_not_bound_to_her_is_refused(client_for, world):
    unbound = degree(world.alice_record)

    response = client_for(world.alice).post(_create_url(unbound), {"months": "1"})

    assert response.status_code == 404
    with pytest.raises(RecordError):
        services.report_create(degree=unbound, by=world.alice, months=1)
    assert not OnlineReport.objects.exists()


def test_a_report_is_of_a_record_or_of_a_degree_never_both_nor_neither(world, diploma):
    for subject in ({"record": world.alice_record, "degree": diploma}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            OnlineReport.objects.create(
                user=world.alice,
                code=services.code_generate(),
                valid_until=timezone.now(),
                **subject,
            )


# The public page


def test_anyone_sees_the_beian_with_the_id_number_masked(world, diploma):
    report = _beian(diploma)

    response = Client().get(f"/verify/{report.code}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert _labels(page) == LABELS
    for value in (diploma.name, diploma.certificate_number, world.institution.name, "4 年"):
        assert value in page
    assert "2003年9月1日" in page and "2007年7月1日" in page  # 入学, 毕（结）业
    assert diploma.masked_id_number in page
    assert diploma.id_number not in page
    # Beside the masked number the birth date would give it away: the year only.
    assert f"<dd>{diploma.birth_date.year}年</dd>" in page
    assert diploma.birth_date.isoformat() not in page
    born = diploma.birth_date
    assert f"{born.year}年{born.month}月{born.day}日" not in page
    assert 'src="data:image/svg+xml' in page
    assert "有效期至" in page
    assert response["Cache-Control"].startswith("max-age=0")
    assert '<meta name="robots" content="noindex' in page


def test_what_the_degree_does_not_hold_is_left_out(world):
    bare = degree(world.alice_record, user=world.alice)  # no 学籍 linked, no entry date
    report = _beian(bare)

    page = Client().get(f"/verify/{report.code}/").content.decode()

    assert "学制" not in _labels(page) and "入学日期" not in _labels(page)
    assert "证书编号" in _labels(page)


def test_the_same_verify_form_finds_a_beian(world, diploma):
    report = _beian(diploma)
    typed = services.code_display(report.code).lower()

    response = Client().get("/verify/", {"code": typed}, follow=True)

    assert response.redirect_chain == [(f"/verify/{report.code}/", 302)]
    assert "学历证书电子注册备案表" in response.content.decode()


def test_the_public_page_prints_without_the_site_around_it(world, diploma):
    page = Client().get(f"/verify/{_beian(diploma).code}/").content.decode()

    # static/css/portal.css hides .site-header, .site-footer and .no-print in print.
    assert '<p class="report-verified no-print">' in page
    assert 'class="beian"' in page


def test_the_public_page_costs_a_few_queries(world, diploma, django_assert_max_num_queries):
    report = _beian(diploma)

    # As the 学籍 report's page: the look-up counted and given back, the report with its
    # degree, institution and 学籍 in one query, the view counted and audited.
    with django_assert_max_num_queries(7):
        assert Client().get(f"/verify/{report.code}/").status_code == 200


def test_the_list_costs_the_same_queries_for_1_and_10_beian(
    client_for, world, diploma, django_assert_max_num_queries
):
    client = client_for(world.alice)
    _beian(diploma)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    second = degree(world.alice_record, user=world.alice, certificate_number="139991200905000456")
    for _ in range(9):
        _beian(diploma)
        _beian(second)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).status_code == 200


# Every viewing, for her


def test_a_viewing_is_counted_audited_and_shown_to_her(client_for, world, diploma):
    report = _beian(diploma)

    Client(REMOTE_ADDR="198.51.100.9").get(f"/verify/{report.code}/")

    report.refresh_from_db()
    event = AuditEvent.objects.get(action="records.online_report_viewed")
    assert report.view_count == 1
    assert event.target_id == str(report.pk) and event.subject == world.alice
    assert event.institution == world.institution
    assert event.ip_address == "198.51.100.9"
    client = client_for(world.alice)
    detail = client.get(f"/records/reports/{report.pk}/").content.decode()
    history = client.get("/records/mine/history/").content.decode()
    assert "198.51.100.*" in detail
    assert "198.51.100.*" in history
    assert "生成的学历证书电子注册备案表" in history


def test_create_extend_view_and_close_are_audited_without_the_code(client_for, world, diploma):
    client = client_for(world.alice)
    client.post(_create_url(diploma), {"months": "1"})
    report = OnlineReport.objects.get()
    client.post(f"/records/reports/{report.pk}/extend/", {"months": "1"})
    Client().get(f"/verify/{report.code}/")
    client.post(f"/records/reports/{report.pk}/close/")

    events = list(AuditEvent.objects.filter(target_id=str(report.pk)).order_by("pk"))

    assert [e.action for e in events] == [
        "records.online_report_created",
        "records.online_report_extended",
        "records.online_report_viewed",
        "records.online_report_closed",
    ]
    assert {e.institution for e in events} == {world.institution}
    assert all("学历证书电子注册备案表" in e.target_label for e in events)
    assert all(report.code not in str(e.changes) + e.target_label for e in events)


# Extending, closing, expiry


def test_extending_adds_months_to_the_current_end(client_for, world, diploma):
    report = _beian(diploma, valid_for=10 * DAY)
    old_end = report.valid_until

    response = client_for(world.alice).post(
        f"/records/reports/{report.pk}/extend/", {"months": "1"}
    )

    report.refresh_from_db()
    assert response.status_code == 302
    assert report.valid_until == services.add_months(old_end, 1)


def test_closing_asks_first_then_the_code_stops_working(client_for, world, diploma):
    report = _beian(diploma)
    client = client_for(world.alice)

    asked = client.get(f"/records/reports/{report.pk}/close/").content.decode()
    client.post(f"/records/reports/{report.pk}/close/")
    response = Client().get(f"/verify/{report.code}/")
    page = response.content.decode()

    report.refresh_from_db()
    assert "确认关闭" in asked
    assert report.closed_at is not None
    assert response.status_code == 404
    assert "该备案表已被本人关闭" in page
    for personal in (diploma.name, diploma.certificate_number, diploma.masked_id_number):
        assert personal not in page


def test_an_expired_beian_says_so_and_shows_nothing_personal(world, diploma):
    report = _beian(diploma, valid_for=-DAY)

    response = Client().get(f"/verify/{report.code}/")
    page = response.content.decode()

    assert response.status_code == 404
    assert "该备案表已过期" in page
    for personal in (diploma.name, diploma.certificate_number, diploma.masked_id_number):
        assert personal not in page
    report.refresh_from_db()
    assert report.view_count == 0


def test_guessing_is_throttled_for_beian_codes_too(world, diploma):
    report = _beian(diploma)
    guesser = Client(REMOTE_ADDR="203.0.113.7")

    for _ in range(20):
        guesser.get(f"/verify/{services.code_generate()}/")
    real = guesser.get(f"/verify/{report.code}/")

    assert real.status_code == 429
    assert diploma.name not in real.content.decode()


# Who else may reach it


def test_another_student_and_staff_get_nothing_of_her_beian(client_for, world, diploma):
    report = _beian(diploma)

    assert client_for(world.bob).get(f"/records/reports/{report.pk}/").status_code == 404
    assert client_for(world.bob).post(f"/records/reports/{report.pk}/close/").status_code == 404
    assert client_for(world.counselor).get(f"/records/reports/{report.pk}/").status_code == 403
    report.refresh_from_db()
    assert report.closed_at is None


def test_staff_scope_reaches_degree_reports_through_the_degree(world, diploma):
    report = _beian(diploma)

    def visible(user):
        return list(OnlineReport.objects.visible_to(user))

    assert visible(world.registrar) == [report]
    assert visible(world.counselor) == [report]  # alice's class
    assert visible(world.college_staff) == [report]
    assert visible(world.alice) == [report]
    assert visible(world.other_registrar) == []
    assert visible(world.other_college_staff) == []
    assert visible(world.bob) == []


def test_her_page_of_a_closed_beian_no_longer_says_it_can_be_verified(client_for, world, diploma):
    open_page = client_for(world.alice).get(f"/records/reports/{_beian(diploma).pk}/")
    closed = _beian(diploma, closed=True)

    page = client_for(world.alice).get(f"/records/reports/{closed.pk}/").content.decode()

    assert "本备案表在有效期内" in open_page.content.decode()
    assert "本备案表在有效期内" not in page


def test_her_beian_page_shows_one_qr_code(client_for, world, diploma):
    page = client_for(world.alice).get(f"/records/reports/{_beian(diploma).pk}/").content.decode()

    assert page.count('src="data:image/svg+xml') == 1
