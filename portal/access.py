"""The only way a portal view fetches a job: its owner's, 404 for anyone else (a job and
its result file belong to whoever started it, alone)."""

from django.shortcuts import get_object_or_404

from portal.lib.models import Job, JobState


def job_for_owner(request, pk) -> Job:
    return get_object_or_404(Job, pk=pk, owner=request.user)


def result_for_owner(request, pk) -> Job:
    """A finished job whose result may be downloaded (and is still kept: portal.cleanup)."""
    jobs = Job.objects.exclude(result_file="")
    return get_object_or_404(jobs, pk=pk, owner=request.user, state=JobState.SUCCEEDED)
