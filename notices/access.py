"""The only way a notices view fetches a notice, a sheet or an attachment: through the
user's scope, 404 outside it (no existence leak). Within scope, a role that may look but
not act gets 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import Role
from notices.models import FeedbackSheet, Notice, NoticeAttachment, NoticeState

# The staff who follow a notice's progress: the counselor, the college and the registrar.
STAFF = (Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR)


def sees_reported_values(user) -> bool:
    """Who reads the values a student reported on a feedback sheet (its page and its
    export): the counselor, the college and the registrar. The class monitor, a student,
    reads only which field a classmate reported."""
    return user.is_superuser or user.role in STAFF


def notice_for_manage(request, pk: int) -> Notice:
    return get_object_or_404(Notice.objects.managed_by(request.user), pk=pk)


def notice_for_progress(request, pk: int) -> Notice:
    queryset = Notice.objects.followed_by(request.user).prefetch_related("audience")
    return get_object_or_404(queryset, pk=pk)


def sheet_for_read(request, pk: int) -> FeedbackSheet:
    """Counselors their classes' sheets, college staff their college's, the registrar
    the institution's, the class monitor (班长) their own class's."""
    queryset = FeedbackSheet.objects.visible_to(request.user).select_related(
        "notice", "school_class__college", "school_class__monitor"
    )
    return get_object_or_404(queryset.prefetch_related("notice__audience"), pk=pk)


def sheet_for_remark(request, pk: int) -> FeedbackSheet:
    """Seed 004: the monitor fills the sheet; the counselor reviews it."""
    sheet = sheet_for_read(request, pk)
    if request.user.role not in (Role.STUDENT, Role.COUNSELOR) and not request.user.is_admin:
        raise PermissionDenied
    return sheet


def sheet_for_sign(request, pk: int) -> FeedbackSheet:
    sheet = sheet_for_read(request, pk)
    if request.user.role != Role.COUNSELOR and not request.user.is_admin:
        raise PermissionDenied
    return sheet


def sheet_for_countersign(request, pk: int) -> FeedbackSheet:
    sheet = sheet_for_read(request, pk)
    if request.user.role != Role.COLLEGE and not request.user.is_admin:
        raise PermissionDenied
    return sheet


def attachment_for_download(request, token: str) -> NoticeAttachment:
    """Public files of published notices for everyone; the others for the people of the
    notice's institution (private files), or its registrar (drafts)."""
    user = request.user
    published = Q(notice__state=NoticeState.PUBLISHED)
    allowed = published & Q(is_public=True)
    if user.is_authenticated and user.is_active:
        allowed |= Q(notice__in=Notice.objects.managed_by(user))
        allowed |= published & Q(notice__institution_id__in=_institutions_of(user))
    queryset = NoticeAttachment.objects.filter(allowed).select_related("notice")
    return get_object_or_404(queryset, token=token)


def _institutions_of(user) -> list[int]:
    ids = set(user.enrollment_records.values_list("institution_id", flat=True))
    if user.institution_id:
        ids.add(user.institution_id)
    return sorted(ids)
