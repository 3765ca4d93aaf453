"""Writing notices: drafts, publishing, edits with their history, withdrawal, attachments.

Every change is audited through portal.lib.audit.log_action with the values before and
after, so the notice's history page can show who changed what and when.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.errors import NoticeError
from notices.models import (
    Notice,
    NoticeAttachment,
    NoticeAudience,
    NoticeContact,
    NoticeState,
    NoticeTask,
)
from notices.services.sheets import sheets_sync
from notices.uploads import attachment_upload
from portal.lib.audit import diff, snapshot
from portal.lib.audit import log_action as _log
from portal.lib.uploads import UploadError

NOTICE_FIELDS = (
    "number", "title", "issuing_office", "drafted_by", "signed_by", "issue_date", "body",
    "contacts", "task", "is_required", "window_start", "window_end", "correction_deadline",
    "sheet_deadline",
)  # fmt: skip


@dataclass(frozen=True)
class AudienceRule:
    college_id: int | None = None
    cohort: int | None = None
    graduation_year: int | None = None
    level: str = ""


@dataclass(frozen=True)
class Contact:
    office: str
    room: str = ""
    phone: str = ""
    email: str = ""


def _state(notice: Notice) -> dict:
    """What the history compares: the fields, the audience and the contacts as text."""
    values = snapshot(notice, NOTICE_FIELDS)
    for name in ("window_start", "window_end", "correction_deadline", "sheet_deadline"):
        value = getattr(notice, name)  # one time zone, so that an unchanged time compares equal
        values[name] = timezone.localtime(value).isoformat() if value else None
    values["audience"] = "；".join(str(rule) for rule in notice.audience.all()) or str(_("全校"))
    values["contact_rows"] = "；".join(str(c) for c in notice.contact_rows.all())
    return values


def _check_window(notice: Notice) -> None:
    start, end = notice.window_start, notice.window_end
    if start and end and end <= start:
        raise NoticeError(_("截止时间必须晚于开始时间。"))
    if notice.task != NoticeTask.NONE and not end:
        raise NoticeError(_("有校对任务的通知必须填写截止时间。"))
    for name, label in (
        ("correction_deadline", _("更正申请截止时间")),
        ("sheet_deadline", _("反馈表截止时间")),
    ):
        value = getattr(notice, name)
        if value and end and value < end:
            raise NoticeError(_("%(label)s不能早于截止时间。") % {"label": label})


def _save(notice: Notice) -> None:
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError as exc:
        raise NoticeError(
            _("文号“%(number)s”已被本校另一则通知使用。") % {"number": notice.number}
        ) from exc


def _replace_rules(notice: Notice, audience: list[AudienceRule], contacts: list[Contact]) -> None:
    notice.audience.all().delete()
    NoticeAudience.objects.bulk_create(
        NoticeAudience(
            notice=notice,
            college_id=rule.college_id,
            cohort=rule.cohort,
            graduation_year=rule.graduation_year,
            level=rule.level,
        )
        for rule in audience
    )
    notice.contact_rows.all().delete()
    NoticeContact.objects.bulk_create(
        NoticeContact(notice=notice, office=c.office, room=c.room, phone=c.phone, email=c.email)
        for c in contacts
    )
    # Drop the cached prefetch, so that what follows reads the rules just written.
    getattr(notice, "_prefetched_objects_cache", {}).clear()


@transaction.atomic
def notice_create(
    *,
    institution,
    by,
    fields: dict,
    audience: list[AudienceRule],
    contacts: list[Contact],
    ip: str | None = None,
) -> Notice:
    """A draft notice; nobody but the registrar sees it until it is published."""
    notice = Notice(institution=institution, created_by=by, state=NoticeState.DRAFT, **fields)
    _check_window(notice)
    _save(notice)
    _replace_rules(notice, audience, contacts)
    _log(notice, "notices.created", by=by, changes=diff({}, _state(notice)), ip=ip)
    return notice


@transaction.atomic
def notice_update(
    *,
    notice: Notice,
    by,
    fields: dict,
    audience: list[AudienceRule],
    contacts: list[Contact],
    reason: str = "",
    ip: str | None = None,
) -> Notice:
    """Edit a notice in any state; the history keeps every field before and after."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    before = _state(notice)
    for name, value in fields.items():
        setattr(notice, name, value)
    _check_window(notice)
    _save(notice)
    _replace_rules(notice, audience, contacts)
    changes = diff(before, _state(notice))
    if changes:
        _log(notice, "notices.edited", by=by, changes=changes, reason=reason, ip=ip)
    if notice.state == NoticeState.PUBLISHED:
        sheets_sync(notice=notice)
    return notice


@transaction.atomic
def notice_publish(*, notice: Notice, by, ip: str | None = None) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state == NoticeState.PUBLISHED:
        raise NoticeError(_("该通知已发布。"))
    _check_window(notice)
    before = notice.state
    notice.state, notice.published_at = NoticeState.PUBLISHED, timezone.now()
    notice.save(update_fields=["state", "published_at", "updated_at"])
    _log(
        notice,
        "notices.published",
        by=by,
        changes={"state": [before, notice.state]},
        ip=ip,
    )
    sheets_sync(notice=notice)
    return notice


@transaction.atomic
def notice_withdraw(*, notice: Notice, by, reason: str, ip: str | None = None) -> Notice:
    """撤回: the notice leaves the public pages; its sheets and history stay."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != NoticeState.PUBLISHED:
        raise NoticeError(_("只能撤回已发布的通知。"))
    if not reason.strip():
        raise NoticeError(_("请填写撤回原因。"))
    notice.state = NoticeState.WITHDRAWN
    # Students who open the notice read why it went (issue 15: not a 404).
    notice.withdrawal_reason = reason.strip()[:500]
    notice.save(update_fields=["state", "withdrawal_reason", "updated_at"])
    _log(
        notice,
        "notices.withdrawn",
        by=by,
        changes={"state": [NoticeState.PUBLISHED, NoticeState.WITHDRAWN]},
        reason=reason.strip(),
        ip=ip,
    )
    return notice


@transaction.atomic
def attachment_add(
    *, notice: Notice, by, title: str, upload, is_public: bool, ip: str | None = None
) -> NoticeAttachment:
    """An operation guide or a blank form, checked by content and stored privately."""
    try:
        clean = attachment_upload(upload)
    except UploadError as exc:
        raise NoticeError(exc.message) from exc
    attachment = NoticeAttachment(
        notice=notice,
        title=title.strip() or _("附件"),
        token=secrets.token_hex(16),
        extension=clean.extension,
        content_type=clean.content_type,
        is_public=is_public,
        size=len(clean.content),
    )
    attachment.file.save(f"a{clean.extension}", ContentFile(clean.content), save=False)
    attachment.save()
    _log(
        notice,
        "notices.attachment_added",
        by=by,
        changes={"attachment": [None, f"{attachment.title}{attachment.extension}"]},
        ip=ip,
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: NoticeAttachment, by, ip: str | None = None) -> None:
    notice = attachment.notice
    label = f"{attachment.title}{attachment.extension}"
    stored = attachment.file.name
    attachment.delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored))
    _log(
        notice, "notices.attachment_removed", by=by, changes={"attachment": [label, None]},
        ip=ip,
    )  # fmt: skip
