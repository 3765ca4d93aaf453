"""Hostile uploads (docs/security.md: uploads): every file of the corpus is refused with a
clear Chinese message and leaves nothing stored, through the registrar's single upload
and inside a zip batch; polyglots are accepted only as re-encoded photos; hostile zips
(paths, bombs, too many entries) are refused."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from imaging import archive
from imaging.batches import photo_batch_import
from imaging.errors import PhotoError
from imaging.models import EntryOutcome, Photo, PhotoBatch, PhotoBatchEntry
from portal.lib.models import AuditEvent
from tests.imaging.conftest import jpeg, make_zip, stored_files, upload
from tests.imaging.hostile import CORPUS, PAYLOAD_MARKERS, POLYGLOTS


def _nothing_stored(media_root) -> None:
    assert stored_files(media_root) == []
    assert not Photo.objects.exists()


def _upload(client, record, data: bytes, name: str):
    url = f"/photos/records/{record.pk}/upload/"
    return client.post(url, {"kind": "enrollment", "file": upload(data, name)})


def _batch(world, entries: dict[str, bytes]) -> PhotoBatch:
    return photo_batch_import(
        archive=io.BytesIO(make_zip(entries)),
        kind="enrollment",
        institution=world.institution,
        source="测试",
    )


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 15
    assert len({case.id for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.id)
def test_a_hostile_single_upload_is_refused_and_nothing_is_stored(
    case, world, client_for, media_root
):
    response = _upload(client_for(world.registrar), world.alice_record, case.make(), case.name)

    assert response.status_code == 200
    page = response.content.decode()
    assert case.reason in page
    _nothing_stored(media_root)
    assert not PhotoBatch.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="imaging.").exists()


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.id)
def test_a_hostile_zip_entry_is_rejected_with_its_reason_and_nothing_is_stored(
    case, world, media_root
):
    stem = world.alice_record.id_number
    suffix = case.name.rsplit(".", 1)[1]

    batch = _batch(world, {f"{stem}.{suffix}": case.make()})

    entry = batch.entries.get()
    assert entry.outcome == EntryOutcome.REJECTED
    assert case.reason in entry.reason
    _nothing_stored(media_root)


def test_every_hostile_entry_of_one_zip_is_rejected_and_the_good_one_still_imported(
    world, media_root
):
    from tests import factories

    entries = {}
    for case in CORPUS:
        _, record = factories.student(world.class_b)
        entries[f"delivery/{record.id_number}.{case.name.rsplit('.', 1)[1]}"] = case.make()
    entries[f"delivery/{world.alice_record.id_number}.jpg"] = jpeg()

    batch = _batch(world, entries)

    assert batch.counts[EntryOutcome.REJECTED] == len(CORPUS)
    assert batch.counts[EntryOutcome.ADDED] == 1
    assert Photo.objects.get().record == world.alice_record
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize("name", sorted(POLYGLOTS))
def test_a_polyglot_is_accepted_but_its_payload_is_gone(name, world, client_for, media_root):
    response = _upload(client_for(world.registrar), world.alice_record, POLYGLOTS[name], "p.jpg")

    assert response.status_code == 302
    files = stored_files(media_root)
    assert len(files) == 2
    for path in files:
        content = path.read_bytes()
        assert content.startswith(b"\xff\xd8\xff")
        assert not any(marker in content for marker in PAYLOAD_MARKERS)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/cron.d/360102200001011234.jpg",
        "photos/../../360102200001011234.jpg",
        "/etc/360102200001011234.jpg",
        "C:/Windows/360102200001011234.jpg",
        "..\\..\\360102200001011234.jpg",
        "\\\\server\\share\\360102200001011234.jpg",
    ],
)
def test_zip_entries_with_absolute_or_parent_paths_are_rejected(name, world, media_root):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), jpeg())  # ZipInfo keeps the name as given
    monkey = name.replace("360102200001011234", world.alice_record.id_number)
    raw = io.BytesIO(raw.getvalue().replace(name.encode(), monkey.encode()))

    batch = photo_batch_import(
        archive=raw, kind="enrollment", institution=world.institution, source="t"
    )

    entry = batch.entries.get()
    assert entry.outcome == EntryOutcome.REJECTED
    assert "路径不安全" in entry.reason
    _nothing_stored(media_root)


def _patch_declared_size(data: bytes, size: int) -> bytes:
    """Make every header (local and central) claim `size` bytes uncompressed."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset : start + offset + 4] = struct.pack("<I", size)
            start += 4
    return bytes(data)


