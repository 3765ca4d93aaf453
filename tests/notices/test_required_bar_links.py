"""The required-task bar links to 待办事项 from every other page, and not to itself on 待办事项."""

import pytest

from notices.models import NoticeAudience, NoticeTask
from tests.notices.conftest import make_notice

pytestmark = pytest.mark.django_db
BAR = 'id="required-bar"'


@pytest.fixture
def required(world):
    notice = make_notice(world, task=NoticeTask.RECORD_CHECK, is_required=True)
    NoticeAudience.objects.create(notice=notice, cohort=2023)
    return notice


def _bar(page: str) -> str:
    return page.split(BAR)[1].split("</div>")[0]


def test_the_bar_links_to_the_todo_page_from_another_page(client_for, world, required):
    client = client_for(world.bob)
    client.get("/todo/")  # the hold at log-in takes her there once

    page = client.get("/records/mine/").content.decode()

    assert 'href="/todo/"' in _bar(page)


def test_on_the_todo_page_the_bar_does_not_link_to_itself(client_for, world, required):
    page = client_for(world.bob).get("/todo/").content.decode()

    assert "您有必须完成的校对任务" in _bar(page)
    assert 'href="/todo/"' not in _bar(page)
