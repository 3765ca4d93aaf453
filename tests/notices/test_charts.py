"""The registrar's chart of a notice's daily progress (notices.charts): the days and their
numbers, the SVG with and without data, the Shanghai day of each step, the page."""

import datetime

from imaging.models import PhotoVerification
from notices.charts import progress_chart, render_svg
from notices.models import NoticeAudience, NoticeTask
from notices.selectors import done_by_day
from records.models import RecordConfirmation
from tests.notices.conftest import confirm, done_everything, make_notice, photo, report

UTC = datetime.UTC
D = datetime.date


def test_the_days_cumulate_from_the_start_to_today_or_the_deadline():
    by_day = {D(2026, 11, 28): 2, D(2026, 12, 1): 3, D(2026, 12, 3): 1, D(2026, 12, 20): 9}

    chart = progress_chart(
        by_day, start=D(2026, 12, 1), end=D(2026, 12, 10), today=D(2026, 12, 4), target=20
    )

    assert [(d.day.day, d.n, d.total) for d in chart.days] == [
        (1, 3, 5),
        (2, 0, 5),
        (3, 1, 6),
        (4, 0, 6),
    ]  # fmt: skip  (the 2 before the start count in the first day's total)
    assert chart.done == 6
    ended = progress_chart(
        by_day, start=D(2026, 12, 1), end=D(2026, 12, 10), today=D(2027, 1, 1), target=20
    )
    assert ended.days[-1].day == D(2026, 12, 10) and ended.done == 6  # after it: not counted


def test_the_svg_is_an_image_with_its_numbers_the_target_and_the_deadline():
    chart = progress_chart(
        {D(2026, 12, 2): 3}, start=D(2026, 12, 1), end=D(2026, 12, 5), today=D(2026, 12, 3),
        target=10,
    )  # fmt: skip

    svg = str(render_svg(chart))

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">每日累计已完成人数</title>' in svg
    assert "已完成 3 人，目标 10 人" in svg
    assert svg.count("<polyline") == 1
    points = svg.split('points="')[1].split('"')[0].split()
    assert len(points) == 3  # 1, 2 and 3 December
    assert 'class="chart-target"' in svg and "目标 10 人" in svg
    assert 'class="chart-deadline"' in svg and "截止 12-05" in svg
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_the_svg_without_data_says_so():
    chart = progress_chart(
        {}, start=D(2026, 12, 10), end=D(2026, 12, 20), today=D(2026, 12, 5), target=0
    )

    svg = str(render_svg(chart))

    assert chart.days == [] and "<polyline" not in svg
    assert "暂无数据" in svg and 'role="img"' in svg


def test_a_step_counts_on_its_shanghai_day(world):
    notice = make_notice(world, task=NoticeTask.RECORD_CHECK)
    NoticeAudience.objects.create(notice=notice, cohort=2023)
    confirm(world.alice_record)
    report(world.bob_record)
    # 16:30 UTC on 1 December is 00:30 on 2 December in Shanghai.
    RecordConfirmation.objects.filter(record=world.alice_record).update(
        confirmed_at=datetime.datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    )
    world.bob_record.discrepancy_reports.update(
        created_at=datetime.datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    )

    assert done_by_day(notice, world.registrar) == {D(2026, 12, 2): 1, D(2026, 12, 1): 1}
    assert done_by_day(notice, world.counselor) == {D(2026, 12, 2): 1, D(2026, 12, 1): 1}
    assert done_by_day(notice, world.other_college_staff) == {}


def test_a_student_finishes_with_her_last_step(world, notice):
    done_everything(world.alice_record)
    RecordConfirmation.objects.filter(record=world.alice_record).update(
        confirmed_at=datetime.datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    )
    PhotoVerification.objects.filter(photo__record=world.alice_record).update(
        created_at=datetime.datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    )
    photo(world.bob_record)  # a photo not checked yet: not done

    assert done_by_day(notice, world.registrar) == {D(2026, 12, 3): 1}


def test_the_registrar_reads_the_chart_and_its_numbers_on_the_progress_page(
    client_for, world, notice
):
    done_everything(world.alice_record)

    page = client_for(world.registrar).get(f"/notices/{notice.pk}/progress/").content.decode()

    assert '<svg class="progress-chart" role="img"' in page
    assert "查看每日数据" in page and "累计已完成" in page


def test_the_counselor_and_the_college_have_no_chart(client_for, world, notice):
    for persona in (world.counselor, world.college_staff):
        page = client_for(persona).get(f"/notices/{notice.pk}/progress/").content.decode()
        assert "progress-chart" not in page
