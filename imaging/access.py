"""The only ways an imaging view fetches a photo, a record or a batch: through the
user's scope, 404 outside it (no existence leak)."""

from django.shortcuts import get_object_or_404

from imaging.models import Photo, PhotoBatch
from records.models import EnrollmentRecord


def photo_for_read(request, token: str) -> Photo:
    # With its record: whose face it is names the student in the audit of a staff view.
    queryset = Photo.objects.visible_to(request.user).select_related("record")
    return get_object_or_404(queryset, token=token)


def own_photo(request, token: str) -> Photo:
    """A photo of a record bound to this student: 图像校对 is the student's own act."""
    queryset = Photo.objects.select_related("record", "record__institution")
    return get_object_or_404(queryset, token=token, record__user=request.user)


def record_for_upload(request, pk: int) -> EnrollmentRecord:
    queryset = EnrollmentRecord.objects.visible_to(request.user).with_related()
    return get_object_or_404(queryset, pk=pk)


def batch_for_read(request, pk: int) -> PhotoBatch:
    queryset = PhotoBatch.objects.visible_to(request.user).select_related("uploaded_by")
    return get_object_or_404(queryset, pk=pk)
