"""Shared personas: one small university with two colleges, and a second university.

alice: a student in class A (monitor of class A); bob: her classmate; carol: a student
of class B in the same college; dave: a student of the other college; their counselor
(class A), the college staff of the other college, the registrar, an identity reviewer,
and the registrar of another university. Beside them, the published notice for their
cohort and class A's feedback sheet of it, which the notices and portal tests share.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from accounts.models import Role, User
from notices.models import FeedbackSheet, Notice, NoticeAudience
from notices.services.sheets import sheets_sync
from records import progress
from records.models import DegreeRecord, EnrollmentRecord, Institution, SchoolClass
from tests import factories
from tests.notices.conftest import make_notice

# Shared, loaded machines: a slow example is not a failure (no per-example deadline).
hypothesis_settings.register_profile("portal", deadline=None)
hypothesis_settings.load_profile("portal")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English leaves its language active in the thread (LocaleMiddleware
    activates, nothing deactivates): the next test starts in the default again."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _check_results_kept(request):
    """After every test with a database, each record's stored check result (正确 / 有误 /
    neither) is what its confirmations and reports say (records.progress): a path that
    changes either without refreshing it fails the test that takes it."""
    marker = request.node.get_closest_marker("django_db")
    if not marker and not {"db", "transactional_db"} & set(request.fixturenames):
        yield
        return
    # Set up before this fixture, torn down after it: the check sees the test's data.
    request.getfixturevalue("_django_db_helper")
    yield
    if connection.needs_rollback:  # the test ended on a database error it expected
        return
    wrong = list(progress.stale().values_list("pk", "check_result")[:5])
    assert not wrong, f"records whose check_result is stale (records.progress): {wrong}"
    degrees = progress.stale(DegreeRecord.objects.all()).values_list("pk", "check_result")
    wrong = list(degrees[:5])
    assert not wrong, f"degrees whose check_result is stale (records.progress): {wrong}"


@pytest.fixture
def redis_store(settings):
    """The throttle's Redis counters (portal.lib.throttle) on a Redis database of the tests
    (THROTTLE_TEST_REDIS_URL, default DB 12 on the loopback); skipped without Redis."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("THROTTLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {url}")
    client.flushdb()
    settings.THROTTLE_REDIS_URL = url
    yield client
    client.flushdb()


@pytest.fixture
def private_media(settings, tmp_path) -> Path:
    """Private media (photos, ID scans, uploads) in a folder of this test only."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@dataclass
class World:
    institution: Institution
    other_institution: Institution
    class_a: SchoolClass
    class_b: SchoolClass
    class_other_college: SchoolClass
    alice: User
    alice_record: EnrollmentRecord
    bob: User
    bob_record: EnrollmentRecord
    carol: User
    carol_record: EnrollmentRecord
    dave: User
    dave_record: EnrollmentRecord
    counselor: User
    college_staff: User
    other_college_staff: User
    registrar: User
    reviewer: User
    other_registrar: User
    admin: User

    def persona(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(db) -> World:
    inst = factories.institution(code="13999", name="示例职业大学")
    other = factories.institution(code="13998", name="另一所大学")
    college_1 = factories.college(inst, name="理工学院", code="LG")
    college_2 = factories.college(inst, name="经管学院", code="JG")
    class_a = factories.school_class(college_1)
    class_b = factories.school_class(college_1)
    class_c = factories.school_class(college_2)
    alice, alice_record = factories.student(class_a, real_name="李晓梅", username="alice")
    bob, bob_record = factories.student(class_a, real_name="王强", username="bob")
    carol, carol_record = factories.student(class_b, real_name="陈静", username="carol")
    dave, dave_record = factories.student(class_c, real_name="赵磊", username="dave")
    class_a.monitor = alice
    class_a.save()
    counselor = factories.user(Role.COUNSELOR, username="counselor", institution=inst)
    class_a.counselors.add(counselor)
    college_staff = factories.user(
        Role.COLLEGE, username="college", institution=inst, college=college_1
    )
    other_college_staff = factories.user(
        Role.COLLEGE, username="college2", institution=inst, college=college_2
    )
    registrar = factories.user(Role.REGISTRAR, username="registrar", institution=inst)
    reviewer = factories.user(Role.IDENTITY_REVIEWER, username="reviewer")
    other_registrar = factories.user(Role.REGISTRAR, username="registrar2", institution=other)
    admin = User.objects.create_superuser("admin", factories.PASSWORD)
    return World(
        institution=inst,
        other_institution=other,
        class_a=class_a,
        class_b=class_b,
        class_other_college=class_c,
        alice=alice,
        alice_record=alice_record,
        bob=bob,
        bob_record=bob_record,
        carol=carol,
        carol_record=carol_record,
        dave=dave,
        dave_record=dave_record,
        counselor=counselor,
        college_staff=college_staff,
        other_college_staff=other_college_staff,
        registrar=registrar,
        reviewer=reviewer,
        other_registrar=other_registrar,
        admin=admin,
    )


@pytest.fixture
def notice(world) -> Notice:
    """Published, record self-check and photo verification, for the 2023 cohort (classes
    A and B, and dave's)."""
    notice = make_notice(world)
    NoticeAudience.objects.create(notice=notice, cohort=2023)
    return notice


@pytest.fixture
def sheet(world, notice) -> FeedbackSheet:
    """Class A's feedback sheet (反馈表) of `notice`."""
    sheets_sync(notice=notice)
    return FeedbackSheet.objects.get(notice=notice, school_class=world.class_a)


@pytest.fixture
def client_for(client):
    """Log a persona in on the test client: `client_for(world.alice)`."""

    def login(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
