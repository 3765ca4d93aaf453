"""Degree import (学历名单导入): a school's yearly file of its graduates' degrees, validated
in full, then written all-or-nothing: `degree_import(*, file, dry_run=False, by=None,
progress=None)`.

The roster import's framework (records.imports): the same archive and sheet checks, the
same reading with progress, the same field rules (records.rules DEGREE_RULES, as the
degree admin reads them) and the same `第 R 行，C 列（表头）：原因` errors. A re-import
updates degrees in place by 证书编号, audited with before and after; one audit event
records the import as a whole.

Checks beyond each value: an 18- or 17-digit certificate number must agree with its
row's 院校代码, graduation year and 层次 (records.rules.between.certificate, docs/degrees.md);
a certificate number already held by another person's degree is refused, naming that
degree's 姓名 and 证书编号 (or the other row of the file). Each degree is linked to its
学籍 (validation.py) and gets that 学籍's account when it has one.

The modules: columns (the headers and a row), validation (phase 1 and 1b), writer
(phase 2).
"""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.lib.audit import log_action
from portal.lib.db import refresh_planner_statistics
from records.imports.archive import check_archive, local_path
from records.imports.degrees.columns import DEGREE_COLUMNS, DEGREE_TEMPLATE_HEADER, DEGREES
from records.imports.degrees.validation import DegreeReader, match_degrees
from records.imports.degrees.writer import DegreeImportResult, DegreeWriter
from records.imports.results import RosterImportError
from records.imports.steps import Progress, by_cell, import_scope, read_rows
from records.imports.validation import institution_name_errors
from records.models import Institution
from records.services.prior_degrees import prior_degrees_link, unlinked_prior_records

__all__ = ["DEGREE_COLUMNS", "DEGREE_TEMPLATE_HEADER", "DegreeImportResult", "degree_import"]


def _read(path: Path, *, scope, progress: Progress) -> DegreeReader:
    def reader(sheet, header):
        return DegreeReader(sheet, header, scope)

    found = read_rows(path, DEGREES, reader, progress)
    assert isinstance(found, DegreeReader)
    return found


def _institution(reader: DegreeReader, scope) -> tuple[Institution | None, list]:
    """The school the file names; it must be known (its 学籍 are linked to)."""
    code, _name, line = reader.institution
    institution = scope or Institution.objects.filter(code=code).first()
    if institution is None:
        reason = _("院校代码 %(code)s 在系统中不存在，请先导入该校的学生名单") % {"code": code}
        return None, [reader.error(line, "institution_code", reason)]
    return institution, institution_name_errors(reader, institution)


def degree_import(*, file, dry_run: bool = False, by=None, progress=None) -> DegreeImportResult:
    """Import a degree file (.xlsx path or file object): every row, or none.

    Returns the counts (new, updated, unchanged; linked to a 学籍 or not; bound to an
    account) and what changed, or the errors of every bad row with nothing written. With
    `dry_run` the rows are written and rolled back. Raises RosterImportError when the file
    as a whole is unusable."""
    scope, bar = import_scope(by), Progress(progress)
    with local_path(file) as path:
        check_archive(path)
        reader = _read(path, scope=scope, progress=bar)
    errors = reader.errors + reader.duplicate_errors()
    institution = scope
    if reader.institution is None:
        if not errors:
            raise RosterImportError(_("文件中没有学历：表头下面是空的。"))
    elif not errors:
        institution, errors = _institution(reader, scope)
        if not errors:
            errors = match_degrees(reader, institution)
    if errors:
        errors.sort(key=by_cell)
        bar.finish(
            _("发现 %(n)d 处错误，没有写入任何数据") % {"n": len(errors)}, validated_only=True
        )
        return DegreeImportResult(errors=errors, institution=institution, dry_run=dry_run)
    bar.writing()
    result = _write(reader, institution, dry_run=dry_run, by=by, progress=bar)
    if not dry_run:
        refresh_planner_statistics()
    return result


def _write(reader: DegreeReader, institution, *, dry_run, by, progress: Progress):
    try:
        with transaction.atomic():
            writer = DegreeWriter(reader.rows, institution, by, progress)
            result = writer.run()
            result.dry_run = dry_run
            # 专升本: 本科 records whose roster named one of these 专科 degrees link to it.
            result.prior_linked = prior_degrees_link(records=unlinked_prior_records(), by=by)
            # One event for the import as a whole; updated degrees have one each.
            log_action(
                institution,
                "records.degrees_imported",
                by=by,
                changes={
                    "created": [0, result.created],
                    "updated": [0, result.updated],
                    "linked": [0, result.linked],
                },
                reason=_(
                    "导入学历名单：新建 %(c)d 条，更新 %(u)d 条，未变 %(n)d 条；对应到学籍 %(l)d 条"
                )
                % {
                    "c": result.created,
                    "u": result.updated,
                    "n": result.unchanged,
                    "l": result.linked,
                },
            )
            if dry_run:
                transaction.set_rollback(True)
            else:
                writer.notify_students()  # sent once the transaction commits
    except IntegrityError as exc:
        raise RosterImportError(
            _("写入时与他人同时进行的修改冲突，没有写入任何数据。请稍后重新导入。")
        ) from exc
    progress.finish(_("试导入完成，数据未写入") if dry_run else _("导入完成"))
    return result
