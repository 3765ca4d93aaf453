"""The role × URL × object matrix: every URL of the portal, for every persona, must
answer 403 or 404 (or send the anonymous to log in) for objects outside the persona's
scope, and must not show their data in its pages.

What a persona may see is written here from the world's structure, independently of
the `visible_to` methods it checks. A URL that takes an object in its path and is not
listed in TARGETS fails the check: views added later cannot slip through.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from accounts.models import (
    AccountState,
    ClassmateAssist,
    IdentityClaim,
    IdentityRequest,
    RequestKind,
    Role,
)
from imaging.models import Photo, PhotoBatch, PhotoKind
from notices import help as help_centre
from notices.models import FeedbackSheet, Notice, NoticeAttachment, NoticeState, NoticeTask
from portal.lib.models import Job, JobState
from records.models import (
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    OnlineReport,
)
from records.online_reports.services import code_generate
from tests import factories

PERSONAS = [
    "anonymous", "alice", "bob", "carol", "dave", "counselor", "college_staff",
    "other_college_staff", "registrar", "reviewer", "other_registrar", "admin",
]  # fmt: skip

# url name -> (path kwarg, object kind, attribute that goes in the URL[, fixed kwargs])
TARGETS = {
    "accounts:identity_request_detail": ("pk", "identity_request", "pk"),
    "accounts:identity_image": ("token", "identity_request", "token", {"side": "front"}),
    "accounts:assist_decide": ("pk", "assist", "pk"),
    "accounts:identity_claim_detail": ("pk", "claim", "pk"),
    "accounts:claim_object": ("pk", "own_claim", "pk"),
    "accounts:claim_confirm": ("pk", "own_claim", "pk"),
    "records:record_detail": ("pk", "record", "pk"),
    "records:record_confirm": ("pk", "record", "pk"),
    "records:discrepancy_create": ("pk", "record", "pk"),
    "records:record_edit": ("pk", "record", "pk"),
    "records:discrepancy_withdraw": ("pk", "report", "pk"),
    "records:discrepancy_detail": ("pk", "report", "pk"),
    "records:evidence_file": ("token", "evidence", "token"),
    "records:class_detail": ("pk", "class", "pk"),
    "imaging:photo_file": ("token", "photo", "token"),
    "imaging:photo_thumbnail": ("token", "photo", "token"),
    "imaging:photo_confirm": ("token", "own_photo", "token"),
    "imaging:photo_dispute": ("token", "own_photo", "token"),
    "imaging:photo_rate": ("token", "own_photo", "token"),
    "imaging:photo_upload": ("pk", "record", "pk"),
    "imaging:batch_detail": ("pk", "batch", "pk"),
    "portal:job_detail": ("pk", "job", "pk"),
    "portal:job_status": ("pk", "job", "pk"),
    "portal:job_download": ("pk", "job", "pk"),
    "notices:notice_detail": ("pk", "notice", "pk"),
    "notices:attachment_file": ("token", "attachment", "token"),
    "notices:help_detail": ("slug", "help", "slug"),
    "notices:notice_manage": ("pk", "managed_notice", "pk"),
    "notices:notice_edit": ("pk", "managed_notice", "pk"),
    "notices:notice_publish": ("pk", "managed_notice", "pk"),
    "notices:notice_withdraw": ("pk", "managed_notice", "pk"),
    "notices:attachment_add": ("pk", "managed_notice", "pk"),
    "notices:attachment_delete": ("token", "managed_attachment", "token"),
    "notices:progress": ("pk", "followed_notice", "pk"),
    "notices:pending_export": ("pk", "followed_notice", "pk"),
    "notices:remind": ("pk", "followed_notice", "pk"),
    "notices:college_export": ("pk", "followed_notice", "pk"),
    "notices:sheet_detail": ("pk", "sheet", "pk"),
    "notices:sheet_remarks": ("pk", "sheet", "pk"),
    "notices:sheet_sign": ("pk", "sheet", "pk"),
    "notices:sheet_unsign": ("pk", "sheet", "pk"),
    "notices:sheet_countersign": ("pk", "sheet", "pk"),
    "notices:sheet_export": ("pk", "sheet", "pk"),
    "reports:report_list": ("record_pk", "own_record", "pk"),
    "reports:report_create": ("record_pk", "own_record", "pk"),
    "reports:report_detail": ("pk", "online_report", "pk"),
    "reports:report_extend": ("pk", "online_report", "pk"),
    "reports:report_close": ("pk", "online_report", "pk"),
    # Public by design: anyone with the code, while the report is valid.
    "reports:report_public": ("code", "public_report", "code"),
}
# Namespaces with their own guard: the Django admin checks is_staff and model permissions.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}


@dataclass
class Objects:
    """Every object of each kind in the world, for the matrix to pick from."""

    by_kind: dict[str, list] = field(default_factory=dict)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (36, 44), (200, 220, 240)).save(buffer, "JPEG")
    return buffer.getvalue()


def build_objects(world) -> Objects:
    """Add a photo per record, a record at the other institution, jobs and notices."""
    other_college = factories.college(world.other_institution)
    other_class = factories.school_class(other_college)
    _, other_record = factories.student(other_class)
    records = [
        world.alice_record, world.bob_record, world.carol_record, world.dave_record, other_record,
    ]  # fmt: skip
    photos = []
    for record in records:
        photo = Photo(record=record, kind=PhotoKind.ENROLLMENT, token=factories.token())
        photo.width, photo.height, photo.sha256 = 36, 44, "0" * 64
        photo.image.save("p.jpg", ContentFile(_jpeg()), save=False)
        photo.thumbnail.save("t.jpg", ContentFile(_jpeg()), save=False)
        photo.save()
        photos.append(photo)
    batches = [
        PhotoBatch.objects.create(
            institution=institution, kind=PhotoKind.ENROLLMENT, source="新华社"
        )
        for institution in (world.institution, world.other_institution)
    ]
    jobs = []
    for owner in (world.counselor, world.registrar, world.alice):
        job = Job.objects.create(owner=owner, kind="test", title="名单", state=JobState.SUCCEEDED)
        job.result_file.save("list.xlsx", ContentFile(b"PK\x03\x04"), save=False)
        job.result_filename = "list.xlsx"
        job.save()
        jobs.append(job)
    notices = [
        _notice(world.institution, world.registrar, NoticeState.PUBLISHED, "N-1"),
        _notice(world.institution, world.registrar, NoticeState.DRAFT, "N-2"),
        _notice(world.other_institution, world.other_registrar, NoticeState.DRAFT, "N-3"),
    ]
    classes = [world.class_a, world.class_b, world.class_other_college, other_class]
    task_notices, sheets = _task_notices(world, other_class)
    attachments = _attachments(notices + task_notices)
    requests, assists = _identity_objects(world)
    claims = _claims(world)
    reports, evidence = _reports(records)
    online_reports = _online_reports(records)
    return Objects(
        by_kind={
            "identity_request": requests,
            "report": reports,
            "evidence": evidence,
            "assist": assists,
            "claim": claims,
            "own_claim": claims,
            "record": records,
            "class": classes,
            "photo": photos,
            "own_photo": photos,
            "batch": batches,
            "job": jobs,
            "notice": notices + task_notices,
            "attachment": attachments,
            "managed_attachment": attachments,
            "managed_notice": notices + task_notices,
            "followed_notice": notices + task_notices,
            "sheet": sheets,
            "help": list(help_centre.ARTICLES),
            "own_record": records,
            "online_report": online_reports,
            "public_report": online_reports,
        }
    )


def _reports(records):
    reports, evidence = [], []
    for record in records:
        report = DiscrepancyReport.objects.create(
            record=record, user=record.user, explanation="民族有误"
        )
        DiscrepancyItem.objects.create(
            report=report, field="ethnicity", current_value="汉族", claimed_value="回族"
        )
        file = DiscrepancyEvidence(
            report=report,
            kind="hukou",
            token=factories.token(),
            extension=".jpg",
            content_type="image/jpeg",
            size=10,
        )
        file.file.save("e.jpg", ContentFile(_jpeg()), save=False)
        file.save()
        reports.append(report)
        evidence.append(file)
    return reports, evidence


def _online_reports(records) -> list[OnlineReport]:
    """A valid 学籍在线验证报告 per record, plus an expired one and a closed one."""
    now, day = timezone.now(), datetime.timedelta(days=1)
    reports = [_online_report(record, valid_until=now + 30 * day) for record in records]
    reports.append(_online_report(records[0], valid_until=now - day))
    reports.append(_online_report(records[1], valid_until=now + day, closed_at=now))
    return reports


def _online_report(record, **fields) -> OnlineReport:
    return OnlineReport.objects.create(
        record=record, user=record.user, code=code_generate(), **fields
    )


def _identity_objects(world):
    pending = factories.user(Role.STUDENT, state=AccountState.PENDING)
    requests = []
    for owner in (pending, world.bob):
        req = IdentityRequest(user=owner, kind=RequestKind.DUPLICATE_ID, token=factories.token())
        req.front_image.save("front.jpg", ContentFile(_jpeg()), save=False)
        req.back_image.save("back.jpg", ContentFile(_jpeg()), save=False)
        req.save()
        requests.append(req)
    assists = [
        ClassmateAssist.objects.create(requester=pending, classmate=world.alice),
        ClassmateAssist.objects.create(requester=pending, classmate=world.carol),
    ]
    return requests, assists


def _claims(world) -> list[IdentityClaim]:
    """An open identity claim against alice and one against bob (issue 11)."""
    claims = []
    for holder in (world.alice, world.bob):
        claimant = factories.user(
            Role.STUDENT, id_number=holder.id_number, state=AccountState.PENDING
        )
        claims.append(IdentityClaim.objects.create(claimant=claimant, holder=holder, route="facts"))
    return claims


def _notice(institution, author, state, number) -> Notice:
    return Notice.objects.create(
        institution=institution,
        number=number,
        title=f"通知{number}",
        issuing_office="教务处",
        issue_date="2026-10-23",
        body="正文",
        state=state,
        created_by=author,
    )


def _task_notices(world, other_class):
    """Notices with a task (published, draft, withdrawn, another university's) and the
    feedback sheets of their classes."""
    published = _notice(world.institution, world.registrar, NoticeState.PUBLISHED, "T-1")
    draft = _notice(world.institution, world.registrar, NoticeState.DRAFT, "T-2")
    withdrawn = _notice(world.institution, world.registrar, NoticeState.WITHDRAWN, "T-3")
    other = _notice(world.other_institution, world.other_registrar, NoticeState.PUBLISHED, "T-4")
    for notice in (published, draft, withdrawn, other):
        notice.task = NoticeTask.BOTH
        notice.save()
    sheets = [
        FeedbackSheet.objects.create(notice=published, school_class=klass)
        for klass in (world.class_a, world.class_b, world.class_other_college)
    ]
    sheets.append(FeedbackSheet.objects.create(notice=withdrawn, school_class=world.class_a))
    sheets.append(FeedbackSheet.objects.create(notice=other, school_class=other_class))
    return [published, draft, withdrawn, other], sheets


def _attachments(notices) -> list[NoticeAttachment]:
    """A public and a private attachment on every notice."""
    attachments = []
    for notice in notices:
        for is_public in (True, False):
            attachment = NoticeAttachment(
                notice=notice,
                title="附件",
                token=factories.token(),
                extension=".pdf",
                content_type="application/pdf",
                is_public=is_public,
                size=8,
            )
            attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
            attachment.save()
            attachments.append(attachment)
    return attachments


# Kinds whose visibility is their parent's: the attribute that leads there is its name.
PARENT = {"evidence": "report", "report": "record", "photo": "record"}


# Kinds that belong to one person whatever their role: the attribute that names them.
OWNER = {
    "job": "owner_id",  # a job and its result file belong to whoever started it, alone
    "assist": "classmate_id",  # only the classmate asked may answer
    "own_claim": "holder_id",  # only the holder answers a claim against her account
    "own_record": "user_id",  # pages only the bound student needs (online reports)
    "online_report": "record.user_id",  # the record's student alone: not staff, not admins
    "own_photo": "record.user_id",  # 图像校对 is the student's own act: not staff, not admins
}


def may_see(world, persona: str, kind: str, obj) -> bool:
    """The specification: may this persona see this object?"""
    user = world.persona(persona)
    public = _public(kind, obj)
    if public is not None:
        return public
    if user is None:
        return False
    if kind in OWNER:
        return attrgetter(OWNER[kind])(obj) == user.pk
    if kind in ("identity_request", "claim"):
        # a claim shows both accounts side by side: the reviewers' page only
        owner = kind == "identity_request" and obj.user_id == user.pk
        return owner or user.is_superuser or user.role == Role.IDENTITY_REVIEWER
    if kind in NOTICE_KINDS:
        return _may_see_notices_kind(world, user, kind, obj)
    if user.is_superuser:
        return True
    if kind in ("notice", "managed_notice", "batch"):  # the registrar of their institution
        return user.role == Role.REGISTRAR and obj.institution_id == user.institution_id
    while kind in PARENT:  # evidence → report → record; photo → record
        kind, obj = PARENT[kind], getattr(obj, PARENT[kind])
    if kind == "class":
        return _may_see_class(world, user, obj)
    return _may_see_record(world, user, obj)


def _public(kind: str, obj) -> bool | None:
    """Kinds anyone may see, logged in or not (None: it depends on who asks)."""
    if kind == "notice" and obj.state == NoticeState.PUBLISHED:
        return True
    if kind == "help":  # the help centre is public
        return True
    if kind == "attachment" and obj.is_public and obj.notice.state == NoticeState.PUBLISHED:
        return True
    if kind == "public_report":  # anyone with the code, until it expires or is closed
        return obj.closed_at is None and obj.valid_until > timezone.now()
    return None


NOTICE_KINDS = {"attachment", "managed_attachment", "followed_notice", "sheet"}


def _may_see_notices_kind(world, user, kind: str, obj) -> bool:
    if kind == "followed_notice":  # progress exists only for a task, even for admins
        return obj.task != NoticeTask.NONE and (user.is_superuser or _may_follow(user, obj))
    if user.is_superuser:
        return True
    if kind == "sheet":
        if user.role == Role.STUDENT:  # the class monitor (班长) fills the sheet
            return obj.school_class.monitor_id == user.pk
        return _may_see_class(world, user, obj.school_class)
    return _may_see_attachment(kind, user, obj)


def _may_see_attachment(kind, user, attachment) -> bool:
    """Drafts' files: the registrar of the notice's institution. Published private files:
    the people of that institution too (its staff, its students)."""
    notice = attachment.notice
    if user.role == Role.REGISTRAR and notice.institution_id == user.institution_id:
        return True
    if kind == "managed_attachment" or notice.state != NoticeState.PUBLISHED:
        return False
    institutions = set(
        EnrollmentRecord.objects.filter(user=user).values_list("institution_id", flat=True)
    )
    return notice.institution_id in institutions | {user.institution_id}


def _may_follow(user, notice) -> bool:
    """Progress of a task: staff of the notice's institution, while it is published; the
    registrar in every state."""
    if notice.institution_id != user.institution_id:
        return False
    if user.role == Role.REGISTRAR:
        return True
    return user.role in (Role.COUNSELOR, Role.COLLEGE) and notice.state == NoticeState.PUBLISHED


def _may_see_record(world, user, record) -> bool:
    if user.role == Role.STUDENT:
        return record.user_id == user.pk
    if user.role == Role.COUNSELOR:
        return record.school_class_id == world.class_a.pk and user == world.counselor
    if user.role == Role.COLLEGE:
        return record.college_id == user.college_id
    if user.role == Role.REGISTRAR:
        return record.institution_id == user.institution_id
    return False


def _may_see_class(world, user, school_class) -> bool:
    if user.role == Role.COUNSELOR:
        return school_class == world.class_a and user == world.counselor
    if user.role == Role.COLLEGE:
        return school_class.college_id == user.college_id
    if user.role == Role.REGISTRAR:
        return school_class.institution_id == user.institution_id
    return False


def url_names(urlconf=None) -> Iterator[tuple[str, URLPattern]]:
    """Every named URL pattern, with its namespaced name."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                inner = f"{namespace}{ns}:" if ns else namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield f"{namespace}{pattern.name}", pattern

    yield from walk(get_resolver(urlconf).url_patterns, "")


def _path_kwargs(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)


@dataclass
class Violation:
    persona: str
    url: str
    status: int
    problem: str

    def __str__(self) -> str:
        return f"{self.persona} GET {self.url} -> {self.status}: {self.problem}"


def check_matrix(world, objects: Objects, client, urlconf=None) -> list[Violation]:
    """Walk every URL × persona × object and return what breaks the scope rules."""
    violations: list[Violation] = []
    secrets = _secrets_of(objects)
    for name, pattern in url_names(urlconf):
        if name in SKIPPED_NAMES:
            continue
        kwargs = _path_kwargs(pattern)
        if not kwargs:
            violations += _check_page(world, client, name, secrets, urlconf)
        elif name not in TARGETS:
            violations.append(Violation("-", name, 0, "URL takes an object but is not in TARGETS"))
        else:
            violations += _check_objects(world, objects, client, name, urlconf)
    return violations


def _login(client, world, persona):
    client.logout()
    user = world.persona(persona)
    if user is not None:
        client.force_login(user)


def _check_objects(world, objects, client, name, urlconf) -> list[Violation]:
    kwarg, kind, attribute, *fixed = TARGETS[name]
    found = []
    for persona in PERSONAS:
        _login(client, world, persona)
        for obj in objects.by_kind[kind]:
            kwargs = {kwarg: getattr(obj, attribute), **(fixed[0] if fixed else {})}
            url = reverse(name, kwargs=kwargs, urlconf=urlconf)
            response = client.get(url)
            allowed = may_see(world, persona, kind, obj)
            if not allowed and not _refused(response, persona):
                found.append(Violation(persona, url, response.status_code, f"{kind} out of scope"))
            if allowed and response.status_code not in (200, 302, 403, 405):
                found.append(Violation(persona, url, response.status_code, "in scope but broken"))
    return found


def _refused(response, persona: str) -> bool:
    # 405: a POST-only view answers a GET without looking at the object at all.
    if response.status_code in (403, 404, 405):
        return True
    redirect = response.headers.get("Location", "")
    return persona == "anonymous" and response.status_code == 302 and "/login/" in redirect


def _secrets_of(objects: Objects) -> dict:
    """Per record, strings that must not appear in a page its viewer may not see."""
    return {
        record: (record.student_number, record.id_number) for record in objects.by_kind["record"]
    }


def _check_page(world, client, name, secrets, urlconf) -> list[Violation]:
    url = reverse(name, urlconf=urlconf)
    found = []
    for persona in PERSONAS:
        _login(client, world, persona)
        response = client.get(url)
        if response.status_code >= 500:
            found.append(Violation(persona, url, response.status_code, "server error"))
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith(
            ("text/", "application/json")
        ):
            continue  # files without a path object (a blank roster template) hold no one's data
        body = response.content.decode()
        for record, values in secrets.items():
            if not may_see(world, persona, "record", record) and any(v in body for v in values):
                found.append(Violation(persona, url, 200, f"shows {record.student_number}"))
    return found
