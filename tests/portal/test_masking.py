"""No page another person can reach, and no export, lets an ID number be rebuilt.

A small candidate counter reads what a page or file shows of one student — the masked
number and every other field rendered beside it — and counts the 18-digit numbers
consistent with it: a birth date in a plausible range (narrowed to the year, month or day
the page shows), the region (one if any 生源 place or 考生号 is shown, else about 3,000
counties), the sex parity if the sex is shown, and the MOD 11-2 check character. Every
page and file must leave at least 10,000; the old mask (first 4 + last 4 beside the birth
date) is shown to leave fewer, so the counter catches it.
"""

from __future__ import annotations

import datetime
import importlib
import io
import re
from collections import Counter
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from accounts import sms
from accounts.models import RequestKind
from notices.models import FeedbackSheet
from portal.lib import idnumbers
from portal.lib.models import Job
from records.codes import province_name
from records.models import EnrollmentRecord, RecordStatus
from records.online_reports import services as report_services
from tests import factories
from tests.notices.conftest import (
    csrf_client,
    csrf_post,
    done_everything,
    report,
)

FLOOR = 10_000
COUNTIES = 3_000  # county-level divisions (GB/T 2260), when the page gives no place
EARLIEST, LATEST = datetime.date(1960, 1, 1), datetime.date(2012, 12, 31)
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK = "10X98765432"
_TOKEN = re.compile(r"(?<![0-9A-Za-z*])[0-9X*]{18}(?![0-9A-Za-z*])")


# --- The counter ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What a text gives away of one number: its visible characters ("*" hidden), how
    much of the birth date ("day", "month", "year" or ""), the region, the sex."""

    masked: str
    birth: str
    region: bool
    sex: bool


def _date_texts(born: datetime.date) -> dict[str, list[str]]:
    y, m, d = born.year, born.month, born.day
    return {
        "day": [
            f"{y}-{m:02d}-{d:02d}", f"{y}年{m}月{d}日", f"{y}年{m:02d}月{d:02d}日",
            f"{y}{m:02d}{d:02d}", f"{y}/{m}/{d}", f"{y}/{m:02d}/{d:02d}", f"{y}.{m}.{d}",
        ],
        "month": [f"{y}年{m}月", f"{y}年{m:02d}月", f"{y}-{m:02d}", f"{y}/{m:02d}"],
        "year": [str(y)],
    }  # fmt: skip


def shown_in(text: str, number: str, record: EnrollmentRecord | None = None) -> Shown:
    """Read `text` as an attacker would, for the person whose number is `number`."""
    masked = "*" * 18
    for token in _TOKEN.findall(text):
        fits = all(c == "*" or c == n for c, n in zip(token, number, strict=True))
        if fits and sum(c != "*" for c in token) > sum(c != "*" for c in masked):
            masked = token
    born = idnumbers.birth_date(number)
    birth = next(
        (level for level, texts in _date_texts(born).items() if any(t in text for t in texts)),
        "",
    )
    places = [number[:6]]
    sex_word = "男" if int(number[16]) % 2 else "女"
    if record is not None:
        places += [record.origin_region, record.examinee_number]
        if "生源" in text:
            # The full name (records.regions) and, as before it, the province alone.
            places += [record.origin_region_display, province_name(record.origin_region)]
        sex_word = record.get_sex_display()
    return Shown(
        masked=masked,
        birth=birth,
        region=any(place and place in text for place in places),
        sex=sex_word in text,
    )


def _histogram(values: list[str], offset: int) -> Counter:
    """How many of `values` (digit strings at `offset`) give each weighted sum mod 11."""
    weights = _WEIGHTS[offset : offset + len(values[0])] if values else ()
    return Counter(sum(int(c) * w for c, w in zip(v, weights, strict=True)) % 11 for v in values)


def _fits(value: str, masked: str) -> bool:
    return all(m == "*" or m == c for c, m in zip(value, masked, strict=True))


def count(shown: Shown, number: str) -> float:
    """The 18-digit numbers consistent with `shown` (the truth fills what is known)."""
    masked = shown.masked
    if shown.region or "*" not in masked[:6]:
        regions = _histogram([number[:6]], 0)
    elif masked[:6] == "*" * 6:
        regions = Counter(dict.fromkeys(range(11), COUNTIES / 11))
    else:  # some region digits shown: every completion of the hidden ones
        hidden = masked[:6].count("*")
        fills = (f"{n:0{hidden}d}" for n in range(10**hidden))
        regions = _histogram([_fill(masked[:6], fill) for fill in fills], 0)
    born = idnumbers.birth_date(number)
    days, day = [], EARLIEST
    while day <= LATEST:
        if _same(day, born, shown.birth) and _fits(day.strftime("%Y%m%d"), masked[6:14]):
            days.append(day.strftime("%Y%m%d"))
        day += datetime.timedelta(days=1)
    dates = _histogram(days, 6)
    parity = int(number[16]) % 2
    sequences = [
        f"{n:03d}"
        for n in range(1000)
        if _fits(f"{n:03d}", masked[14:17]) and (not shown.sex or n % 2 == parity)
    ]
    tails = _histogram(sequences, 14)
    total = 0.0
    for r1, n1 in regions.items():
        for r2, n2 in dates.items():
            for r3, n3 in tails.items():
                if masked[17] in ("*", _CHECK[(r1 + r2 + r3) % 11]):
                    total += n1 * n2 * n3
    return total


def _fill(masked: str, digits: str) -> str:
    out, it = [], iter(digits)
    for c in masked:
        out.append(next(it) if c == "*" else c)
    return "".join(out)


def _same(day: datetime.date, born: datetime.date, level: str) -> bool:
    if level == "day":
        return day == born
    if level == "month":
        return (day.year, day.month) == (born.year, born.month)
    if level == "year":
        return day.year == born.year
    return True


def candidates(text: str, number: str, record: EnrollmentRecord | None = None) -> float:
    return count(shown_in(text, number, record), number)


def assert_safe(text: str, *records: EnrollmentRecord, numbers: tuple[str, ...] = ()) -> None:
    """Every listed person's number (and any extra `numbers`) has ≥ FLOOR candidates."""
    for record in records:
        assert candidates(text, record.id_number, record) >= FLOOR, record.name
    for number in numbers:
        assert candidates(text, number) >= FLOOR, number


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(value)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


