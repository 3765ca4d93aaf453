"""A double tap on 提交评价 (two requests at once), on PostgreSQL with real threads: one
answer kept, the other refused with the page's message (SatisfactionParticipant's
constraint decides, not a read before the write)."""

from __future__ import annotations

import pytest
from django.db import connection

from notices.errors import NoticeError
from notices.models import SATISFACTION_ITEMS, SatisfactionEvaluation, SatisfactionParticipant
from notices.satisfaction.selectors import invitation_for
from notices.satisfaction.services import satisfaction_submit
from tests.notices.conftest import confirm
from tests.threads import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need PostgreSQL: SQLite serialises every write, so nothing would race",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_submissions_at_once_keep_one_answer(world, notice):
    confirm(world.alice_record)
    # Both requests read the page before either wrote: each holds an open invitation.
    invitations = [invitation_for(notice, world.alice) for _ in range(2)]
    scores = {name: 5 for name in SATISFACTION_ITEMS}

    results = run_together(
        [
            lambda invitation=invitation: satisfaction_submit(
                invitation=invitation, by=world.alice, scores=scores
            )
            for invitation in invitations
        ]
    )

    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], NoticeError), results
    assert SatisfactionEvaluation.objects.filter(notice=notice).count() == 1
    assert SatisfactionParticipant.objects.filter(notice=notice).count() == 1
