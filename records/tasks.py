"""Background tasks of the records app: thin, they call the export and job helpers."""

from django_tasks import task

from portal.lib.audit import log_access
from portal.lib.jobs import run_job
from portal.lib.xlsx import download_name
from records.exports import export_date, export_note, roster_workbook, scope_label
from records.models import EnrollmentRecord
from records.selectors import records_with_state


@task()
def export_roster(job_id: str) -> None:
    def work(job, progress):
        records = records_with_state(
            EnrollmentRecord.objects.visible_to(job.owner).select_related(
                "college", "school_class", "major"
            )
        ).order_by("college__code", "school_class__code", "student_number")
        progress.set_total(records.count(), message="正在生成名单…")
        students: list = []
        owner = job.owner
        content = roster_workbook(records, progress, students, note=export_note(owner))
        progress.attach(download_name("学生名单", scope_label(owner), export_date()), content)
        # PIPL: the export names every student in it (the download is logged too).
        log_access(job.owner, "records.roster_exported", job, students=students)
        return {"rows": progress.job.done}

    run_job(job_id, work)
