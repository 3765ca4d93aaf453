"""Attack: the staff home pages (portal/dashboards.py, notices/following.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notices.models import NoticeAudience
from notices.services.sheets import sheet_sign
from records.imports import roster_import
from records.models import RecordStatus, SchoolClass
from tests import factories
from tests.notices.conftest import DAY, confirm, make_notice
from tests.portal.test_staff_home import _page, _section
from tests.records.roster_files import newcomer, write_roster


@pytest.mark.django_db
def test_attack_counselor_home_shows_her_task_behind_five_other_colleges_notices(
    client_for, world, notice
):
    """Five tasks of another cohort (none of her students) close sooner than hers: the home
    page takes the five soonest, then drops those without her classes, and shows nothing."""
    other = factories.school_class(world.class_other_college.college, cohort=2021)
    factories.student(other)
    for i in range(5):
        n = make_notice(world, window_end=timezone.now() + (i + 1) * DAY, title=f"2021级任务{i}")
        NoticeAudience.objects.create(notice=n, cohort=2021)

    tasks = _section(_page(client_for(world.counselor)), "tasks")

    assert f"/notices/{notice.pk}/progress/" in tasks


@pytest.mark.django_db
def test_attack_registrar_behind_list_ranks_a_graduated_class_first(client_for, world):
    """已毕业 records are never self-checked (records.self_check.not_checked_q: the notice's
    progress counts them done), but the registrar's 最落后的班级 divides 正确 + 有误 by every
    record: a class of graduates is 0 % for ever and tops the list."""
    graduated = factories.school_class(world.class_a.college, cohort=2019)
    for _ in range(3):
        factories.record(graduated, status=RecordStatus.GRADUATED)
    confirm(world.alice_record)  # class A half done: the class really behind

    behind = _section(_page(client_for(world.registrar)), "behind")

    assert graduated.name not in behind


@pytest.mark.django_db
def test_attack_counselor_home_shows_the_open_task_before_five_closed_ones(
    client_for, world, notice
):
    """Tasks are taken soonest deadline first, and a task closed up to 30 days ago has the
    soonest deadline of all: five closed tasks of her cohort (nothing left to do in them)
    push the one still open, closing in ten days, off her home page."""
    for i in range(5):
        closed = make_notice(
            world,
            window_start=timezone.now() - (40 - i) * DAY,
            window_end=timezone.now() - (20 - i) * DAY,
            title=f"已结束的任务{i}",
        )
        NoticeAudience.objects.create(notice=closed, cohort=2023)

    tasks = _section(_page(client_for(world.counselor)), "tasks")

    assert f"/notices/{notice.pk}/progress/" in tasks


@pytest.mark.django_db
def test_attack_a_class_imported_after_publication_has_its_sheet_on_the_home_page(
    client_for, world, sheet, tmp_path
):
    """Sheets are made at publication and whenever someone opens the progress page
    (sheets_sync): a class of the cohort imported since must get its sheet with the import,
    or her home page's 待签名的反馈表 does not list it, though her task card shows the
    class. (Classes and records arrive only by the roster import: the admin is read-only.)"""
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)  # class A: signed
    rows = [newcomer(k, 班号="2023555", 分院=world.class_a.college.name) for k in (1, 2)]
    roster_import(
        file=write_roster(tmp_path / "late.xlsx", rows), by=world.registrar, allow_new_colleges=True
    )
    late = SchoolClass.objects.get(code="2023555")
    late.counselors.add(world.counselor)

    page = _page(client_for(world.counselor))

    assert late.name in _section(page, "tasks")
    assert late.name in _section(page, "to-sign")
