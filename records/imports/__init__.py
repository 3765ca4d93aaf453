"""Roster import (名单导入): a registrar's .xlsx of a cohort, validated in full, then
written all-or-nothing: `roster_import(*, file, dry_run=False, by=None, progress=None,
allow_new_colleges=False, strict=False)`.

Two phases, as pretix's `services/modelimport.py`: read and validate every row first,
collecting `第 R 行，C 列（表头）：原因`; write only when no row is wrong, in one
`transaction.atomic()`. A re-import updates records in place by 学号 (or 考生号) and
never duplicates them; when it changes a record its student had confirmed (正确), her
confirmation is revoked and she is told what changed (writer.py, changes.py). New
colleges and majors need a yes (organisation.py); warnings are listed apart from errors.

Reading uses python-calamine (Rust): many times faster than openpyxl's read-only mode
(bench/roster_import.py), and it returns cells in the East Asian built-in date formats
(numFmtId 27-36 and 50-58, e.g. 2005年1月2日) as dates, where openpyxl returns the bare
serial number. Its XML parser expands no entities; the archive is checked first
(archive.py: entry count and the real unpacked size, not the declared one).

Memory: the reader holds the sheet once (in Rust); the valid rows are kept once, as
compact tuples whose repeated values (college, major, dates …) are shared objects.

The modules, in the order a file goes through them: archive (the zip) and parts (its
XML parts: far cells, DOCTYPEs, before calamine allocates anything), sheet (the
worksheet and its header), cells (one value), columns (the headers and a row),
validation (phase 1), organisation (new colleges and majors, phase 1b), writer and
changes (phase 2); results holds what the service returns.
"""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.lib.audit import log_action
from portal.lib.db import refresh_planner_statistics
from records import signals
from records.imports.archive import MAX_FILE_BYTES, check_archive, local_path
from records.imports.columns import COLUMNS, ROSTER, TEMPLATE_HEADER
from records.imports.organisation import check_new_organisation
from records.imports.results import ImportResult, RosterImportError, RowError
from records.imports.steps import Progress, by_cell, import_scope, read_rows
from records.imports.validation import Validator, check_organisation, match_existing
from records.imports.writer import Writer
from records.models import EnrollmentRecord, Institution
from records.services.prior_degrees import prior_degrees_link

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "TEMPLATE_HEADER",
    "ImportResult",
    "RosterImportError",
    "RowError",
    "roster_import",
]


def _validate(path: Path, *, scope, progress: Progress) -> Validator:
    def reader(sheet, header):
        return Validator(sheet, header, scope)

    validator = read_rows(path, ROSTER, reader, progress)
    assert isinstance(validator, Validator)
    return validator


def roster_import(
    *,
    file,
    dry_run: bool = False,
    by=None,
    progress=None,
    allow_new_colleges: bool = False,
    strict: bool = False,
) -> ImportResult:
    """Import a roster (.xlsx path or file object): every row, or none.

    Returns the counts and what changed, or the errors of every bad row with nothing
    written. With `dry_run` the rows are written and rolled back, so that the counts and
    the lists are the real ones. A college or major the rows would create is an error
    unless `allow_new_colleges` (organisation.py); warnings (a 考生号 that disagrees with
    录取年份 or 生源省市) are listed, and are errors when `strict`.
    Raises RosterImportError when the file as a whole is unusable."""
    scope, bar = import_scope(by), Progress(progress)
    with local_path(file) as path:
        check_archive(path)
        validator = _validate(path, scope=scope, progress=bar)
    errors = validator.errors + validator.duplicate_errors()
    if validator.institution is None:
        if not errors:
            raise RosterImportError(_("名单中没有学生：表头下面是空的。"))
        institution = scope
    else:
        institution = scope or Institution.objects.filter(code=validator.institution[0]).first()
    if not errors:
        errors = (
            check_organisation(validator, institution)
            + match_existing(validator, institution)
            + check_new_organisation(validator, institution, allow=allow_new_colleges)
        )
    # After the match: a row that leaves its 考生号 blank is warned on the stored one.
    warnings = validator.warnings
    if strict:
        errors, warnings = errors + warnings, []
    warnings.sort(key=by_cell)
    if errors:
        errors.sort(key=by_cell)
        message = _("发现 %(n)d 处错误，没有写入任何数据") % {"n": len(errors)}
        bar.finish(message, validated_only=True)
        return ImportResult(
            errors=errors, warnings=warnings, institution=institution, dry_run=dry_run
        )
    bar.writing()
    result = _write(validator, institution, dry_run=dry_run, by=by, progress=bar)
    result.warnings = warnings
    if not dry_run:
        refresh_planner_statistics()
        signals.roster_imported.send(sender=ImportResult, institution=institution)
    return result


def _write(validator: Validator, institution, *, dry_run, by, progress: Progress) -> ImportResult:
    code, name, _line = validator.institution
    try:
        with transaction.atomic():
            created = institution is None
            if created:
                province = validator.rows[0].institution_province
                institution = Institution.objects.create(code=code, name=name, province=province)
            writer = Writer(validator.rows, institution, by, progress)
            result = writer.run()
            result.institution_created, result.dry_run = created, dry_run
            # 专升本: the 专科 degrees the rows name (and those named before, found since).
            result.prior_linked = prior_degrees_link(
                records=EnrollmentRecord.objects.filter(institution=institution), by=by
            )
            # One audit event for the import as a whole; created records get no event of
            # their own (50,000 more inserts would double the time of a first import).
            # Updates are audited one by one, with before and after, in Writer._record_changes.
            log_action(
                institution,
                "records.roster_imported",
                by=by,
                changes={"created": [0, result.created], "updated": [0, result.updated]},
                reason=_("导入名单：新建 %(c)d 条，更新 %(u)d 条，未变 %(n)d 条")
                % {"c": result.created, "u": result.updated, "n": result.unchanged},
            )
            if dry_run:
                transaction.set_rollback(True)
            else:
                writer.notify_students()  # sent once the transaction commits
    except IntegrityError as exc:
        raise RosterImportError(
            _("写入时与他人同时进行的修改冲突，没有写入任何数据。请稍后重新导入。")
        ) from exc
    progress.step(progress.rows - len(validator.rows), "")
    progress.finish(_("试导入完成，数据未写入") if dry_run else _("导入完成"))
    return result
