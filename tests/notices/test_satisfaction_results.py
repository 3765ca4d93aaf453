"""专业满意度和院校满意度评价, the staff's side (issue 15 §4): results per college and per
major (answers, means, distribution, words), nothing for a group under 5 answers (page
and export alike), nobody named, each college its own, a constant number of queries."""

from __future__ import annotations

import re

import pytest

from portal.lib.models import AuditEvent
from tests import factories
from tests.notices.conftest import bulk_class, confirm, csrf_client, csrf_post
from tests.notices.xlsx_helpers import formulas, open_book

HIDDEN = "不足 5 人，不显示"


def results_url(notice) -> str:
    return f"/notices/{notice.pk}/satisfaction/results/"


def export_url(notice) -> str:
    return f"/notices/{notice.pk}/satisfaction/results.xlsx"


def answers(notice, klass, scores: list[int], item="major_overall", **fields):
    for score in scores:
        factories.satisfaction_answer(notice, klass, **{item: score}, **fields)


def section(page: str, heading: str) -> str:
    """The part of the page from the heading `heading` to the next h2."""
    start = page.index(f">{heading}</h2>")
    end = page.find("<h2", start)
    return page[start : end if end != -1 else len(page)]


def test_means_and_distribution_per_major(world, notice, client_for):
    answers(notice, world.class_a, [5, 5, 4, 2, 1], words="食堂很好")

    page = client_for(world.registrar).get(results_url(notice)).content.decode()

    college = section(page, "理工学院")
    assert "评价人数：5" in college
    assert "3.40" in college  # (5 + 5 + 4 + 2 + 1) / 5
    row = re.search(r"专业综合满意度</th>(.*?)</tr>", college, re.S).group(1)
    counts = re.findall(r'<td class="num dist">(\d+)<meter', row)
    assert counts == ["1", "1", "0", "1", "2"]  # how many gave 1, 2, 3, 4, 5
    assert "40%" in row
    assert "3.00" in college  # every other item 3 for all
    assert "食堂很好" in college


def test_a_group_under_5_shows_no_figures(world, notice, client_for):
    answers(notice, world.class_a, [5, 5, 5, 5], words="宿舍太远")

    page = client_for(world.registrar).get(results_url(notice)).content.decode()

    assert HIDDEN in page
    assert "评价人数" not in page
    assert "5.00" not in page and "宿舍太远" not in page
    assert "<table" not in page.split("</h1>")[1]


def test_a_small_major_is_not_given_away_by_its_college(world, notice, client_for):
    """理工学院 7 = class A's major 6 + class B's major 1: showing the college and the 6
    would give the 1 away by subtraction, so the 6 is hidden too."""
    answers(notice, world.class_a, [4] * 6)
    answers(notice, world.class_b, [1])

    page = client_for(world.registrar).get(results_url(notice)).content.decode()

    college = section(page, "理工学院")
    assert "评价人数：7" in college
    assert college.count("评价人数") == 1
    assert HIDDEN in college
    assert "以免由其他各组推算出不足 5 人的组" in college


def test_a_small_college_is_not_given_away_by_the_total(world, notice, client_for):
    answers(notice, world.class_a, [4] * 6)
    answers(notice, world.class_other_college, [1, 1])

    page = client_for(world.registrar).get(results_url(notice)).content.decode()

    assert "评价人数：8" in section(page, "全部学院")
    assert "评价人数" not in section(page, "理工学院")
    assert HIDDEN in section(page, "经管学院")


def test_nobody_is_named_in_the_page_or_the_export(world, notice, client_for):
    confirm(world.alice_record)
    csrf_post(
        csrf_client(world.alice),
        f"/notices/{notice.pk}/satisfaction/",
        {name: 5 for name in factories.SATISFACTION_ITEMS} | {"words": "老师很负责"},
    )
    answers(notice, world.class_a, [3, 3, 3, 3])
    client = client_for(world.registrar)

    page = client.get(results_url(notice)).content.decode()
    book = open_book(client.get(export_url(notice)).content)

    cells = " ".join(
        str(value) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
        for value in row if value is not None
    )  # fmt: skip
    assert "老师很负责" in page and "老师很负责" in cells
    record = world.alice_record
    for secret in ("alice", "李晓梅", record.student_number, record.id_number):
        assert secret not in page
        assert secret not in cells


