"""Notices test helpers: a published notice with a task, and what students do about it."""

from __future__ import annotations

import datetime
import itertools
import random
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import sms
from accounts.models import Role, User
from imaging.models import Photo, PhotoKind, PhotoState, PhotoVerification
from notices.models import Notice, NoticeState, NoticeTask
from portal.lib import idnumbers
from records.models import (
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Major,
    RecordConfirmation,
    SchoolClass,
)
from tests import clients, factories
from tests.clients import csrf_post as csrf_post  # the notices tests import it here

DAY = datetime.timedelta(days=1)
_rng = random.Random(20261125)


@pytest.fixture(autouse=True)
def _clean_outboxes():
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


# Many-student tests build their records here, on a counter of their own: the shared
# factories derive birth dates from one session-wide sequence (tests/factories.py).
_bulk = itertools.count(1)


def bulk_student(klass, *, with_account: bool = True):
    """A student of `klass` (an account bound to a record), without the shared sequence."""
    n = next(_bulk)
    birth = datetime.date(1995, 1, 1) + datetime.timedelta(days=n % 3000)
    number = idnumbers.generate(rng=_rng, region="110101", birth=birth, sex="2")
    account = None
    if with_account:
        account = User.objects.create(
            username=f"bulk{n}", real_name=f"同学{n}", id_number=number, role=Role.STUDENT
        )
    record = EnrollmentRecord.objects.create(
        institution=klass.institution,
        examinee_number=f"23110101{n:06d}",
        student_number=f"{klass.cohort}9{n:05d}",
        name=account.real_name if account else f"同学{n}",
        sex="2",
        birth_date=birth,
        id_number=number,
        ethnicity="01",
        origin_region="110101",
        major=klass.major,
        duration=Decimal("4"),
        level=klass.major.level,
        admission_year=klass.cohort,
        study_form="regular_full_time",
        category="regular",
        college=klass.college,
        school_class=klass,
        entry_date=datetime.date(klass.cohort, 9, 1),
        expected_graduation=datetime.date(klass.cohort + 4, 7, 1),
        user=account,
    )
    return account, record


def bulk_class(college, cohort: int = 2023):
    n = next(_bulk)
    major = Major.objects.create(
        institution=college.institution, code=f"B{n:05d}", name=f"批量专业{n}",
        level="bachelor", duration=4,
    )  # fmt: skip
    return SchoolClass.objects.create(
        institution=college.institution, college=college, major=major,
        code=f"B{cohort}{n:05d}", name=f"批量{n}班", cohort=cohort,
    )  # fmt: skip


def make_notice(world, *, task=NoticeTask.BOTH, state=NoticeState.PUBLISHED, **fields) -> Notice:
    now = timezone.now()
    values = {
        "institution": world.institution,
        "number": f"23-{factories.token()[:6]}",
        "title": "关于做好2023级学籍信息自查和图像校对的通知",
        "issuing_office": "教务处",
        "drafted_by": "学籍科",
        "signed_by": "查金旺",
        "issue_date": now.date(),
        "body": "请于规定时间内完成学籍信息自查和图像校对。",
        "task": task,
        "state": state,
        "window_start": now - 10 * DAY,
        "window_end": now + 10 * DAY,
        "published_at": now - 10 * DAY if state == NoticeState.PUBLISHED else None,
        "created_by": world.registrar,
    }
    values.update(fields)
    return Notice.objects.create(**values)


def confirm(record) -> RecordConfirmation:
    return RecordConfirmation.objects.create(record=record, user=record.user)


def report(record, field="ethnicity", current="汉族", claimed="回族", **fields):
    report = DiscrepancyReport.objects.create(record=record, user=record.user, **fields)
    DiscrepancyItem.objects.create(
        report=report, field=field, current_value=current, claimed_value=claimed
    )
    return report


def photo(record, *, kind=PhotoKind.ENROLLMENT, state=PhotoState.UNVERIFIED, reason="", comment=""):
    item = Photo.objects.create(
        record=record,
        kind=kind,
        token=factories.token(),
        image="photos/x.jpg",
        thumbnail="photos/x.thumb.jpg",
        width=360,
        height=480,
        sha256="0" * 64,
        state=state,
    )
    if state != PhotoState.UNVERIFIED:
        PhotoVerification.objects.create(
            photo=item, user=record.user, result=state, reason=reason, comment=comment
        )
    return item


def done_everything(record) -> None:
    confirm(record)
    photo(record, state=PhotoState.CONFIRMED)


def count_queries(client: Client, url: str) -> int:
    """How many queries one GET costs (read at once: each request resets the log)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def csrf_client(user) -> Client:
    """A client that enforces CSRF like a browser does, logged in as `user`, holding the
    CSRF cookie of the notices list (csrf_post sends it back without opening the form)."""
    return clients.csrf_client(user, first_page="/notices/")
