"""Attack: the staff's record lists (records/filters.py, records/selectors.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from records.models import RecordStatus
from tests import factories


def _rows(page: str) -> str:
    return page[page.index("<tbody>") : page.index("</tbody>")]


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["looked", "unverified", "unbound"])
def test_attack_the_state_filter_agrees_with_the_state_badge(client_for, world, state):
    """查询学籍 filtered by 校对状态 lists a 已毕业 record under 已查看，未确认 / 未查看 /
    未绑定账号, while its row's badge says 无需校对 (record_state reads check_state,
    records_in_check_state does not): the filter and the column disagree."""
    owner = factories.user(username="grad") if state != "unbound" else None
    graduate = factories.record(
        world.class_a,
        owner=owner,
        status=RecordStatus.GRADUATED,
        first_viewed_at=timezone.now() if state == "looked" else None,
    )

    rows = _rows(
        client_for(world.registrar).get("/records/search/", {"state": state}).content.decode()
    )

    # Listed here, its badge reads 无需校对: a state this filter does not offer.
    assert graduate.student_number not in rows
