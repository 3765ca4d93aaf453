"""Attack: the staff's tasks (notices/following.py): queries by the institution's notices."""

from __future__ import annotations

import pytest

from notices.models import NoticeAudience
from tests import factories
from tests.notices.conftest import count_queries, make_notice


@pytest.mark.django_db
def test_attack_counselor_task_list_costs_the_same_whatever_other_colleges_notices(
    client_for, world, notice
):
    """校对任务 runs three queries for every notice of the institution in progress, also for
    those that concern none of her students (they are dropped after being counted): the
    page grows with the whole institution's notices, not with hers."""
    client = client_for(world.counselor)
    before = count_queries(client, "/notices/tasks/")
    other = factories.school_class(world.class_other_college.college, cohort=2021)
    factories.student(other)
    for _ in range(10):
        NoticeAudience.objects.create(notice=make_notice(world), cohort=2021)

    after = count_queries(client, "/notices/tasks/")

    assert after <= before + 2, (before, after)


@pytest.mark.django_db
def test_attack_reminding_from_a_filtered_missing_diploma_list_reminds_that_list(client_for, world):
    """The registrar narrows 学历照片未确认的毕业生 to class A and clicks 提醒未上传的学生: the
    link carries only the year, so the preview (and the send) is every graduate of the
    institution that year: carol and dave would be reminded too."""
    import re
    from html import unescape

    client = client_for(world.registrar)
    page = client.get(
        "/photos/missing-diploma/", {"year": 2027, "school_class": world.class_a.code}
    ).content.decode()
    link = unescape(re.search(r'href="(/notices/reminders/diploma-photo/[^"]*)"', page)[1])

    plan = client.get(link).context["plan"]

    assert {r.record for r in plan.recipients} == {world.alice_record, world.bob_record}
