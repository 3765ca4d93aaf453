"""The staff's record lists (issue 14 §6): 班级, 查询学籍 and the 有误 queue filter, sort,
page with their filters, suggest classes, and the queue keeps its filters after a decision."""

import re
from html import unescape

import pytest
from django.utils import timezone

from records.models import DiscrepancyItem, DiscrepancyReport, RecordConfirmation, ReportState
from tests import factories


def _rows(page: str) -> str:
    return page[page.index("<tbody>") : page.index("</tbody>")]


def _links(page: str, prefix: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'href="({re.escape(prefix)}[^"]*)"', page)]


def _report(record, **claims):
    report = DiscrepancyReport.objects.create(record=record, user=record.user)
    for field, (current, claimed) in (claims or {"ethnicity": ("汉族", "回族")}).items():
        DiscrepancyItem.objects.create(
            report=report, field=field, current_value=current, claimed_value=claimed
        )
    return report


# 班级 ------------------------------------------------------------------------------------


def test_the_class_list_filters_by_college_with_an_all_colleges_label(client_for, world):
    other = world.class_other_college
    page = client_for(world.registrar).get("/records/classes/", {"college": other.college_id})
    rows = _rows(page.content.decode())

    assert other.name in rows
    assert world.class_a.name not in rows
    assert "全部学院" in page.content.decode()
    assert "---------" not in page.content.decode()


def test_the_class_list_filters_by_cohort_and_by_part_of_a_name_or_code(client_for, world):
    old = factories.school_class(world.class_a.college, cohort=2021)
    client = client_for(world.registrar)

    by_cohort = _rows(client.get("/records/classes/", {"cohort": 2021}).content.decode())
    by_code = _rows(
        client.get("/records/classes/", {"school_class": old.code[-4:]}).content.decode()
    )
    by_name = _rows(
        client.get("/records/classes/", {"school_class": world.class_b.name[-3:]}).content.decode()
    )

    assert old.name in by_cohort and world.class_a.name not in by_cohort
    assert old.name in by_code and world.class_b.name not in by_code
    assert world.class_b.name in by_name and old.name not in by_name


def test_the_class_filter_suggests_the_visible_classes(client_for, world):
    page = client_for(world.counselor).get("/records/classes/").content.decode()

    assert 'list="class-suggestions"' in page
    datalist = page[page.index('<datalist id="class-suggestions">') :]
    assert f'<option value="{world.class_a.name}">' in datalist
    assert f'<option value="{world.class_a.code}">' in datalist
    assert world.class_b.name not in datalist  # not her class


def test_the_class_list_sorts_by_a_count_both_ways(client_for, world):
    # class_a: alice, bob; class_b: carol; class_other_college: dave. Two more in class_b.
    factories.student(world.class_b)
    factories.student(world.class_b)
    client = client_for(world.registrar)

    up = _rows(client.get("/records/classes/", {"sort": "n_students"}).content.decode())
    down_page = client.get("/records/classes/", {"sort": "-n_students"}).content.decode()
    down = _rows(down_page)

    assert up.index(world.class_other_college.name) < up.index(world.class_a.name)
    assert up.index(world.class_a.name) < up.index(world.class_b.name)
    assert down.index(world.class_b.name) < down.index(world.class_a.name)
    assert 'aria-sort="descending"' in down_page
    assert "?sort=n_students" in down_page  # the header link turns the order round


def test_the_class_list_shows_and_sorts_the_share_confirmed(client_for, world):
    RecordConfirmation.objects.create(record=world.alice_record, user=world.alice)
    page = client_for(world.registrar).get("/records/classes/", {"sort": "-pct_done"})
    rows = _rows(page.content.decode())

    assert rows.index(world.class_a.name) < rows.index(world.class_b.name)
    assert "50%" in rows


@pytest.mark.parametrize("sort", ["bogus", "-", "college__institution__name", "n_students,x"])
def test_a_bad_sort_is_ignored(client_for, world, sort):
    response = client_for(world.registrar).get("/records/classes/", {"sort": sort})

    assert response.status_code == 200
    assert world.class_a.name in response.content.decode()
    assert "aria-sort" not in response.content.decode()


def test_the_next_page_of_classes_keeps_the_filters_and_the_sort(client_for, world):
    college = world.class_other_college.college
    for _ in range(101):
        factories.school_class(college)
    client = client_for(world.registrar)

    first = client.get(
        "/records/classes/", {"college": college.pk, "sort": "-code"}
    ).content.decode()
    [next_link] = [link for link in _links(first, "?") if "page=2" in link]
    second = client.get("/records/classes/" + next_link).content.decode()

    assert f"college={college.pk}" in next_link and "sort=-code" in next_link
    assert "共 102 个班级" in first
    assert world.class_a.name not in _rows(first) + _rows(second)
    assert world.class_other_college.name in _rows(second)  # the lowest code, last


