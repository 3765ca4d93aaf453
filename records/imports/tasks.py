"""Background tasks of the roster and degree imports: thin, they call records.imports.
roster_import and records.imports.degrees.degree_import."""

from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from portal.lib.jobs import JobError, run_job
from records.imports import RosterImportError, roster_import
from records.imports.degrees import degree_import

# The job page lists this many errors; the rest are counted ("还有 N 个错误").
MAX_ERRORS_SHOWN = 1000


@contextmanager
def _stored(name: str):
    """The stored upload as a local path when the storage has one, else as a file."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    with default_storage.open(name, "rb") as handle:
        yield handle


@task()
def import_roster(job_id: str) -> None:
    def work(job, progress):
        name = job.params["file"]
        try:
            with _stored(name) as upload:
                result = roster_import(
                    file=upload,
                    dry_run=job.params.get("dry_run", False),
                    allow_new_colleges=job.params.get("allow_new_colleges", False),
                    strict=job.params.get("strict", False),
                    by=job.owner,
                    progress=progress,
                )
        except RosterImportError as exc:
            raise JobError(exc.message) from exc
        finally:
            # The roster holds ID numbers: keep it no longer than the import (PIPL).
            default_storage.delete(name)
        shown = result.as_dict(max_errors=MAX_ERRORS_SHOWN)
        shown["links"] = [[_("返回名单导入"), reverse("imports:roster_import")]]
        return shown

    run_job(job_id, work)


@task()
def import_degrees(job_id: str) -> None:
    def work(job, progress):
        name = job.params["file"]
        try:
            with _stored(name) as upload:
                result = degree_import(
                    file=upload,
                    dry_run=job.params.get("dry_run", False),
                    by=job.owner,
                    progress=progress,
                )
        except RosterImportError as exc:
            raise JobError(exc.message) from exc
        finally:
            # The file holds ID numbers: keep it no longer than the import (PIPL).
            default_storage.delete(name)
        shown = result.as_dict(max_errors=MAX_ERRORS_SHOWN)
        shown["links"] = [[_("返回学历导入"), reverse("imports:degree_import")]]
        return shown

    run_job(job_id, work)
