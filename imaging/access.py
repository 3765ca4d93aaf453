"""The only ways an imaging view fetches a photo, a record or a batch: through the
user's scope, 404 outside it (no existence leak). Who may do what on a page is asked
here too, never in the view."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Role
from imaging.models import Photo, PhotoBatch, PhotoState, PhotoVerification
from records.models import EnrollmentRecord


def replaces_photos(user) -> bool:
    """The 有误 queue and its replacement upload: the registrar (and admins)."""
    return user.role == Role.REGISTRAR or user.is_admin


def institution_for_import(request) -> int:
    """The registrar's own university (its id), whose photos a batch brings; 403 without
    one."""
    if request.user.institution_id is None:
        raise PermissionDenied
    return request.user.institution_id


def photo_for_read(request, token: str) -> Photo:
    # With its record: whose face it is names the student in the audit of a staff view.
    queryset = Photo.objects.visible_to(request.user).select_related("record")
    return get_object_or_404(queryset, token=token)


def own_photo(request, token: str) -> Photo:
    """A photo of a record bound to this student: 图像校对 is the student's own act."""
    queryset = Photo.objects.select_related("record", "record__institution")
    return get_object_or_404(queryset, token=token, record__user=request.user)


def verification_to_rate(request, photo: Photo) -> PhotoVerification | None:
    """The student's own 正确 of the photo, while it has no rating yet (seed 004: rated
    once, after confirming); None when there is nothing to rate."""
    verification = photo.verifications.filter(user=request.user).first()
    if verification is None or verification.result != PhotoState.CONFIRMED:
        return None
    return None if verification.rating is not None else verification


def record_for_upload(request, pk: int) -> EnrollmentRecord:
    queryset = EnrollmentRecord.objects.visible_to(request.user).with_related()
    return get_object_or_404(queryset, pk=pk)


def batch_for_read(request, pk: int) -> PhotoBatch:
    queryset = PhotoBatch.objects.visible_to(request.user).select_related("uploaded_by")
    return get_object_or_404(queryset, pk=pk)


def disputed_photo_for_close(request, token: str) -> Photo:
    """A current 有误 photo in the registrar's scope whose report is still open."""
    if not replaces_photos(request.user):
        raise PermissionDenied
    queryset = Photo.objects.visible_to(request.user).current().select_related("record__user")
    return get_object_or_404(queryset, token=token, state=PhotoState.DISPUTED)
