"""Background task of the photo batch import: thin, it calls imaging.batches."""

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from imaging.batches import photo_batch_import
from imaging.errors import PhotoError
from imaging.models import EntryOutcome
from portal.lib.jobs import JobError, run_job
from records.models import Institution


def job_result(batch) -> dict:
    """What the job page shows (templates/components/_job_result.html)."""
    counts = batch.counts
    return {
        "headline": _("照片导入完成：新增 %(added)d 张，替换 %(replaced)d 张。")
        % {"added": counts[EntryOutcome.ADDED], "replaced": counts[EntryOutcome.REPLACED]},
        "summary": [[str(label), counts[value]] for value, label in EntryOutcome.choices],
        "links": [
            [_("查看导入结果（逐个文件）"), reverse("imaging:batch_detail", args=[batch.pk])]
        ],
        "batch": batch.pk,
    }


@task()
def import_photo_batch(job_id: str) -> None:
    def work(job, progress):
        params = job.params
        name = params["file"]
        try:
            with default_storage.open(name, "rb") as archive:
                batch = photo_batch_import(
                    archive=archive,
                    kind=params["kind"],
                    institution=Institution.objects.get(pk=params["institution"]),
                    source=params["source"],
                    by=job.owner,
                    progress=progress,
                )
        except PhotoError as exc:
            raise JobError(exc.message) from exc
        finally:
            # The zip names people by ID number: keep it no longer than the import (PIPL).
            default_storage.delete(name)
        return job_result(batch)

    run_job(job_id, work)