def test_the_class_list_costs_the_same_queries_for_3_and_40_classes(
    client_for, world, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    with django_assert_max_num_queries(12) as few:
        client.get("/records/classes/", {"sort": "-n_confirmed"})
    for _ in range(37):
        factories.student(factories.school_class(world.class_a.college))

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/records/classes/", {"sort": "-n_confirmed"}).status_code == 200


# 查询学籍 ---------------------------------------------------------------------------------


def test_the_record_list_filters_by_state(client_for, world):
    RecordConfirmation.objects.create(record=world.alice_record, user=world.alice)
    _report(world.bob_record)
    unbound = factories.record(world.class_b)
    client = client_for(world.registrar)

    def shown(state):
        rows = _rows(client.get("/records/search/", {"state": state}).content.decode())
        return {r.name for r in (world.alice_record, world.bob_record, unbound) if r.name in rows}

    assert shown("confirmed") == {world.alice_record.name}
    assert shown("reported") == {world.bob_record.name}
    assert shown("unbound") == {unbound.name}
    assert shown("nonsense") == {world.alice_record.name, world.bob_record.name, unbound.name}


def test_the_record_list_filters_by_class_and_college(client_for, world):
    client = client_for(world.registrar)

    by_class = _rows(
        client.get("/records/search/", {"school_class": world.class_b.code}).content.decode()
    )
    by_college = _rows(
        client.get(
            "/records/search/", {"college": world.class_other_college.college_id}
        ).content.decode()
    )

    assert world.carol_record.name in by_class and world.alice_record.name not in by_class
    assert world.dave_record.name in by_college and world.carol_record.name not in by_college


def test_the_record_list_sorts_by_name_and_keeps_id_numbers_masked(client_for, world):
    page = client_for(world.registrar).get("/records/search/", {"sort": "-name"}).content.decode()
    rows = _rows(page)

    names = sorted(
        (r.name for r in (world.alice_record, world.bob_record, world.carol_record)), reverse=True
    )
    assert rows.index(names[0]) < rows.index(names[1]) < rows.index(names[2])
    assert world.alice_record.id_number not in page
    assert world.alice_record.masked_id_number in rows
    assert 'list="class-suggestions"' in page


def test_a_search_keeps_the_filters_of_the_address(client_for, world):
    """The query travels by POST; the filters stay in the address and narrow the search."""
    client = client_for(world.registrar)
    page = client.get("/records/search/", {"college": world.class_other_college.college_id})
    form_action = re.search(
        r'<form method="post" action="([^"]*)" class="search"', page.content.decode()
    )

    outside = client.post(unescape(form_action.group(1)), {"q": world.alice_record.student_number})
    inside = client.post(unescape(form_action.group(1)), {"q": world.dave_record.student_number})

    assert f"college={world.class_other_college.college_id}" in form_action.group(1)
    assert world.alice_record.name not in _rows(outside.content.decode())
    assert world.dave_record.name in _rows(inside.content.decode())


def test_the_record_list_costs_the_same_queries_for_4_and_40_records(
    client_for, world, django_assert_max_num_queries
):
    client = client_for(world.registrar)
    with django_assert_max_num_queries(12) as few:
        client.get("/records/search/", {"sort": "school_class"})
    for _ in range(36):
        factories.student(world.class_b)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/records/search/", {"sort": "school_class"}).status_code == 200


# 有误 queue ------------------------------------------------------------------------------


def test_the_queue_finds_a_class_by_part_of_its_code_and_suggests_classes(client_for, world):
    _report(world.alice_record)
    _report(world.carol_record)

    page = (
        client_for(world.registrar)
        .get("/records/queue/", {"school_class": world.class_b.code[-4:]})
        .content.decode()
    )

    assert world.carol_record.student_number in _rows(page)
    assert world.alice_record.student_number not in _rows(page)
    assert f'<option value="{world.class_b.name}">' in page
    assert "全部学院" in page and "---------" not in page


def test_the_queue_sorts_by_student_number(client_for, world):
    first, second = sorted([world.carol_record, world.alice_record], key=lambda r: r.student_number)
    _report(first)
    _report(second)

    page = client_for(world.registrar).get("/records/queue/", {"sort": "-student_number"})
    rows = _rows(page.content.decode())

    assert rows.index(second.student_number) < rows.index(first.student_number)


def test_a_decision_lands_on_the_queue_with_the_same_filters(client_for, world):
    report = _report(world.carol_record)
    _report(world.alice_record)
    client = client_for(world.registrar)
    queue = client.get(
        "/records/queue/",
        {
            "college": world.class_b.college_id,
            "school_class": world.class_b.code,
            "sort": "-created_at",
        },
    ).content.decode()
    [link] = _links(queue, f"/records/queue/{report.pk}/")
    detail = client.get(link).content.decode()

    response = client.post(link, {"decision": "reject", "note": "材料不清晰"})

    assert response.status_code == 302
    assert response.url.startswith("/records/queue/?")
    assert f"school_class={world.class_b.code}" in response.url
    assert f"college={world.class_b.college_id}" in response.url
    assert "sort=-created_at" in response.url
    assert f'href="{response.url.replace("&", "&amp;")}"' in detail  # 返回有误申请列表
    report.refresh_from_db()
    assert report.state == ReportState.REJECTED


def test_only_the_queues_own_filters_travel_back(client_for, world):
    report = _report(world.carol_record)
    response = client_for(world.registrar).post(
        f"/records/queue/{report.pk}/?next=https://evil.example/&sort=evil&college=999999"
        "&state=&page=x",
        {"decision": "reject", "note": "材料不清晰"},
    )

    assert response.status_code == 302
    assert response.url == "/records/queue/?state="  # 全部, as asked; nothing else kept


def test_decided_at_all_states_the_queue_link_still_opens(client_for, world):
    report = _report(world.carol_record)
    report.state = ReportState.REJECTED
    report.decided_at = timezone.now()
    report.save()

    page = client_for(world.registrar).get("/records/queue/", {"state": ""}).content.decode()

    assert f"/records/queue/{report.pk}/?state=" in page
