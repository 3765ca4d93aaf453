"""`manage.py import_photos` and the batch import service behind it (imaging.batches)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command

from accounts import sms
from imaging.batches import photo_batch_import
from imaging.models import EntryOutcome, Photo, PhotoBatch, PhotoKind, PhotoState
from imaging.names import masked_file_name
from portal.lib import idnumbers
from portal.lib.models import AuditEvent
from tests import factories
from tests.imaging.conftest import add_photo, jpeg, make_zip, stored_files


@pytest.fixture
def zip_file(tmp_path):
    def write(entries: dict[str, bytes], name="photos.zip"):
        path = tmp_path / name
        path.write_bytes(make_zip(entries))
        return path

    return write


def _import(path, kind="diploma", *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_photos", str(path), "--kind", kind, "--institution", "13999", *extra,
        stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def _outcomes(batch: PhotoBatch) -> dict[str, str]:
    """{file name as stored (ID numbers masked, imaging.names): outcome}."""
    return dict(batch.entries.values_list("name", "outcome"))


def stored(name: str) -> str:
    return masked_file_name(name)


def test_photos_named_by_id_number_or_examinee_number_are_matched(world, zip_file):
    alice, bob = world.alice_record, world.bob_record
    path = zip_file({f"{alice.id_number}.jpg": jpeg(), f"{bob.examinee_number}.JPG": jpeg()})

    out, _ = _import(path)

    assert "新增 2" in out
    assert alice.photos.get().kind == PhotoKind.DIPLOMA
    assert bob.photos.get().state == PhotoState.UNVERIFIED


def test_names_are_normalised_and_folders_of_any_depth_are_read(world, zip_file):
    alice, bob = world.alice_record, world.bob_record
    full_width = unicodedata.normalize("NFKC", alice.id_number).translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
    )
    bob_lower = bob.id_number.lower()
    path = zip_file(
        {f"2019届/理工学院/{full_width}.jpeg": jpeg(), f"a/b/c/d/ {bob_lower} .png": jpeg()}
    )

    _import(path)

    assert alice.photos.count() == 1
    assert bob.photos.count() == 1


def test_a_legacy_15_digit_name_and_its_18_digit_form_match_each_other(world, zip_file):
    upgraded = factories.record(
        world.class_a, id_number=idnumbers.upgrade_legacy("360102850101001")
    )
    legacy = factories.record(world.class_b, id_number="360102850202002")
    path = zip_file(
        {
            "360102850101001.jpg": jpeg(),
            f"{idnumbers.upgrade_legacy('360102850202002')}.jpg": jpeg(),
        }
    )

    _import(path)

    assert upgraded.photos.count() == 1
    assert legacy.photos.count() == 1


def test_the_stored_photo_is_normalised_and_named_by_us(world, zip_file, media_root):
    alice = world.alice_record
    path = zip_file({f"{alice.id_number}.jpg": jpeg(size=(1200, 1600)) + b"PK\x03\x04trailer"})

    _import(path)

    photo = alice.photos.get()
    assert (photo.width, photo.height) == (480, 640)
    assert alice.id_number not in photo.image.name
    assert photo.image.name.startswith("photos/diploma/")
    stored = stored_files(media_root)
    assert len(stored) == 2 and all(b"trailer" not in p.read_bytes() for p in stored)


def test_unmatched_rejected_and_skipped_entries_are_reported_with_reasons(world, zip_file):
    alice = world.alice_record
    path = zip_file(
        {
            f"{alice.id_number}.jpg": jpeg(),
            "110101199001011234.jpg": jpeg(),  # no such person here
            f"{world.bob_record.id_number}.jpg": b"<html><script>alert(1)</script></html>",
            "__MACOSX/._photo.jpg": b"\x00\x05\x16\x07",
            "photos/.DS_Store": b"junk",
            "Thumbs.db": b"junk",
            "readme.txt": b"hello",
        }
    )

    out, err = _import(path)

    batch = PhotoBatch.objects.get()
    outcomes = _outcomes(batch)
    assert outcomes[stored("110101199001011234.jpg")] == EntryOutcome.UNMATCHED
    assert outcomes[stored(f"{world.bob_record.id_number}.jpg")] == EntryOutcome.REJECTED
    assert {
        outcomes[n] for n in ("__MACOSX/._photo.jpg", "photos/.DS_Store", "Thumbs.db", "readme.txt")
    } == {EntryOutcome.SKIPPED}
    # The stored reason holds the number masked, as staff pages show it (imaging.names).
    assert "本校没有证件号码或考生号为“**************1234”的学籍" in err
    assert "文件内容不是照片" in err
    assert batch.counts[EntryOutcome.ADDED] == 1
    assert "新增 1" in out and "未匹配 1" in out and "拒收 1" in out and "跳过 4" in out


def test_the_command_and_the_stored_report_hold_no_full_id_number(world, zip_file):
    alice, bob = world.alice_record, world.bob_record
    path = zip_file(
        {
            f"2023/{alice.id_number}.jpg": jpeg(),
            f"{alice.id_number.lower()}.JPG": jpeg(color=(1, 2, 3)),  # a second photo
            "110101199001011234.jpg": jpeg(),  # no such person here
            f"张三_{bob.id_number}.jpg": b"not a photo",
        }
    )

    out, err = _import(path)

    rows = list(PhotoBatch.objects.get().entries.values_list("name", "reason"))
    numbers = (alice.id_number, alice.id_number.lower(), bob.id_number, "110101199001011234")
    for number in numbers:
        assert number not in out and number not in err
        assert not any(number in name or number in reason for name, reason in rows)
    assert f"{idnumbers.mask(bob.id_number)}.jpg" in err


def test_records_of_another_institution_are_not_matched(world, zip_file):
    other_class = factories.school_class(factories.college(world.other_institution))
    _, other_record = factories.student(other_class)
    path = zip_file({f"{other_record.id_number}.jpg": jpeg()})

    _import(path)

    assert not other_record.photos.exists()
    outcomes = _outcomes(PhotoBatch.objects.get())
    assert outcomes[stored(f"{other_record.id_number}.jpg")] == "unmatched"


def test_a_broken_entry_never_stops_the_others(world, zip_file):
    good = jpeg()
    path = zip_file(
        {
            f"{world.alice_record.id_number}.jpg": good[: len(good) // 2],  # truncated
            f"{world.bob_record.id_number}.jpg": good,
            f"{world.carol_record.id_number}.jpg": good,
        }
    )

    _import(path)

    assert not world.alice_record.photos.exists()
    assert world.bob_record.photos.count() == world.carol_record.photos.count() == 1


def test_running_the_same_batch_again_changes_nothing(world, zip_file, media_root):
    path = zip_file({f"{r.id_number}.jpg": jpeg(color=(i * 40, 90, 90)) for i, r in enumerate(
        [world.alice_record, world.bob_record])})  # fmt: skip
    _import(path)
    files = stored_files(media_root)

    out, _ = _import(path)

    assert "未变 2" in out and "新增 0" in out
    assert Photo.objects.count() == 2
    assert stored_files(media_root) == files
    assert PhotoBatch.objects.count() == 2  # each run is reported; no photo is duplicated


def test_a_new_photo_replaces_the_current_one_keeps_history_and_tells_the_student(world, zip_file):
    old = add_photo(world.alice_record, PhotoKind.DIPLOMA, state=PhotoState.CONFIRMED)
    path = zip_file({f"{world.alice_record.id_number}.jpg": jpeg(color=(10, 200, 10))})

    out, _ = _import(path)

    assert "替换 1" in out
    old.refresh_from_db()
    assert not old.is_current and old.state == PhotoState.CONFIRMED
    new = Photo.objects.current().get(record=world.alice_record, kind=PhotoKind.DIPLOMA)
    assert new.state == PhotoState.UNVERIFIED
    event = AuditEvent.objects.get(action="imaging.photo_replaced")
    assert event.changes == {"state": ["confirmed", "unverified"]}
    assert event.subject == world.alice


def test_the_student_is_notified_of_a_new_photo(
    world, zip_file, django_capture_on_commit_callbacks
):
    world.alice.phone = "13800000001"
    world.alice.save()
    path = zip_file({f"{world.alice_record.id_number}.jpg": jpeg()})

    with django_capture_on_commit_callbacks(execute=True):
        _import(path)

    assert any("学历照片已更新" in m.text for m in sms.outbox if m.phone == "13800000001")


def test_two_photos_of_one_student_in_one_batch_keep_the_first(world, zip_file):
    record = world.alice_record
    path = zip_file(
        {
            f"a/{record.id_number}.jpg": jpeg(),
            f"b/{record.examinee_number}.jpg": jpeg(color=(1, 2, 3)),
        }
    )

    _import(path)

    outcomes = _outcomes(PhotoBatch.objects.get())
    assert outcomes[stored(f"a/{record.id_number}.jpg")] == "added"
    assert outcomes[stored(f"b/{record.examinee_number}.jpg")] == "rejected"
    assert record.photos.count() == 1


def test_an_id_number_held_by_two_records_asks_for_the_examinee_number(world, zip_file):
    twin = factories.record(
        world.class_b, id_number=world.alice_record.id_number, level="junior_college"
    )
    path = zip_file({f"{world.alice_record.id_number}.jpg": jpeg()})

    _, err = _import(path)

    assert "请改用考生号命名照片" in err
    assert not twin.photos.exists() and not world.alice_record.photos.exists()


def test_kinds_are_kept_apart(world, zip_file):
    add_photo(world.alice_record, PhotoKind.ENROLLMENT)
    path = zip_file({f"{world.alice_record.id_number}.jpg": jpeg()})

    _import(path, "学历照片")

    kinds = set(
        Photo.objects.current().filter(record=world.alice_record).values_list("kind", flat=True)
    )
    assert kinds == {"enrollment", "diploma"}


def test_the_batch_and_each_photo_are_audited(world, zip_file):
    path = zip_file({f"{world.alice_record.id_number}.jpg": jpeg()})

    _import(path, "diploma", "--source", "新华社江西分社 2026 年采集")

    batch_event = AuditEvent.objects.get(action="imaging.batch_imported")
    assert batch_event.reason == "新华社江西分社 2026 年采集"
    assert batch_event.institution == world.institution
    assert AuditEvent.objects.filter(action="imaging.photo_added", subject=world.alice).count() == 1


def test_an_unknown_institution_or_a_missing_file_is_a_clear_error(world, zip_file, tmp_path):
    path = zip_file({"x.jpg": jpeg()})

    with pytest.raises(CommandError, match="没有院校代码为 00000 的院校"):
        call_command("import_photos", str(path), "--kind", "diploma", "--institution", "00000")
    with pytest.raises(CommandError, match="找不到文件"):
        _import(tmp_path / "nope.zip")


def test_the_service_reports_progress(world, zip_file):
    class Progress:
        total, done = 0, 0

        def set_total(self, n, message=""):
            self.total = n

        def advance(self, n=1, message=""):
            self.done += n

    progress = Progress()
    path = zip_file(
        {f"{r.id_number}.jpg": jpeg() for r in (world.alice_record, world.bob_record)}
        | {"x.txt": b""}
    )

    photo_batch_import(
        archive=path, kind="diploma", institution=world.institution, source="t", progress=progress
    )

    assert progress.total == progress.done == 3


def test_a_batch_reported_before_entries_existed_counts_its_photos_as_added(world):
    batch = PhotoBatch.objects.create(
        institution=world.institution, kind="diploma", source="演示", report={"imported": 17}
    )

    assert batch.counts[EntryOutcome.ADDED] == 17
    assert batch.counts[EntryOutcome.REJECTED] == 0