def test_the_export_hides_small_groups_the_same_way(world, notice, client_for):
    """理工学院: class A's major 6, another major 5, class B's major 2 (hidden, and the 5
    with it, or 13 - 6 - 5 would give the 2 away); 经管学院 5."""
    answers(notice, world.class_a, [5, 5, 4, 2, 1, 3], words="图书馆座位不够")
    answers(notice, bulk_class(world.class_a.college), [3] * 5)
    answers(notice, world.class_b, [2, 2], words='=HYPERLINK("x")')
    answers(notice, world.class_other_college, [4] * 5)

    response = client_for(world.registrar).get(export_url(notice))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert "%E6%BB%A1%E6%84%8F%E5%BA%A6%E8%AF%84%E4%BB%B7%E7%BB%93%E6%9E%9C" in disposition
    book = open_book(response.content)
    figures, words = book.worksheets
    assert figures["A1"].value == "专业满意度和院校满意度评价结果"
    assert figures["A3"].border.left.style == "thin"
    assert figures.column_dimensions["D"].width > 10
    rows = list(figures.iter_rows(min_row=4, values_only=True))
    label = f"{world.class_a.major.name}（本科）"
    shown = [r for r in rows if r[1] == label and r[3] == "专业综合满意度"]
    assert shown == [("理工学院", label, 6, "专业综合满意度", 3.33, 1, 1, 1, 1, 2)]
    small = [r for r in rows if r[1] == f"{world.class_b.major.name}（本科）"]
    assert small == [("理工学院", small[0][1], HIDDEN, None, None, None, None, None, None, None)]
    assert any(str(r[2]).startswith("不显示（以免") for r in rows)
    college = [r for r in rows if r[0] == "理工学院" and r[1] == "全部专业"]
    assert len(college) == 9 and college[0][2] == 13
    texts = [row[1] for row in words.iter_rows(min_row=4, values_only=True)]
    assert set(texts) == {'=HYPERLINK("x")', "图书馆座位不够"}
    assert formulas(book) == []


def test_the_export_is_audited(world, notice, client_for):
    client_for(world.registrar).get(export_url(notice))

    event = AuditEvent.objects.get(action="notices.satisfaction_exported")
    assert event.actor == world.registrar
    assert event.target_id == str(notice.pk)


def test_a_college_sees_only_its_own(world, notice, client_for):
    answers(notice, world.class_a, [4] * 5, words="理工的意见")
    answers(notice, world.class_other_college, [2] * 5, words="经管的意见")

    own = client_for(world.college_staff).get(results_url(notice)).content.decode()
    other = client_for(world.other_college_staff).get(results_url(notice)).content.decode()
    book = open_book(client_for(world.college_staff).get(export_url(notice)).content)

    assert "理工的意见" in own and "经管学院" not in own and "经管的意见" not in own
    assert "经管的意见" in other and "理工学院" not in other
    cells = [v for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r]
    assert "理工的意见" in cells and "经管学院" not in cells and "经管的意见" not in cells


@pytest.mark.parametrize(
    "persona,status",
    [("counselor", 403), ("alice", 403), ("other_registrar", 404), ("reviewer", 403)],
)
def test_others_get_no_results(world, notice, client_for, persona, status):
    client = client_for(getattr(world, persona))

    assert client.get(results_url(notice)).status_code == status
    assert client.get(export_url(notice)).status_code == status


def test_the_progress_and_notice_pages_link_to_the_results(world, notice, client_for):
    link = results_url(notice)
    assert (
        link in client_for(world.registrar).get(f"/notices/{notice.pk}/progress/").content.decode()
    )
    assert link in client_for(world.registrar).get(f"/notices/manage/{notice.pk}/").content.decode()
    assert (
        link
        in client_for(world.college_staff).get(f"/notices/{notice.pk}/progress/").content.decode()
    )
    assert (
        link
        not in client_for(world.counselor).get(f"/notices/{notice.pk}/progress/").content.decode()
    )


def test_the_results_cost_the_same_queries_for_many_groups(
    world, notice, client_for, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    answers(notice, world.class_a, [4] * 5, words="一")
    with django_assert_max_num_queries(12) as few:
        client.get(results_url(notice))

    for _ in range(6):
        klass = bulk_class(world.class_a.college)
        answers(notice, klass, [3] * 5, words="二")
        answers(notice, bulk_class(world.class_other_college.college), [2] * 6)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(results_url(notice)).content.decode()
    assert page.count("评价人数") > 10


def test_without_answers_the_page_says_when_results_will_show(world, notice, client_for):
    page = client_for(world.registrar).get(results_url(notice)).content.decode()

    assert "暂无学生提交评价" in page
    assert "每组满 5 人后在此显示结果" in page