# --- The counter itself -------------------------------------------------------------------


_OLD_FIRST17 = "53010219900101123"  # the example of docs/security.md (5301**********123X)
OLD_NUMBER = _OLD_FIRST17 + idnumbers.check_digit(_OLD_FIRST17)


def _old_mask(number: str) -> str:
    return number[:4] + "*" * 10 + number[14:]


def test_the_counter_catches_the_old_mask_beside_a_birth_date():
    text = f"证件号码 {_old_mask(OLD_NUMBER)} 出生日期 1990-01-01 性别 女"

    assert candidates(text, OLD_NUMBER) < FLOOR
    assert candidates(text, OLD_NUMBER) <= 10  # docs/security.md: 9 candidates


def test_the_counter_catches_a_birth_date_beside_the_last_four():
    text = f"证件号码 {idnumbers.mask(OLD_NUMBER)} 出生日期 1990年1月1日"

    assert candidates(text, OLD_NUMBER) < FLOOR


def test_the_counter_catches_a_place_and_a_birth_date_without_any_digit():
    text = "出生日期 1990-01-01 性别 女 籍贯 530102"

    assert candidates(text, OLD_NUMBER) < FLOOR


def test_the_counter_catches_a_full_number():
    assert candidates(f"证件号码 {OLD_NUMBER}", OLD_NUMBER) == 1


def test_the_new_mask_with_the_birth_year_leaves_enough():
    text = f"证件号码 {idnumbers.mask(OLD_NUMBER)} 出生年份 1990年 性别 女"

    assert candidates(text, OLD_NUMBER) >= FLOOR


# --- Pages and files ---------------------------------------------------------------------


ID_CLAIM = "360102199102023344"  # what a student claims her number should be (valid)


@pytest.fixture
def claimed(world):
    """Bob reports his ID number, birth date and 生源 wrong (values someone else must not
    see); Alice, the class monitor, confirmed everything."""
    assert idnumbers.validate(ID_CLAIM) == ID_CLAIM
    bob = world.bob_record
    rep = report(bob, "id_number", bob.id_number, ID_CLAIM)
    rep.items.create(
        field="birth_date", current_value=bob.birth_date.isoformat(), claimed_value="1991-02-02"
    )
    rep.items.create(
        field="origin_region", current_value="江西省", claimed_value="江西省南昌市东湖区"
    )
    done_everything(world.alice_record)
    return rep


def _page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_public_online_report(world, client):
    record = world.bob_record
    code = report_services.report_create(record=record, by=world.bob, months=1).code

    page = _page(client, f"/verify/{code}/")

    assert record.name in page  # the report itself, not an error
    assert_safe(page, record)


@pytest.mark.parametrize("who", ["counselor", "college_staff", "registrar", "admin"])
def test_the_record_page_of_someone_else(world, client_for, who):
    record = world.bob_record

    page = _page(client_for(getattr(world, who)), f"/records/{record.pk}/")

    assert record.student_number in page
    assert_safe(page, record)


