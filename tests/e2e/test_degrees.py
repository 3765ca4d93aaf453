"""Issue 16 (the 学历 side) in a real browser: a graduate confirms one degree and reports
another 有误; a 专升本 student confirms her 专科 degree beside her 本科 学籍 and the
registrar follows the others up on the 专升本 list; a 学历证书电子注册备案表 opened by
anyone shows the degree with the ID number masked. Students on a 375 px phone, every page
reached by clicking from the person's home page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect
from pypdf import PdfWriter

from accounts.models import Role
from portal.lib import idnumbers
from records.models import CheckResult, DegreeRecord, DiscrepancyReport, Level
from tests import factories
from tests.e2e.conftest import DESKTOP, MOBILE, BrowserProblems, assert_fits


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


@pytest.fixture
def scan(tmp_path):
    def make(name: str):
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        path = tmp_path / name
        with path.open("wb") as handle:
            writer.write(handle)
        return path

    return make


def _junior(inst, account, *, number: str = "", **fields) -> DegreeRecord:
    """A 专科 degree of `account` at `inst`."""
    values = {
        "level": Level.JUNIOR_COLLEGE,
        "major_name": "会计电算化",
        "entry_date": datetime.date(2018, 9, 1),
        "graduation_date": datetime.date(2021, 6, 30),
    }
    if number:
        values["certificate_number"] = number
    return factories.degree(inst, owner=account, **values | fields)


def _open_my_records(page) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="学籍信息").click()
    expect(page.get_by_role("heading", name="学籍信息", exact=True)).to_be_visible()


@pytest.fixture
def graduate(transactional_db):
    """蒋雯, a 往届毕业生 with no 学籍 online: a 专科 (2014) and a 本科 (2016) degree."""
    number = factories.id_number()
    account = factories.user(Role.STUDENT, username="jiangwen", real_name="蒋雯", id_number=number)
    junior_school = factories.institution(code="13999", name="示例职业技术学院")
    school = factories.institution(code="19904", name="示例财经大学")
    junior = _junior(
        junior_school,
        account,
        entry_date=datetime.date(2011, 9, 1),
        graduation_date=datetime.date(2014, 7, 1),
    )
    bachelor = factories.degree(
        school,
        owner=account,
        major_name="会计学",
        entry_date=datetime.date(2014, 9, 1),
        graduation_date=datetime.date(2016, 7, 1),
    )
    return account, junior, bachelor


def test_a_graduate_confirms_one_degree_and_reports_another(
    page, graduate, scan, login, screenshot
):
    account, junior, bachelor = graduate

    login(page, "jiangwen", factories.PASSWORD)
    _open_my_records(page)
    expect(page.get_by_role("heading", name="学历信息", exact=True)).to_be_visible()
    card = page.locator("article.card", has=page.locator(f"#degree-{bachelor.pk}"))
    expect(card).to_contain_text(bachelor.certificate_number)
    expect(card).to_contain_text("未查看")
    assert_fits(page)
    card.get_by_role("link", name="查看并校对学历信息").click()

    # Her 本科 degree: every field, then 正确 after a second confirmation.
    expect(page.get_by_role("heading", name="学历信息", exact=True)).to_be_visible()
    expect(page.locator("[data-field=certificate_number] dd")).to_have_text(
        bachelor.certificate_number
    )
    expect(page.locator("[data-field=major_name] dd")).to_have_text("会计学")
    expect(page.locator(".state-looked")).to_contain_text("已查看，未确认")
    assert_fits(page)
    page.get_by_role("link", name="学历信息正确", exact=True).click()
    expect(page.get_by_role("heading", name="确认学历信息正确？")).to_be_visible()
    expect(page.locator("main")).to_contain_text(bachelor.certificate_number)
    assert_fits(page)
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".messages")).to_contain_text("已确认：学历信息正确。")
    expect(page.locator(".state-confirmed")).to_contain_text("已确认正确")
    expect(page.get_by_role("link", name="学历信息正确", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="学历信息有误", exact=True)).to_have_count(0)
    screenshot(page, "degree-confirmed-375")

    # Her 专科 degree: 姓名 有误, with the two papers the rule asks for.
    page.get_by_role("link", name="返回学籍信息").click()
    card = page.locator("article.card", has=page.locator(f"#degree-{junior.pk}"))
    card.get_by_role("link", name="查看并校对学历信息").click()
    expect(page.locator("[data-field=certificate_number] dd")).to_have_text(
        junior.certificate_number
    )
    page.get_by_role("link", name="学历信息有误", exact=True).click()
    expect(page.get_by_role("heading", name="学历信息有误")).to_be_visible()
    # Numbers are not hers to claim: 证书编号 has no row.
    expect(page.get_by_label("证书编号", exact=True)).to_have_count(0)
    expect(page.get_by_label("姓名的正确信息")).to_be_hidden()
    page.get_by_label("姓名", exact=True).check()
    row = page.locator("[data-report-row]", has=page.get_by_label("姓名", exact=True))
    expect(row).to_contain_text("需上传：户口本、公安部门证明")
    page.get_by_label("姓名的正确信息").fill("蒋雯雯")
    page.get_by_label("材料类型").nth(0).select_option("户口本")
    page.get_by_label("证明材料 1").set_input_files(str(scan("户口本.pdf")))
    page.get_by_label("材料类型").nth(1).select_option("公安部门证明")
    page.get_by_label("证明材料 2").set_input_files(str(scan("公安部门证明.pdf")))
    assert_fits(page)
    page.get_by_role("button", name="提交").click()

    # Back on the degree: the open report, what it claims, and the way to withdraw it.
    expect(page.locator("[data-field=certificate_number] dd")).to_have_text(
        junior.certificate_number
    )
    expect(page.locator(".state-disputed")).to_contain_text("已报有误，待处理")
    report = page.get_by_role("region", name="有误申请")
    expect(report).to_contain_text("蒋雯 → 蒋雯雯")
    expect(report.get_by_role("button", name="撤回申请")).to_be_visible()
    expect(page.get_by_role("link", name="学历信息正确", exact=True)).to_have_count(0)
    assert_fits(page)
    screenshot(page, "degree-reported-375")

    # 学籍信息 says where each degree stands.
    page.get_by_role("link", name="返回学籍信息").click()
    degrees = page.locator("article.card")
    expect(degrees.filter(has=page.locator(f"#degree-{bachelor.pk}"))).to_contain_text("已确认正确")
    expect(degrees.filter(has=page.locator(f"#degree-{junior.pk}"))).to_contain_text(
        "已报有误，待处理"
    )
    bachelor.refresh_from_db()
    junior.refresh_from_db()
    assert bachelor.check_result == CheckResult.CONFIRMED
    assert junior.check_result == CheckResult.REPORTED
    claim = DiscrepancyReport.objects.get(degree=junior)
    assert claim.evidence.count() == 2


@pytest.fixture
def zsb(transactional_db):
    """示例理工学院's 专升本 class: 韩梅梅 (her 专科 degree linked, bound, not yet checked),
    李雷 (his linked too, not checked) and 王芳 (the roster's number found nowhere)."""
    inst = factories.institution(code="19902", name="示例理工学院")
    college = factories.college(inst, name="信息工程学院")
    klass = factories.school_class(college, maj=factories.major(inst, name="软件工程"))
    junior_school = factories.institution(code="13998", name="示例信息职业技术学院")
    registrar = factories.user(Role.REGISTRAR, username="xjk", institution=inst)
    people = {}
    for username, name in (("meimei", "韩梅梅"), ("lilei", "李雷")):
        number = factories.id_number()
        account = factories.user(Role.STUDENT, username=username, real_name=name, id_number=number)
        junior = _junior(junior_school, account)
        record = factories.record(
            klass,
            owner=account,
            name=name,
            id_number=number,
            duration=2,
            prior_degree=junior,
            prior_certificate_number=junior.certificate_number,
        )
        people[username] = (account, record, junior)
    factories.record(klass, name="王芳", prior_certificate_number="139981202106000999")
    return registrar, people


def test_a_zsb_student_confirms_her_junior_degree_and_the_registrar_follows_up(
    page, zsb, login, logout, screenshot
):
    registrar, people = zsb
    account, record, junior = people["meimei"]

    login(page, "meimei", factories.PASSWORD)
    _open_my_records(page)
    bachelor = page.locator("article.record", has=page.locator(f"#record-{record.pk}"))
    expect(bachelor.locator("h2")).to_contain_text("本科 - 示例理工学院 - 软件工程")
    prior = bachelor.get_by_role("region", name="专科学历（专升本）")
    expect(prior).to_contain_text(junior.certificate_number)
    expect(prior).to_contain_text("示例信息职业技术学院")
    expect(prior).to_contain_text("会计电算化")
    expect(prior.locator(".state")).to_have_text("未确认")
    expect(prior.get_by_role("note")).to_have_count(0)  # bound to her: no warning
    assert_fits(page)
    screenshot(page, "zsb-prior-degree-375")
    prior.get_by_role("link", name="核对专科学历（正确 / 有误）").click()

    expect(page.locator("[data-field=certificate_number] dd")).to_have_text(
        junior.certificate_number
    )
    expect(page.locator("[data-field=level] dd")).to_have_text("专科")
    page.get_by_role("link", name="学历信息正确", exact=True).click()
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".messages")).to_contain_text("已确认：学历信息正确。")
    page.get_by_role("link", name="返回学籍信息").click()
    prior = page.get_by_role("region", name="专科学历（专升本）")
    expect(prior.locator(".state")).to_have_text("已确认")
    expect(prior.get_by_role("link", name="查看专科学历")).to_be_visible()
    assert_fits(page)
    logout(page)

    # The registrar, at her desk: from her home page to the 专升本 list.
    page.set_viewport_size(dict(DESKTOP))
    login(page, "xjk", factories.PASSWORD)
    card = page.locator(".queues li", has=page.get_by_role("link", name="专升本学生的专科学历"))
    expect(card).to_contain_text("2 人未完成核查")
    card.get_by_role("link", name="专升本学生的专科学历").click()
    expect(page.get_by_role("heading", name="专升本学生的专科学历")).to_be_visible()
    expect(page.locator("p[role=status]")).to_contain_text("共 3 名专升本学生。")
    rows = page.locator("table tbody tr")

    def state_of(name: str):
        return rows.filter(has=page.get_by_role("link", name=name, exact=True)).locator("td").last

    expect(state_of("韩梅梅")).to_have_text("已确认")
    expect(state_of("李雷")).to_have_text("未确认")
    expect(state_of("王芳")).to_have_text("未找到")
    expect(rows.filter(has_text="王芳")).to_contain_text("139981202106000999")
    lilei = people["lilei"][1]
    expect(page.locator("table")).not_to_contain_text(lilei.id_number)
    expect(rows.filter(has_text="李雷")).to_contain_text(idnumbers.mask(lilei.id_number))
    screenshot(page, "zsb-list")

    # Only those still to follow up on: 未确认.
    page.get_by_label("专科学历状态").select_option("未确认")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("p[role=status]")).to_contain_text("共 1 名专升本学生。")
    expect(rows).to_have_count(1)
    expect(state_of("李雷")).to_have_text("未确认")


