"""Photo batches (照片批次): a zip of photos named by ID number or 考生号, as the
collection unit (新华社) delivers them, matched to the records of one institution.

Each file is handled on its own — read with a size cap, matched, checked by content,
normalised, stored — so that a broken file never stops the others, and it ends as one
PhotoBatchEntry: added, replaced, unchanged, unmatched, rejected (with the reason) or
skipped. Re-running the same zip changes nothing: a file whose bytes (sha256) are those
of the record's current photo of that kind is "unchanged".
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from imaging import archive as zips
from imaging.errors import PhotoError
from imaging.models import EntryOutcome, Photo, PhotoBatch, PhotoBatchEntry, PhotoKind
from imaging.names import mask_numbers_in, masked_file_name
from imaging.normalise import PhotoRejected, photo_normalise
from imaging.services import photo_save
from portal.lib import idnumbers
from portal.lib.audit import log_action
from records.models import EnrollmentRecord, Institution

logger = logging.getLogger(__name__)

CHUNK = 500  # keys per look-up query, entries per bulk insert


def key_variants(key: str) -> set[str]:
    """The forms a record may hold for this file name: the ID number normalised
    (full-width digits, spaces, a lower-case x), and its 15/18-digit twin."""
    key = idnumbers.normalize(key)
    variants = {key}
    if len(key) == 15 and key.isdigit():
        with contextlib.suppress(ValidationError):  # not a legacy ID number after all
            variants.add(idnumbers.upgrade_legacy(key))
    elif len(key) == 18 and key[:17].isdigit():
        variants.add(key[:6] + key[8:17])
    return variants


AMBIGUOUS = object()


@dataclass
class RecordIndex:
    """The institution's records for the keys of one archive, found in a few queries."""

    by_id_number: dict[str, list[EnrollmentRecord]] = field(default_factory=dict)
    by_examinee_number: dict[str, EnrollmentRecord] = field(default_factory=dict)

    @classmethod
    def build(cls, institution: Institution, keys: Iterable[str]) -> RecordIndex:
        index = cls()
        keys = sorted({variant for key in keys for variant in key_variants(key) if variant})
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            records = EnrollmentRecord.objects.filter(institution=institution).filter(
                Q(id_number__in=chunk) | Q(examinee_number__in=chunk)
            )
            for record in records.select_related("user", "institution"):
                index._add(record)
        return index

    def _add(self, record: EnrollmentRecord) -> None:
        if record.examinee_number:
            self.by_examinee_number[record.examinee_number] = record
        same = self.by_id_number.setdefault(idnumbers.normalize(record.id_number), [])
        if all(r.pk != record.pk for r in same):
            same.append(record)

    def find(self, key: str):
        """The one record this key names, None, or AMBIGUOUS."""
        found: dict[int, EnrollmentRecord] = {}
        for variant in key_variants(key):
            for record in self.by_id_number.get(variant, []):
                found[record.pk] = record
            if variant in self.by_examinee_number:
                record = self.by_examinee_number[variant]
                found[record.pk] = record
        if len(found) > 1:
            return AMBIGUOUS
        return next(iter(found.values()), None)


def _current_hashes(record_ids: list[int], kind: str) -> dict[int, str]:
    hashes: dict[int, str] = {}
    for start in range(0, len(record_ids), CHUNK):
        rows = Photo.objects.current().filter(
            record_id__in=record_ids[start : start + CHUNK], kind=kind
        )
        hashes.update(rows.values_list("record_id", "sha256"))
    return hashes


@dataclass
class _Outcome:
    outcome: str
    reason: str = ""
    record: EnrollmentRecord | None = None
    photo: Photo | None = None


