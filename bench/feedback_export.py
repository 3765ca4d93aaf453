"""Feedback sheet export benchmark: `python -m bench.feedback_export [--students 5000]`.

Builds a college of 5,000 students in 120 classes on a fresh SQLite database
(bench/out/, git-ignored) with a notice asking for the record self-check and photo
verification, students in every state (confirmed, reported an error, disputed a photo,
no photo, nothing done), and times, best of --repeat runs each:

- a bare openpyxl write-only pass writing the same cells (values only, one worksheet per
  class): the ceiling every figure is divided by, since these machines are shared and
  noisy and only ratios measured in the same run count;
- reading the college (notices.feedback.college_rows: the queries and the words);
- writing the print-ready workbook (notices.exports.FeedbackWorkbook: styles, borders,
  row heights, page set-up, formula-safe cells);
- the whole export as the background job does it (read + write).

Each step's peak memory is the most Python memory it holds at once (tracemalloc, in a
run of its own that is not timed).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from bench._util import Row, report

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _django(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- The college --------------------------------------------------------------------


def build(students: int, classes: int):
    """One college, `classes` classes, `students` records in every state; returns
    (notice, college)."""
    from accounts.models import Role, User
    from notices.models import Notice, NoticeAudience, NoticeState, NoticeTask
    from records.models import College, Institution, Level, Major, SchoolClass

    institution = Institution.objects.create(code="13999", name="示例职业大学", province="360000")
    college = College.objects.create(institution=institution, code="LG", name="理工学院")
    major = Major.objects.create(
        institution=institution, code="080101", name="信息管理", level=Level.BACHELOR, duration=4
    )
    registrar = User.objects.create_user("registrar", "x" * 12, role=Role.REGISTRAR)
    school_classes = SchoolClass.objects.bulk_create(
        SchoolClass(
            institution=institution,
            college=college,
            major=major,
            code=f"2023{n:04d}",
            name=f"2023级信管{n + 1}班",
            cohort=2023,
        )
        for n in range(classes)
    )
    now = datetime.datetime.now(datetime.UTC)
    notice = Notice.objects.create(
        institution=institution,
        number="普院教发（2026）4号",
        title="关于做好2023级学籍信息自查和图像校对的通知",
        issuing_office="教务处",
        issue_date=now.date(),
        body="正文",
        task=NoticeTask.BOTH,
        state=NoticeState.PUBLISHED,
        window_start=now - datetime.timedelta(days=10),
        window_end=now + datetime.timedelta(days=10),
        created_by=registrar,
    )
    NoticeAudience.objects.create(notice=notice, cohort=2023)
    _students(institution, college, major, school_classes, students, registrar)
    return notice, college


def _students(institution, college, major, school_classes, count, registrar) -> None:
    from portal.lib import idnumbers
    from records.models import EnrollmentRecord

    rng = random.Random(2026)
    records = []
    for n in range(count):
        klass = school_classes[n % len(school_classes)]
        birth = datetime.date(2004, 1, 1) + datetime.timedelta(days=rng.randrange(1500))
        sex = rng.choice("12")
        # A few names that look like formulas: they must come out as text.
        name = f"=学生{n}" if n % 997 == 0 else f"学生{n}"
        records.append(
            EnrollmentRecord(
                institution=institution, examinee_number=f"23360102{n:06d}",
                student_number=f"2023{n:06d}", name=name, sex=sex, birth_date=birth,
                id_number=idnumbers.generate(rng=rng, region="360102", birth=birth, sex=sex),
                ethnicity="01", origin_region="360102", major=major, duration=Decimal("4"),
                level=major.level, admission_year=2023, study_form="regular_full_time",
                category="regular", college=college, school_class=klass,
                entry_date=datetime.date(2023, 9, 1),
                expected_graduation=datetime.date(2027, 7, 1),
            )
        )  # fmt: skip
    records = EnrollmentRecord.objects.bulk_create(records, batch_size=1000)
    _states(records, registrar, rng)


def _states(records, registrar, rng) -> None:
    """60 % confirmed, 5 % reported an error, 90 % have a photo (3 % of them disputed)."""
    from imaging.models import Photo, PhotoKind, PhotoState, PhotoVerification
    from records.models import DiscrepancyItem, DiscrepancyReport, RecordConfirmation

    confirmations, reports, photos = [], [], []
    for n, record in enumerate(records):
        roll = rng.random()
        if roll < 0.60:
            confirmations.append(RecordConfirmation(record=record, user=registrar))
        elif roll < 0.65:
            reports.append(DiscrepancyReport(record=record, user=registrar))
        if rng.random() < 0.9:
            state = rng.choices(
                [PhotoState.CONFIRMED, PhotoState.UNVERIFIED, PhotoState.DISPUTED], [70, 27, 3]
            )[0]
            photos.append(
                Photo(
                    record=record, kind=PhotoKind.ENROLLMENT, token=f"t{n:031d}",
                    image="photos/x.jpg", thumbnail="photos/x.thumb.jpg", width=360,
                    height=480, sha256="0" * 64, state=state,
                )
            )  # fmt: skip
    RecordConfirmation.objects.bulk_create(confirmations, batch_size=1000)
    reports = DiscrepancyReport.objects.bulk_create(reports, batch_size=1000)
    DiscrepancyItem.objects.bulk_create(
        DiscrepancyItem(report=r, field="ethnicity", current_value="汉族", claimed_value="回族")
        for r in reports
    )
    photos = Photo.objects.bulk_create(photos, batch_size=1000)
    PhotoVerification.objects.bulk_create(
        PhotoVerification(photo=p, user=registrar, result=p.state, reason="not_me")
        for p in photos
        if p.state != PhotoState.UNVERIFIED
    )


# --- What is timed -----------------------------------------------------------------------


def bare(classes) -> bytes:
    """The ceiling: openpyxl write-only, the same cells, no styles, no page set-up."""
    from openpyxl import Workbook

    from notices.exports import class_line

    workbook = Workbook(write_only=True)
    for school_class, rows in classes:
        sheet = workbook.create_sheet(school_class.name[:31])
        sheet.append(["title"])
        sheet.append([class_line(school_class)])
        sheet.append(["序号", "学号", "姓名", "校对结果", "本人签名"])
        for row in rows:
            sheet.append([row.number, row.student_number, row.name, row.result_text, None])
        sheet.append(["辅导员签名：", None, None, "学院领导：", "学院（公章）"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(notice, college):
    from notices.feedback import college_rows

    return college_rows(notice, college)


def write(notice, classes) -> bytes:
    from notices.exports import FeedbackWorkbook

    book = FeedbackWorkbook(notice)
    for school_class, rows in classes:
        book.add_class(school_class, rows, None)
    return book.content()


def best(repeat: int, work):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=5000)
    parser.add_argument("--classes", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    _django(OUT / "feedback.sqlite3")
    started = time.perf_counter()
    notice, college = build(args.students, args.classes)
    print(f"built {args.students:,} students in {args.classes} classes in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    classes = read(notice, college)
    bare_s, bare_bytes = best(args.repeat, lambda: bare(classes))
    with CaptureQueriesContext(connection) as queries:
        read(notice, college)
    read_s, classes = best(args.repeat, lambda: read(notice, college))
    write_s, content = best(args.repeat, lambda: write(notice, classes))
    total_s, _ = best(args.repeat, lambda: write(notice, read(notice, college)))
    (OUT / "feedback-college.xlsx").write_bytes(content)
    _check(content, len(classes))

    peaks = {
        "bare": peak_mb(lambda: bare(classes)),
        "read": peak_mb(lambda: read(notice, college)),
        "write": peak_mb(lambda: write(notice, classes)),
        "whole": peak_mb(lambda: write(notice, read(notice, college))),
    }
    rows = sum(len(r) for _c, r in classes)
    print(f"\n{rows:,} rows in {len(classes)} worksheets; {len(queries)} queries to read them; "
          f"load average {os.getloadavg()[0]:.1f}; best of {args.repeat}")  # fmt: skip
    steps = [
        ("bare", "bare openpyxl write-only, same cells (ceiling)", bare_s, len(bare_bytes)),
        ("read", "read the college (college_rows)", read_s, None),
        ("write", "write the print-ready workbook (FeedbackWorkbook)", write_s, len(content)),
        ("whole", "whole export, read + write (the job)", total_s, len(content)),
    ]
    report(
        "feedback_export",
        [
            Row(
                module="feedback_export",
                figure=label,
                value=seconds,
                unit="s",
                ceiling=bare_s,
                ratio=bare_s / seconds,
                peak_mb=peaks[key],
                note=(f"file {size / 2**20:.2f} MB; " if size else "")
                + "peak: Python heap of the step (tracemalloc), measured apart from the time",
            )
            for key, label, seconds, size in steps
        ],
    )


def peak_mb(work) -> float:
    """The most Python memory `work` holds at once, in MB (a separate, untimed run:
    tracemalloc slows the code it watches)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _check(content: bytes, classes: int) -> None:
    """The result is what it claims: a sheet per class, no formula anywhere."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == classes, book.sheetnames[:3]
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"


if __name__ == "__main__":
    main()