def test_the_class_page_and_the_search(world, client_for, claimed):
    records = (world.alice_record, world.bob_record)

    klass = _page(client_for(world.counselor), f"/records/classes/{world.class_a.pk}/")
    # The search is a POST (an ID number never travels in a URL).
    response = client_for(world.registrar).post("/records/search/", {"q": world.bob_record.name})
    assert response.status_code == 200
    search = response.content.decode()
    assert world.bob_record.student_number in search

    assert_safe(klass, *records)
    assert_safe(search, world.bob_record)


def test_the_queue_list_masks_claimed_values(world, client_for, claimed):
    page = _page(client_for(world.registrar), "/records/queue/")

    assert "证件号码" in page and idnumbers.mask(ID_CLAIM) in page
    assert_safe(page, world.bob_record, numbers=(ID_CLAIM,))
    assert "东湖区" not in page


def test_the_decision_page_shows_the_registrar_everything(world, client_for, claimed):
    page = _page(client_for(world.registrar), f"/records/queue/{claimed.pk}/")

    assert ID_CLAIM in page and world.bob_record.id_number in page


def test_the_sheet_page_for_the_counselor(world, client_for, claimed, sheet):
    page = _page(client_for(world.counselor), f"/notices/sheets/{sheet.pk}/")

    assert "证件号码有误" in page and idnumbers.mask(ID_CLAIM) in page
    assert_safe(page, world.alice_record, world.bob_record, numbers=(ID_CLAIM,))


def test_the_monitor_reads_only_which_field_a_classmate_reported(world, client_for, claimed, sheet):
    page = _page(client_for(world.alice), f"/notices/sheets/{sheet.pk}/")

    assert "证件号码有误" in page and "出生日期有误" in page and "生源省市有误" in page
    assert "现为" not in page and "应为" not in page
    assert idnumbers.mask(ID_CLAIM) not in page
    assert_safe(page, world.bob_record, numbers=(ID_CLAIM,))


@pytest.mark.parametrize("who", ["alice", "counselor"])
def test_the_sheet_export(world, client_for, claimed, sheet, who):
    response = client_for(getattr(world, who)).get(f"/notices/sheets/{sheet.pk}/export.xlsx")

    text = xlsx_text(response.content)
    assert world.bob_record.name in text and "证件号码有误" in text
    assert ("现为" in text) is (who == "counselor")
    assert_safe(text, world.alice_record, world.bob_record, numbers=(ID_CLAIM,))


def test_a_sheet_signed_before_the_mask_is_rewritten_by_the_migration(world, client_for, sheet):
    bob = world.bob_record
    full = (
        f"证件号码有误：现为“{bob.id_number}”，应为“{ID_CLAIM}”；"
        f"出生日期有误：现为“{bob.birth_date.isoformat()}”，应为“1991-02-02”；"
        "生源省市有误：现为“江西省”，应为“江西省南昌市东湖区”；照片未校对"
    )
    row = {"number": 1, "student_number": bob.student_number, "name": bob.name,
           "result": full, "state": "anomaly", "remark": "", "record_id": bob.pk,
           "done": False}  # fmt: skip
    FeedbackSheet.objects.filter(pk=sheet.pk).update(
        signed_rows=[row],
        counselor_name="张老师",
        counselor_signed_at=timezone.now(),
        leader_signed_at=timezone.now(),  # handed in: the pages show the stored rows
    )
    migration = __import__(
        "notices.migrations.0005_mask_values_in_signed_sheets", fromlist=["mask_signed_rows"]
    )

    migration.mask_signed_rows(apps, None)

    sheet.refresh_from_db()
    stored = str(sheet.signed_rows)
    assert bob.id_number not in stored and ID_CLAIM not in stored and "东湖区" not in stored
    assert sheet.signed_rows[0]["brief"] == "证件号码有误；出生日期有误；生源省市有误；照片未校对"
    for who in ("alice", "counselor", "registrar"):
        client = client_for(getattr(world, who))
        for text in (
            _page(client, f"/notices/sheets/{sheet.pk}/"),
            xlsx_text(client.get(f"/notices/sheets/{sheet.pk}/export.xlsx").content),
        ):
            assert_safe(text, bob, numbers=(ID_CLAIM,))
            assert ("现为" in text) is (who != "alice")


def test_the_college_export_and_the_pending_list(world, claimed, sheet):
    client = csrf_client(world.college_staff)
    csrf_post(client, f"/notices/{sheet.notice.pk}/college-export/")
    job = Job.objects.get(kind="notices.college_export")
    college = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)
    pending = client.get(f"/notices/{sheet.notice.pk}/pending.xlsx").content

    for text in (xlsx_text(college), xlsx_text(pending)):
        assert world.bob_record.name in text
        assert_safe(text, world.alice_record, world.bob_record, numbers=(ID_CLAIM,))


