"""The only way a notices view fetches a notice, a sheet, an attachment or a help
article: through the user's scope, 404 outside it (no existence leak). Within scope, a
role that may look but not act gets 403. Who may do what on a page is asked here too,
never in the view."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role
from notices import help as help_centre
from notices.models import FeedbackSheet, Notice, NoticeAttachment, NoticeState, NoticeTask
from notices.satisfaction.selectors import Invitation, invitation_for
from records.access import class_for_read

# The staff who follow a notice's progress: the counselor, the college and the registrar.
STAFF = (Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR)


def sees_reported_values(user) -> bool:
    """Who reads the values a student reported on a feedback sheet (its page and its
    export): the counselor, the college and the registrar. The class monitor, a student,
    reads only which field a classmate reported."""
    return user.is_superuser or user.role in STAFF


def follows_sheet_changes(user) -> bool:
    """Who reads on the progress page which sheets changed since they were signed or
    handed in (签名后有变化 / 交表后有变化: who and what): the counselor, who signs again,
    and the college, which countersigns."""
    return user.role in (Role.COUNSELOR, Role.COLLEGE)


def sees_progress_chart(user) -> bool:
    """The chart of daily progress against the target: the registrar, who runs the notice."""
    return user.role == Role.REGISTRAR


def notice_for_read(request, pk: int) -> Notice:
    """Published notices for everyone; drafts and withdrawn ones for their registrar. A
    withdrawn notice is found for everyone too: its page then says only that it was
    withdrawn and why (issue 15: a link a student kept must not end in a 404)."""
    withdrawn = Notice.objects.filter(state=NoticeState.WITHDRAWN)
    queryset = (Notice.objects.visible_to(request.user) | withdrawn).select_related("institution")
    queryset = queryset.prefetch_related("attachments", "audience__college", "contact_rows")
    return get_object_or_404(queryset, pk=pk)


def institution_for_create(request):
    """The registrar's own university, where a new notice goes; 403 without one."""
    institution = request.user.institution
    if institution is None:
        raise PermissionDenied
    return institution


def notice_for_manage(request, pk: int) -> Notice:
    return get_object_or_404(Notice.objects.managed_by(request.user), pk=pk)


def manages_notice(user, notice: Notice) -> bool:
    return Notice.objects.managed_by(user).filter(pk=notice.pk).exists()


def follows_notice(user, notice: Notice) -> bool:
    """Whether the notice's progress pages are open to the user."""
    return Notice.objects.followed_by(user).filter(pk=notice.pk).exists()


def attachment_for_manage(request, token: str) -> NoticeAttachment:
    """An attachment of a notice the registrar manages (to delete it)."""
    queryset = NoticeAttachment.objects.filter(notice__in=Notice.objects.managed_by(request.user))
    return get_object_or_404(queryset, token=token)


def notice_for_progress(request, pk: int) -> Notice:
    queryset = Notice.objects.followed_by(request.user).prefetch_related("audience")
    return get_object_or_404(queryset, pk=pk)


def invitation_for_student(request, pk: int) -> Invitation:
    """The satisfaction evaluation of a published notice with a task, for a student with a
    record in its audience (whether she may answer yet, Invitation says); 404 for anyone
    else (notices.satisfaction.selectors.invitation_for)."""
    queryset = Notice.objects.published().exclude(task=NoticeTask.NONE)
    notice = get_object_or_404(queryset.prefetch_related("audience"), pk=pk)
    invitation = invitation_for(notice, request.user)
    if invitation is None:
        raise Http404
    return invitation


def sees_satisfaction(user) -> bool:
    """Who reads the satisfaction results of a notice: the registrar (her institution's)
    and college staff (their college's). Never who answered: nobody does."""
    return user.role in (Role.COLLEGE, Role.REGISTRAR) or user.is_admin


def notice_for_satisfaction(request, pk: int) -> Notice:
    """A notice whose progress the user follows (else 404), if she reads its results (else 403)."""
    notice = notice_for_progress(request, pk)
    if not sees_satisfaction(request.user):
        raise PermissionDenied
    return notice


def class_for_scope(request, pk: int):
    """The class a list, an export or a reminder is narrowed to: one outside the user's
    scope is a 404, never "everything"."""
    return class_for_read(request, pk)


def exports_college(user) -> bool:
    """A whole college's sheets in one workbook: the college's staff and the registrar."""
    return user.role in (Role.COLLEGE, Role.REGISTRAR) or user.is_admin


def college_for_export(user, asked: int | None) -> int | None:
    """The college of an export: the college's staff always their own, others the one
    they chose (checked against their scope by the form)."""
    return user.college_id if user.role == Role.COLLEGE else asked


# Who acts on a feedback sheet, by role (the page's buttons; admins pass the guards
# below, but the page offers them no buttons).
def remarks_sheet(user) -> bool:
    """Seed 004: the monitor (a student) fills the sheet; the counselor reviews it."""
    return user.role in (Role.STUDENT, Role.COUNSELOR)


def signs_sheet(user) -> bool:
    return user.role == Role.COUNSELOR


def countersigns_sheet(user) -> bool:
    return user.role == Role.COLLEGE


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
    if not remarks_sheet(request.user) and not request.user.is_admin:
        raise PermissionDenied
    return sheet


def sheet_for_sign(request, pk: int) -> FeedbackSheet:
    sheet = sheet_for_read(request, pk)
    if not signs_sheet(request.user) and not request.user.is_admin:
        raise PermissionDenied
    return sheet


def sheet_for_countersign(request, pk: int) -> FeedbackSheet:
    sheet = sheet_for_read(request, pk)
    if not countersigns_sheet(request.user) and not request.user.is_admin:
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


def article_for_read(request, slug: str) -> help_centre.Article:
    """帮助中心: public."""
    article = help_centre.BY_SLUG.get(slug)
    if article is None:
        raise Http404
    return article


def _institutions_of(user) -> list[int]:
    ids = set(user.enrollment_records.values_list("institution_id", flat=True))
    if user.institution_id:
        ids.add(user.institution_id)
    return sorted(ids)