class BatchImport:
    """One run over one archive. `run()` returns the PhotoBatch with its report."""

    def __init__(self, archive, *, kind, institution, source, by=None, progress=None):
        self.zip = archive
        self.kind, self.institution, self.source = kind, institution, source
        self.by, self.progress = by, progress
        self.counts: Counter[str] = Counter()
        self.pending: list[PhotoBatchEntry] = []
        self.seen: dict[int, str] = {}  # record id -> the entry that gave its photo
        self.budget = zips.MAX_TOTAL_BYTES

    def run(self, entries: list[zips.Entry]) -> PhotoBatch:
        self.batch = PhotoBatch.objects.create(
            institution=self.institution, kind=self.kind, source=self.source, uploaded_by=self.by
        )
        readable = [e for e in entries if not e.problem]
        self.index = RecordIndex.build(self.institution, (e.key for e in readable))
        matched = {r.pk for rs in self.index.by_id_number.values() for r in rs}
        matched |= {r.pk for r in self.index.by_examinee_number.values()}
        self.hashes = _current_hashes(sorted(matched), self.kind)
        if self.progress is not None:
            self.progress.set_total(len(entries), message=_("正在导入照片…"))
        for position, entry in enumerate(entries, start=1):
            self._record(position, entry, self._handle(entry))
            if self.progress is not None:
                self.progress.advance()
        self._flush()
        self.batch.report = {"counts": {k: self.counts[k] for k in EntryOutcome.values}}
        self.batch.save(update_fields=["report"])
        log_action(
            self.batch,
            "imaging.batch_imported",
            by=self.by,
            changes={k: [None, v] for k, v in self.batch.report["counts"].items() if v},
            reason=self.source,
        )
        return self.batch

    def _handle(self, entry: zips.Entry) -> _Outcome:
        if entry.problem:
            return _Outcome(entry.problem, entry.reason)
        try:
            return self._import(entry)
        except PhotoRejected as exc:
            return _Outcome(EntryOutcome.REJECTED, exc.message)
        except Exception:  # a broken entry never stops the others
            logger.exception("photo batch %s: entry %s failed", self.batch.pk, entry.info.filename)
            return _Outcome(EntryOutcome.REJECTED, _("保存该照片时出错，请单独重新上传。"))

    def _import(self, entry: zips.Entry) -> _Outcome:
        record = self.index.find(entry.key)
        if record is AMBIGUOUS:
            why = _("该证件号码在本校对应多条学籍，请改用考生号命名照片。")
            return _Outcome(EntryOutcome.REJECTED, why)
        if record is None:
            why = _("本校没有证件号码或考生号为“%(key)s”的学籍。") % {
                "key": masked_file_name(entry.key[:40])
            }
            return _Outcome(EntryOutcome.UNMATCHED, why)
        if record.pk in self.seen:
            why = _("同一学生在本批次中已有照片（%(name)s），本文件未导入。")
            return _Outcome(
                EntryOutcome.REJECTED,
                why % {"name": masked_file_name(self.seen[record.pk])[:80]},
                record,
            )
        if self.budget <= 0:
            why = _("压缩包解压后的总大小超过上限，本文件未处理。")
            return _Outcome(EntryOutcome.REJECTED, why, record)
        data = zips.read_entry(self.zip, entry)
        self.budget -= len(data)
        sha256 = hashlib.sha256(data).hexdigest()
        if self.hashes.get(record.pk) == sha256:
            self.seen[record.pk] = entry.name
            return _Outcome(EntryOutcome.UNCHANGED, "", record)
        normalised = photo_normalise(data)
        photo, replaced = photo_save(
            record=record,
            kind=self.kind,
            normalised=normalised,
            sha256=sha256,
            batch=self.batch,
            by=self.by,
        )
        self.hashes[record.pk] = sha256
        self.seen[record.pk] = entry.name
        return _Outcome(
            EntryOutcome.REPLACED if replaced else EntryOutcome.ADDED, "", record, photo
        )

    def _record(self, position: int, entry: zips.Entry, result: _Outcome) -> None:
        self.counts[result.outcome] += 1
        self.pending.append(
            PhotoBatchEntry(
                batch=self.batch,
                position=position,
                # Stored masked (docs/security.md "Personal data"): the report, its page
                # and the command's output never hold a full number.
                name=masked_file_name(entry.name)[:255],
                outcome=result.outcome,
                reason=mask_numbers_in(result.reason)[:200],
                record=result.record,
                photo=result.photo,
            )
        )
        if len(self.pending) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        PhotoBatchEntry.objects.bulk_create(self.pending)
        self.pending = []


def photo_batch_import(
    *, archive, kind: str, institution: Institution, source: str, by=None, progress=None
) -> PhotoBatch:
    """Import a zip of photos (a path or a seekable file). PhotoError, with nothing
    stored, when the archive as a whole cannot be read or is too large."""
    if kind not in PhotoKind.values:
        raise PhotoError(_("照片类型无效。"), "kind")
    with zips.open_archive(archive) as opened:
        entries = zips.archive_entries(opened)
        if not entries:
            raise PhotoError(_("压缩包中没有任何文件。"), "empty")
        return BatchImport(
            opened, kind=kind, institution=institution, source=source, by=by, progress=progress
        ).run(entries)