def test_the_roster_export(world, client_for):
    client = client_for(world.counselor)
    response = client.post("/records/export/")
    job = Job.objects.get(pk=response["Location"].split("/")[2])

    text = xlsx_text(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))

    assert world.bob_record.name in text
    assert_safe(text, world.alice_record, world.bob_record)


def test_the_missing_diploma_page_and_export(world, client_for):
    for record in (world.alice_record, world.bob_record):
        record.expected_graduation = datetime.date(2027, 7, 1)
        record.status = RecordStatus.REGISTERED
        record.save()
    client = client_for(world.counselor)

    page = _page(client, "/photos/missing-diploma/", year=2027)
    export = xlsx_text(client.get("/photos/missing-diploma/export/", {"year": 2027}).content)

    for text in (page, export):
        assert world.bob_record.name in text
        assert_safe(text, world.alice_record, world.bob_record)


def test_the_identity_queue(world, client_for):
    twin = factories.user(real_name="王强", id_number=factories.id_number())
    twin.identity_requests.create(
        kind=RequestKind.REAL_NAME, requested_real_name="王强强", requested_id_number=ID_CLAIM
    )

    page = _page(client_for(world.reviewer), "/accounts/identity-queue/")

    assert twin.username in page
    assert_safe(page, numbers=(twin.id_number, ID_CLAIM))


def test_notification_texts(world, claimed, sheet, django_capture_on_commit_callbacks):
    registrar = csrf_client(world.registrar)
    world.bob.phone, world.bob.email = "13800000001", "bob@example.com"
    world.bob.save()
    # A number can be corrected only where the birth date and sex on record agree with
    # it (records.rules: seed 002 changes no birth date): his record says what it says.
    born, sex = idnumbers.birth_date(ID_CLAIM), idnumbers.sex(ID_CLAIM)
    type(world.bob_record).objects.filter(pk=world.bob_record.pk).update(birth_date=born, sex=sex)
    mail.outbox.clear()
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = csrf_post(
            registrar,
            f"/records/queue/{claimed.pk}/",
            {"decision": "accept", "fields_to_apply": ["id_number"], "note": "核实"},
        )
        csrf_post(
            csrf_client(world.counselor),
            f"/notices/{sheet.notice.pk}/remind/",
            {"school_class": world.class_a.pk},
        )

    assert response.status_code == 302
    texts = [m.body for m in mail.outbox] + [m.subject for m in mail.outbox]
    texts += [message.text for message in sms.outbox]
    assert texts
    for text in texts:
        assert_safe(text, world.bob_record, numbers=(ID_CLAIM, world.bob_record.id_number))


def test_a_sheet_signed_now_stores_masked_values_and_the_brief(world, client_for, claimed, sheet):
    counselor = csrf_client(world.counselor)

    response = csrf_post(counselor, f"/notices/sheets/{sheet.pk}/sign/", {"acknowledged": "1"})

    sheet.refresh_from_db()
    assert response.status_code == 302 and sheet.is_signed
    stored = str(sheet.signed_rows)
    assert world.bob_record.id_number not in stored and ID_CLAIM not in stored
    bob = next(row for row in sheet.signed_rows if row["record_id"] == world.bob_record.pk)
    assert bob["brief"] == "证件号码有误；出生日期有误；生源省市有误；无照片，须补采"
    monitor = _page(client_for(world.alice), f"/notices/sheets/{sheet.pk}/")
    assert "现为" not in monitor and "证件号码有误" in monitor


def test_a_stored_row_without_a_brief_still_shows_the_monitor_no_values(world, client_for, sheet):
    bob = world.bob_record
    row = {"number": 1, "student_number": bob.student_number, "name": bob.name,
           "result": "民族有误：现为“汉族”，应为“回族”；照片未校对", "state": "anomaly",
           "remark": "", "record_id": bob.pk, "done": False}  # fmt: skip
    FeedbackSheet.objects.filter(pk=sheet.pk).update(
        signed_rows=[row],
        counselor_name="张老师",
        counselor_signed_at=timezone.now(),
        leader_signed_at=timezone.now(),  # handed in: the pages show the stored rows
    )
    # Rows signed before briefs were kept get theirs from migration 0005 (the pages read
    # the stored brief only).
    importlib.import_module(
        "notices.migrations.0005_mask_values_in_signed_sheets"
    ).mask_signed_rows(apps, None)

    monitor = _page(client_for(world.alice), f"/notices/sheets/{sheet.pk}/")
    counselor = _page(client_for(world.counselor), f"/notices/sheets/{sheet.pk}/")

    assert "民族有误；照片未校对" in monitor and "回族" not in monitor
    assert "民族有误：现为“汉族”，应为“回族”" in counselor