def test_a_zip_bomb_that_declares_a_huge_size_is_refused_before_anything_is_stored(
    world, media_root
):
    entries = {f"{i:03d}.jpg": b"\x00" * 1000 for i in range(3)}
    bomb = _patch_declared_size(make_zip(entries), 0xFFFFFFF0)  # 3 × 4 GB declared

    with pytest.raises(PhotoError, match="压缩炸弹"):
        photo_batch_import(
            archive=io.BytesIO(bomb), kind="enrollment", institution=world.institution, source="t"
        )

    assert not PhotoBatch.objects.exists() and not PhotoBatchEntry.objects.exists()
    _nothing_stored(media_root)


def test_a_zip_bomb_entry_is_never_inflated_past_the_cap(world, media_root):
    # 64 MB of zeros packs into ~64 KB: the entry is refused by its size, unread.
    bomb = make_zip({f"{world.alice_record.id_number}.jpg": b"\x00" * (64 * 1024 * 1024)})
    assert len(bomb) < 200_000

    batch = photo_batch_import(
        archive=io.BytesIO(bomb), kind="enrollment", institution=world.institution, source="t"
    )

    assert "文件过大" in batch.entries.get().reason
    _nothing_stored(media_root)


def test_a_bomb_entry_that_lies_about_its_size_is_read_only_up_to_the_cap(
    world, media_root, monkeypatch
):
    data = _patch_declared_size(
        make_zip({f"{world.alice_record.id_number}.jpg": b"\x00" * (30 * 1024 * 1024)}), 1000
    )
    reads = []
    real_open = zipfile.ZipFile.open

    def spy(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        real_read = handle.read
        handle.read = lambda n=-1: reads.append(n) or real_read(n)
        return handle

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)

    batch = photo_batch_import(
        archive=io.BytesIO(data), kind="enrollment", institution=world.institution, source="t"
    )

    assert batch.entries.get().outcome == EntryOutcome.REJECTED
    assert reads and all(0 < n <= archive.normalise.MAX_BYTES + 1 for n in reads)
    _nothing_stored(media_root)


def test_a_zip_whose_real_total_is_too_large_is_refused(world, media_root, monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1024 * 1024)
    entries = {f"{i}.jpg": b"\x00" * (600 * 1024) for i in range(2)}

    with pytest.raises(PhotoError, match="解压后过大"):
        photo_batch_import(
            archive=io.BytesIO(make_zip(entries)),
            kind="enrollment",
            institution=world.institution,
            source="t",
        )

    assert not PhotoBatch.objects.exists()
    _nothing_stored(media_root)


def test_a_zip_with_too_many_entries_is_refused(world, media_root, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 10)
    entries = {f"{i}.jpg": jpeg(size=(8, 8)) for i in range(11)}

    with pytest.raises(PhotoError, match="文件过多"):
        photo_batch_import(
            archive=io.BytesIO(make_zip(entries)),
            kind="enrollment",
            institution=world.institution,
            source="t",
        )

    assert not PhotoBatch.objects.exists()
    _nothing_stored(media_root)


def test_the_real_limit_on_entries_refuses_20001_entries(world, media_root):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i in range(archive.MAX_ENTRIES + 1):
            zf.writestr(f"{i}.txt", b"")

    with pytest.raises(PhotoError, match="文件过多"):
        photo_batch_import(
            archive=buffer, kind="enrollment", institution=world.institution, source="t"
        )

    assert not PhotoBatch.objects.exists()


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", jpeg(), b"PK\x03\x04" + b"\x00" * 40],
    ids=["empty", "text", "jpeg", "broken-zip"],
)
def test_a_file_that_is_not_a_zip_is_refused(data, world, media_root):
    with pytest.raises(PhotoError, match="不是有效的 zip 压缩包"):
        photo_batch_import(
            archive=io.BytesIO(data), kind="enrollment", institution=world.institution, source="t"
        )

    assert not PhotoBatch.objects.exists()


def test_an_encrypted_entry_is_rejected(world, media_root):
    data = bytearray(make_zip({f"{world.alice_record.id_number}.jpg": jpeg()}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1  # the "encrypted" flag bit

    batch = photo_batch_import(
        archive=io.BytesIO(bytes(data)),
        kind="enrollment",
        institution=world.institution,
        source="t",
    )

    assert "加密" in batch.entries.get().reason
    _nothing_stored(media_root)