@pytest.fixture
def beian(transactional_db):
    """李娜, who graduated from 示例理工学院 with a 本科 degree of her 学籍."""
    inst = factories.institution(code="19902", name="示例理工学院")
    college = factories.college(inst, name="信息工程学院")
    klass = factories.school_class(college, cohort=2016, maj=factories.major(inst, name="软件工程"))
    number = factories.id_number()
    account = factories.user(Role.STUDENT, username="lina", real_name="李娜", id_number=number)
    record = factories.record(
        klass, owner=account, name="李娜", id_number=number, status="graduated"
    )
    degree = factories.degree(inst, record=record)
    return account, degree


def test_the_public_beian_shows_the_degree_with_the_id_number_masked(
    page, browser, live_server, beian, login, screenshot
):
    account, degree = beian

    login(page, "lina", factories.PASSWORD)
    _open_my_records(page)
    page.get_by_role("link", name="学历证书电子注册备案表").click()
    expect(page.get_by_role("heading", name="学历证书电子注册备案表")).to_be_visible()
    item = page.locator("article.record", has=page.locator(f"#degree-{degree.pk}"))
    expect(item).to_contain_text("该学历还没有生成过备案表。")
    item.get_by_label("有效期").select_option("1 个月")
    item.get_by_role("button", name="生成备案表").click()
    expect(page.locator(".messages")).to_contain_text("学历证书电子注册备案表已生成。")
    assert_fits(page)
    screenshot(page, "beian-owner-375")
    code = page.locator("dl.meta code.report-code").first.inner_text()
    public_url = page.locator("a.report-url").get_attribute("href")
    assert public_url and public_url.startswith(live_server.url + "/verify/")

    # An employer handed the code: a fresh browser, nobody logged in, from the home page.
    context = browser.new_context(base_url=live_server.url, viewport=dict(DESKTOP), locale="zh-CN")
    problems = BrowserProblems(live_server.url)
    try:
        other = context.new_page()
        other.on("console", problems.on_console)
        other.on("pageerror", problems.on_page_error)
        other.on("response", problems.on_response)
        other.goto("/")
        expect(other.get_by_role("banner").get_by_role("link", name="登录")).to_be_visible()
        other.get_by_role("navigation", name="主导航").get_by_role("link", name="验证报告").click()
        other.get_by_label("在线验证码").fill(code.lower())
        other.get_by_role("button", name="查询").click()
        expect(other).to_have_url(public_url)
        expect(other.get_by_role("banner").get_by_role("link", name="登录")).to_be_visible()
        expect(other.get_by_role("heading", name="学历证书电子注册备案表")).to_be_visible()
        expect(other.locator(".report-verified")).to_contain_text("该备案表在有效期内")
        expect(other.locator("[data-field=certificate_number] dd")).to_have_text(
            degree.certificate_number
        )
        expect(other.locator("[data-field=name] dd")).to_have_text("李娜")
        expect(other.locator("[data-field=id_number] dd")).to_have_text(
            idnumbers.mask(degree.id_number)
        )
        html = other.content()
        assert degree.id_number not in html
        assert degree.birth_date.isoformat() not in html
        screenshot(other, "beian-public")
    finally:
        context.close()
    assert problems.items == []
