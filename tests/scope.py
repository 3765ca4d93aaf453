"""The role × URL × object matrix: every URL of the portal, for every persona, must
answer 403 or 404 (or send the anonymous to log in) for objects outside the persona's
scope, and must not show their data in its pages.

Every URL that takes an object is driven twice per persona and object: a GET, and a
POST with the CSRF token and a plausible body (POST_DATA). Outside the scope the POST
is refused and changes nothing (no row added or removed, the object's row as it was);
inside, no 403/404 where the persona may act (MAY_ACT), and some POST in scope acts.
A 405 is never a refusal by itself. Each request runs in a savepoint rolled back after
it, so every one sees the same world.

What a persona may see is written here from the world's structure, independently of
the `visible_to` methods it checks. A URL that takes an object in its path and is not
listed in TARGETS fails the check, and so does one that takes a POST and is not in
POST_DATA: views added later cannot slip through.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from operator import attrgetter

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from accounts.models import (
    AccountState,
    ClaimState,
    ClassmateAssist,
    IdentityClaim,
    IdentityRequest,
    RejectReason,
    RequestKind,
    Role,
)
from imaging.models import (
    DisputeReason,
    Photo,
    PhotoBatch,
    PhotoKind,
    PhotoState,
    PhotoVerification,
)
from notices import help as help_centre
from notices.models import (
    SATISFACTION_ITEMS,
    FeedbackSheet,
    Notice,
    NoticeAttachment,
    NoticeState,
    NoticeTask,
)
from notices.services.sheets import sheet_sign
from portal.lib.models import Job, JobState, ThrottleCounter
from records import progress
from records.forms import RecordEditForm
from records.models import (
    Category,
    DegreeRecord,
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Level,
    OnlineReport,
    ReportState,
    StudyForm,
)
from records.online_reports.services import code_generate
from tests import factories
from tests.notices.notice_forms import notice_data

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
    "records:degree_detail": ("pk", "own_degree", "pk"),
    "records:degree_confirm": ("pk", "own_degree", "pk"),
    "records:degree_report": ("pk", "own_degree", "pk"),
    "records:prior_degree_bind": ("pk", "record", "pk"),
    "imaging:photo_file": ("token", "photo", "token"),
    "imaging:photo_thumbnail": ("token", "photo", "token"),
    "imaging:photo_confirm": ("token", "own_photo", "token"),
    "imaging:photo_dispute": ("token", "own_photo", "token"),
    "imaging:photo_rate": ("token", "own_photo", "token"),
    "imaging:photo_upload": ("pk", "record", "pk"),
    "imaging:dispute_close": ("token", "disputed_photo", "token"),
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
    "notices:required_list": ("pk", "followed_notice", "pk"),
    "notices:required_export": ("pk", "followed_notice", "pk"),
    "notices:remind": ("pk", "followed_notice", "pk"),
    "notices:remind_unreachable_export": ("pk", "followed_notice", "pk"),
    "notices:college_export": ("pk", "followed_notice", "pk"),
    "notices:sheet_detail": ("pk", "sheet", "pk"),
    "notices:sheet_remarks": ("pk", "sheet", "pk"),
    "notices:sheet_sign": ("pk", "sheet", "pk"),
    "notices:sheet_unsign": ("pk", "sheet", "pk"),
    "notices:sheet_countersign": ("pk", "sheet", "pk"),
    "notices:sheet_export": ("pk", "sheet", "pk"),
    "notices:satisfaction_form": ("pk", "evaluated_notice", "pk"),
    "notices:satisfaction_results": ("pk", "followed_notice", "pk"),
    "notices:satisfaction_export": ("pk", "followed_notice", "pk"),
    "reports:report_list": ("record_pk", "own_record", "pk"),
    "reports:report_create": ("record_pk", "own_record", "pk"),
    "reports:report_detail": ("pk", "online_report", "pk"),
    "reports:report_extend": ("pk", "online_report", "pk"),
    "reports:report_close": ("pk", "online_report", "pk"),
    "reports:degree_report_create": ("degree_pk", "own_degree", "pk"),
    # Public by design: anyone with the code, while the report is valid.
    "reports:report_public": ("code", "public_report", "code"),
}


class Reads:
    """In POST_DATA: the view answers a POST as it answers a GET, acting on nothing. Its
    POSTs are driven all the same (outside the scope: refused, nothing changed)."""

    def __repr__(self) -> str:
        return "READS"


READS = Reads()


def _record_edit(world, record) -> dict:
    """The registrar's form as the page shows it, with one value typed over it."""
    form = RecordEditForm(record=record)
    data = {name: form[name].value() or "" for name in form.fields}
    return {
        **data,
        "ethnicity": "回族" if record.ethnicity != "回族" else "汉族",
        "reason": "核对户口本",
    }


def _discrepancy(world, record) -> dict:
    return {
        "wrong_ethnicity": "on",
        "value_ethnicity": "回族",
        "explanation": "民族有误",
        "kind_0": "hukou",
        "file_0": _upload("hukou.jpg", _jpeg((120, 80))),
    }


def _degree_report(world, degree) -> dict:
    # 专业 is checked by the office on its own files: no evidence asked.
    return {"wrong_major_name": "on", "value_major_name": "会计学（注册会计师方向）"}


def _remark(world, sheet) -> dict:
    record = EnrollmentRecord.objects.filter(school_class=sheet.school_class).first()
    return {f"remark_{record.pk}": "已与本人核对"} if record else {}


def _photo_upload(world, record) -> dict:
    return {"kind": PhotoKind.ENROLLMENT, "file": _upload("photo.jpg", _jpeg((600, 800)))}


def _attachment(world, notice) -> dict:
    return {"title": "操作指南", "file": _upload("guide.pdf", _pdf()), "is_public": "on"}


def _notice_edit(world, notice) -> dict:
    return notice_data(number=notice.number, reason="更正截止时间")


# url name -> the body of a POST to it: a dict, a function (world, object) -> dict, or
# READS. A URL of TARGETS that takes a POST and is missing here fails the matrix.
POST_DATA = {
    "accounts:identity_request_detail": {
        "decision": "reject", "reason": RejectReason.UNCLEAR, "note": "请重新拍摄",
    },
    "accounts:identity_image": READS,
    "accounts:assist_decide": {"confirm": "no"},
    "accounts:identity_claim_detail": {"decision": "reject", "note": "两个账号不是同一人"},
    "accounts:claim_object": {},
    "accounts:claim_confirm": {"password": factories.PASSWORD},
    "records:record_detail": READS,
    "records:record_confirm": {},
    "records:discrepancy_create": _discrepancy,
    "records:record_edit": _record_edit,
    "records:discrepancy_withdraw": {},
    "records:discrepancy_detail": {"decision": "reject", "note": "材料不足"},
    "records:evidence_file": READS,
    "records:class_detail": READS,
    "records:degree_detail": READS,
    "records:degree_confirm": {},
    "records:degree_report": _degree_report,
    "records:prior_degree_bind": lambda world, record: _prior_degree_facts(record),
    "imaging:photo_file": READS,
    "imaging:photo_thumbnail": READS,
    "imaging:photo_confirm": {},
    "imaging:photo_dispute": {
        "reason": DisputeReason.POOR_QUALITY, "comment": "照片模糊", "confirmed": "1",
    },
    "imaging:photo_rate": {"rating": 4, "comment": "清晰"},
    "imaging:photo_upload": _photo_upload,
    "imaging:dispute_close": {"reason": "已在图像采集点重新采集"},
    "imaging:batch_detail": READS,
    "portal:job_detail": READS,
    "portal:job_status": READS,
    "portal:job_download": READS,
    "notices:notice_detail": READS,
    "notices:attachment_file": READS,
    "notices:help_detail": READS,
    "notices:notice_manage": READS,
    "notices:notice_edit": _notice_edit,
    "notices:notice_publish": {},
    "notices:notice_withdraw": {"reason": "通知有误，重新发布"},
    "notices:attachment_add": _attachment,
    "notices:attachment_delete": {},
    "notices:progress": READS,
    "notices:pending_export": READS,
    "notices:required_list": READS,
    "notices:required_export": READS,
    "notices:remind": {},
    "notices:remind_unreachable_export": READS,
    # No college: the college's staff export their own (a registrar is asked to choose).
    "notices:college_export": {},
    "notices:sheet_detail": READS,
    "notices:sheet_remarks": _remark,
    "notices:sheet_sign": {"acknowledged": "1"},
    "notices:sheet_unsign": {},
    "notices:sheet_countersign": {"opinion": "同意"},
    "notices:sheet_export": READS,
    "notices:satisfaction_form": lambda world, notice: {
        **{name: 4 for name in SATISFACTION_ITEMS}, "words": "很好",
    },
    "notices:satisfaction_results": READS,
    "notices:satisfaction_export": READS,
    "reports:report_list": READS,
    "reports:report_create": {"months": 3},
    "reports:report_detail": READS,
    "reports:report_extend": {"months": 1},
    "reports:report_close": {},
    "reports:degree_report_create": {"months": 3},
    "reports:report_public": READS,
}  # fmt: skip


def may_act(world, persona: str, name: str, obj) -> bool:
    """Among those who may see the object, who may POST to the URL: where the answer is
    no, a 403 is right; elsewhere in scope a 403 is a view refusing its own users."""
    rule = MAY_ACT.get(name)
    return rule is None or rule(world.persona(persona))


def _roles(*roles: str, admins: bool = True):
    return lambda user: user.role in roles or (admins and user.is_superuser)


# url name -> who, among those who may see the object, may act on it (default: all).
MAY_ACT = {
    "accounts:identity_request_detail": _roles(Role.IDENTITY_REVIEWER),  # not its owner
    "records:record_confirm": _roles(Role.STUDENT, admins=False),
    "records:discrepancy_create": _roles(Role.STUDENT, admins=False),
    "records:discrepancy_withdraw": _roles(Role.STUDENT, admins=False),
    "records:degree_confirm": _roles(Role.STUDENT, admins=False),
    "records:degree_report": _roles(Role.STUDENT, admins=False),
    "records:record_edit": _roles(Role.REGISTRAR),
    "records:prior_degree_bind": _roles(Role.STUDENT, admins=False),
    "records:discrepancy_detail": _roles(Role.REGISTRAR),
    "imaging:photo_upload": _roles(Role.REGISTRAR),
    "imaging:dispute_close": _roles(Role.REGISTRAR),
    "notices:college_export": _roles(Role.COLLEGE, Role.REGISTRAR),
    "notices:satisfaction_results": _roles(Role.COLLEGE, Role.REGISTRAR),  # not counselors
    "notices:satisfaction_export": _roles(Role.COLLEGE, Role.REGISTRAR),
    "notices:sheet_remarks": _roles(Role.STUDENT, Role.COUNSELOR),  # the monitor fills it
    "notices:sheet_sign": _roles(Role.COUNSELOR),
    "notices:sheet_unsign": _roles(Role.COUNSELOR),
    "notices:sheet_countersign": _roles(Role.COLLEGE),  # the college's leader
}


# Namespaces with their own guard: the Django admin checks is_staff and model permissions.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}


@dataclass
class Objects:
    """Every object of each kind in the world, for the matrix to pick from."""

    by_kind: dict[str, list] = field(default_factory=dict)


def _jpeg(size=(36, 44)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(buffer, "JPEG")
    return buffer.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _photo(record, kind: str, state: str = PhotoState.UNVERIFIED) -> Photo:
    photo = Photo(record=record, kind=kind, state=state, token=factories.token())
    photo.width, photo.height, photo.sha256 = 36, 44, "0" * 64
    photo.image.save("p.jpg", ContentFile(_jpeg()), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(_jpeg()), save=False)
    photo.save()
    return photo


def build_objects(world) -> Objects:
    """Add a photo per record, a record at the other institution, jobs and notices."""
    other_college = factories.college(world.other_institution)
    other_class = factories.school_class(other_college)
    _, other_record = factories.student(other_class)
    records = [
        world.alice_record, world.bob_record, world.carol_record, world.dave_record, other_record,
    ]  # fmt: skip
    photos = [_photo(record, PhotoKind.ENROLLMENT) for record in records]
    # A 学历照片 each student reported 有误, for the registrar to close without a new one.
    disputed = [_photo(record, PhotoKind.DIPLOMA, PhotoState.DISPUTED) for record in records]
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
    degrees = _degrees(world, records)
    reports, evidence = _reports(records, degrees)
    online_reports = _online_reports(records) + _degree_reports(degrees)
    _acted_on(world, photos, sheets, claims)
    _prior_degrees(records)
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
            "disputed_photo": disputed,
            "batch": batches,
            "job": jobs,
            "notice": notices + task_notices,
            "attachment": attachments,
            "managed_attachment": attachments,
            "managed_notice": notices + task_notices,
            "followed_notice": notices + task_notices,
            "evaluated_notice": notices + task_notices,
            "sheet": sheets,
            "help": list(help_centre.ARTICLES),
            "own_record": records,
            "own_degree": degrees,
            "online_report": online_reports,
            "public_report": online_reports,
        }
    )


def _prior_degrees(records) -> None:
    """A 专科 degree of each record's person, for 绑定专科学历 (专升本) to find."""
    for n, record in enumerate(records):
        DegreeRecord.objects.create(
            institution=record.institution,
            certificate_number=f"{record.institution.code}12018060{n:05d}",
            name=record.name,
            sex=record.sex,
            birth_date=record.birth_date,
            id_number=record.id_number,
            major_name="会计",
            level=Level.JUNIOR_COLLEGE,
            category=Category.REGULAR,
            study_form=StudyForm.REGULAR_FULL_TIME,
            graduation_date=datetime.date(2018, 6, 30),
        )


def _prior_degree_facts(record) -> dict:
    degree = DegreeRecord.objects.get(id_number=record.id_number, level=Level.JUNIOR_COLLEGE)
    return {
        "certificate_number": degree.certificate_number,
        "graduation_year": 2018,
        "school": record.institution.code,
    }


def _acted_on(world, photos, sheets, claims) -> None:
    """States a POST needs to act, beside the fresh ones: carol's report decided (she may
    confirm her record or report again) and her photo confirmed (she may rate it), class
    A's sheet of the published notice signed (the counselor may take it back, the college
    countersign it), bob's claim disputed (the reviewers decide it), dave's photo confirmed
    and his diploma's dispute closed (with his 有误 filed, his task is done: he may answer
    the satisfaction evaluation)."""
    DiscrepancyReport.objects.filter(record=world.carol_record).update(state=ReportState.REJECTED)
    progress.refresh([world.carol_record.pk])  # an update() sends no signal
    carol_photo = next(photo for photo in photos if photo.record_id == world.carol_record.pk)
    PhotoVerification.objects.create(
        photo=carol_photo, user=world.carol, result=PhotoState.CONFIRMED
    )
    Photo.objects.filter(pk=carol_photo.pk).update(state=PhotoState.CONFIRMED)
    dave_photo = next(photo for photo in photos if photo.record_id == world.dave_record.pk)
    PhotoVerification.objects.create(photo=dave_photo, user=world.dave, result=PhotoState.CONFIRMED)
    Photo.objects.filter(pk=dave_photo.pk).update(state=PhotoState.CONFIRMED)
    # His diploma photo's 有误, closed by the registrar: a dispute left open is a photo to
    # re-collect, and his task would not be done (notices.done).
    Photo.objects.filter(
        record=world.dave_record, kind=PhotoKind.DIPLOMA, state=PhotoState.DISPUTED
    ).update(dispute_closed_at=timezone.now())
    sheet_sign(sheet=sheets[0], by=world.counselor, acknowledged=True)
    IdentityClaim.objects.filter(pk=claims[1].pk).update(state=ClaimState.DISPUTED)


def _degrees(world, records) -> list[DegreeRecord]:
    """A 学历 of each record, and one of a 往届毕业生 with no 学籍 here, counted under
    dave's college (经管学院)."""
    degrees = [factories.degree(record.institution, record=record) for record in records]
    graduate = factories.user(Role.STUDENT, real_name="孙雅", id_number=factories.id_number())
    degrees.append(
        factories.degree(world.institution, owner=graduate, college=world.dave_record.college)
    )
    return degrees


def _reports(records, degrees):
    """A 有误 report of each record, and of the degrees of dave, of the other institution's
    student and of the 往届毕业生 (alice's, bob's and carol's are left to confirm or report)."""
    reports, evidence = [], []
    subjects = [{"record": record} for record in records]
    subjects += [{"degree": degree} for degree in degrees[3:]]
    for subject in subjects:
        owner = next(iter(subject.values())).user
        report = DiscrepancyReport.objects.create(**subject, user=owner, explanation="民族有误")
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


def _degree_reports(degrees) -> list[OnlineReport]:
    """A valid 学历证书电子注册备案表 per degree, plus a closed one."""
    now, day = timezone.now(), datetime.timedelta(days=1)
    reports = [_degree_report(each, valid_until=now + 30 * day) for each in degrees]
    reports.append(_degree_report(degrees[0], valid_until=now + day, closed_at=now))
    return reports


def _degree_report(degree_record, **fields) -> OnlineReport:
    return OnlineReport.objects.create(
        degree=degree_record, user=degree_record.user, code=code_generate(), **fields
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
PARENT = {"evidence": "report", "report": "record", "photo": "record", "disputed_photo": "record"}


# Kinds that belong to one person whatever their role: the attribute that names them.
OWNER = {
    "job": "owner_id",  # a job and its result file belong to whoever started it, alone
    "assist": "classmate_id",  # only the classmate asked may answer
    "own_claim": "holder_id",  # only the holder answers a claim against her account
    "own_record": "user_id",  # pages only the bound student needs (online reports)
    "own_degree": "user_id",  # her 学历信息, 正确, 有误 and 学历证书电子注册备案表
    # the student of its record or degree alone: not staff, not admins
    "online_report": "subject.user_id",
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
    return _may_see_by_parent(world, user, kind, obj)


def _may_see_by_parent(world, user, kind: str, obj) -> bool:
    """Evidence → report → record (or degree); photo → record; a class as itself."""
    while kind in PARENT:
        if kind == "report" and obj.degree_id:
            return _may_see_degree(world, user, obj.degree)
        kind, obj = PARENT[kind], getattr(obj, PARENT[kind])
    if kind == "class":
        return _may_see_class(world, user, obj)
    return _may_see_record(world, user, obj)


def _public(kind: str, obj) -> bool | None:
    """Kinds anyone may see, logged in or not (None: it depends on who asks)."""
    if kind == "notice" and obj.state == NoticeState.PUBLISHED:
        return True
    if kind == "notice" and obj.state == NoticeState.WITHDRAWN:
        return True  # its withdrawal and reason, not its body (issue 15)
    if kind == "help":  # the help centre is public
        return True
    if kind == "attachment" and obj.is_public and obj.notice.state == NoticeState.PUBLISHED:
        return True
    if kind == "public_report":  # anyone with the code, until it expires or is closed
        return obj.closed_at is None and obj.valid_until > timezone.now()
    return None


NOTICE_KINDS = {"attachment", "managed_attachment", "followed_notice", "sheet", "evaluated_notice"}


def _may_see_notices_kind(world, user, kind: str, obj) -> bool:
    if kind == "evaluated_notice":
        return _may_evaluate(user, obj)
    if kind == "followed_notice":  # progress exists only for a task, even for admins
        return obj.task != NoticeTask.NONE and (user.is_superuser or _may_follow(user, obj))
    if user.is_superuser:
        return True
    if kind == "sheet":
        if user.role == Role.STUDENT:  # the class monitor (班长) fills the sheet
            return obj.school_class.monitor_id == user.pk
        return _may_see_class(world, user, obj.school_class)
    return _may_see_attachment(kind, user, obj)


def _may_evaluate(user, notice) -> bool:
    """The satisfaction evaluation of a notice: a student with a record of hers in its
    audience (the world's notices have no audience rule: their whole institution), while
    it is published, for a task. Nobody else, admins neither."""
    if user.role != Role.STUDENT or notice.state != NoticeState.PUBLISHED:
        return False
    if notice.task == NoticeTask.NONE or notice.audience.exists():
        return False
    mine = EnrollmentRecord.objects.filter(user=user, institution_id=notice.institution_id)
    return mine.exists()


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


def _may_see_degree(world, user, degree) -> bool:
    """A 学历 (its reports): the holder; the counselor of its 学籍's class; the staff of
    the college it counts under; the registrar of its institution."""
    if user.role == Role.STUDENT:
        return degree.user_id == user.pk
    if user.role == Role.COUNSELOR:
        record = degree.enrollment_record
        return record is not None and record.school_class_id == world.class_a.pk
    if user.role == Role.COLLEGE:
        return degree.college_id is not None and degree.college_id == user.college_id
    if user.role == Role.REGISTRAR:
        return degree.institution_id == user.institution_id
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
    method: str = "GET"

    def __str__(self) -> str:
        return f"{self.persona} {self.method} {self.url} -> {self.status}: {self.problem}"


def csrf_refused(request, reason: str = ""):
    """The CSRF failure view while the matrix runs: a status of its own, so that a POST
    refused for its token is never mistaken for a POST refused for its scope."""
    return HttpResponse(f"CSRF: {reason}", status=CSRF_REFUSED)


CSRF_REFUSED = 419


def check_matrix(world, objects: Objects, urlconf=None) -> list[Violation]:
    """Walk every URL × persona × object, GET and POST, and return what breaks the rules."""
    violations: list[Violation] = []
    secrets = _secrets_of(objects)
    with override_settings(CSRF_FAILURE_VIEW=f"{__name__}.csrf_refused"):
        clients = {persona: _client(world, persona, urlconf) for persona in PERSONAS}
        ledger = Ledger()
        for name, pattern in url_names(urlconf):
            if name in SKIPPED_NAMES:
                continue
            kwargs = _path_kwargs(pattern)
            if not kwargs:
                violations += _check_page(world, clients, name, secrets, urlconf)
            elif name not in TARGETS:
                problem = "URL takes an object but is not in TARGETS"
                violations.append(Violation("-", name, 0, problem))
            else:
                violations += _check_objects(world, objects, clients, name, urlconf)
                violations += _check_posts(world, objects, clients, ledger, name, urlconf)
    return violations


def _client(world, persona: str, urlconf) -> Client:
    """A client held to CSRF as a browser is, logged in as the persona, holding the CSRF
    cookie of the first page (every page carries a form with the token)."""
    client = Client(enforce_csrf_checks=True)
    user = world.persona(persona)
    if user is not None:
        client.force_login(user)
    client.get(reverse(TOKEN_PAGE, urlconf=urlconf))
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        raise AssertionError(f"{TOKEN_PAGE} set no CSRF cookie: the matrix cannot POST")
    return client


# The page a persona opens first, for the CSRF cookie.
TOKEN_PAGE = "home"


@dataclass
class Probe:
    response: HttpResponse
    changed: bool  # rows were added or removed, or the object's own row changed


def _probe(client, method: str, url: str, obj=None, data=None, ledger=None) -> Probe:
    """One request, in a savepoint that is rolled back afterwards, with the client's
    cookies put back: every probe sees the same world, whatever the one before did (a
    sheet signed, an account given away and its session ended)."""
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    if ledger is not None:
        ledger.remember(obj)
    with transaction.atomic():
        if method == "POST":
            token = cookies[settings.CSRF_COOKIE_NAME]
            response = client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})
        else:
            response = client.get(url)
        changed = ledger is not None and ledger.changed(obj)
        transaction.set_rollback(True)
    client.cookies = SimpleCookie()
    for key, value in cookies.items():
        client.cookies[key] = value
    return Probe(response, changed)


class Ledger:
    """What the database holds between probes: the number of rows of every table, and
    the row of each object. Every probe is rolled back, so the world is the same before
    each one; what a POST leaves different, it changed (a refused POST: no AuditEvent, no
    job, no change of its object's row). One query for the counts a POST, whatever the
    number of tables (and none for the state before it)."""

    def __init__(self):
        # Not the sessions (a request may touch its own) nor the throttle's counters (a
        # refused lookup is counted: that is the defence, not a change).
        skipped = {Session, ThrottleCounter}
        tables = sorted(
            {
                model._meta.db_table
                for model in apps.get_models(include_auto_created=True)
                if model._meta.managed and not model._meta.proxy and model not in skipped
            }
        )
        quote = connection.ops.quote_name
        counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
        self.sql = f"SELECT {counts}"
        self.counts = self._counts()
        self.rows: dict = {}

    def _counts(self) -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(self.sql)
            return tuple(cursor.fetchone())

    @staticmethod
    def _key(obj):
        return (type(obj), obj.pk) if isinstance(obj, Model) else None

    @staticmethod
    def _row(obj) -> list:
        return list(type(obj)._base_manager.filter(pk=obj.pk).values())

    def remember(self, obj) -> None:
        key = self._key(obj)
        if key is not None and key not in self.rows:
            self.rows[key] = self._row(obj)

    def changed(self, obj) -> bool:
        if self._counts() != self.counts:
            return True
        key = self._key(obj)
        return key is not None and self._row(obj) != self.rows[key]


def _urls(objects, name, urlconf) -> Iterator[tuple[object, str]]:
    kwarg, kind, attribute, *fixed = TARGETS[name]
    for obj in objects.by_kind[kind]:
        kwargs = {kwarg: getattr(obj, attribute), **(fixed[0] if fixed else {})}
        yield obj, reverse(name, kwargs=kwargs, urlconf=urlconf)


def _check_objects(world, objects, clients, name, urlconf) -> list[Violation]:
    """GET: outside the scope a refusal; inside, the page (or a 405 of a POST-only view,
    whose POST _check_posts drives)."""
    kind = TARGETS[name][1]
    found = []
    for persona in PERSONAS:
        for obj, url in _urls(objects, name, urlconf):
            response = _probe(clients[persona], "GET", url).response
            status = response.status_code
            allowed = may_see(world, persona, kind, obj)
            if not allowed and not _refused(response, persona) and status != 405:
                found.append(Violation(persona, url, status, f"{kind} out of scope"))
            elif allowed and (status not in (200, 302, 403, 405) or _sent_to_log_in(response)):
                found.append(Violation(persona, url, status, "in scope but broken"))
    return found


def _check_posts(world, objects, clients, ledger, name, urlconf) -> list[Violation]:
    """POST, with the CSRF token and a plausible body (POST_DATA): outside the scope a
    refusal that changes nothing; inside, no 403/404 where the persona may act; and at
    least one POST in scope acts, or the body never reached past the form."""
    if name not in POST_DATA:
        return _check_unlisted_post(world, objects, clients, name, urlconf)
    body = POST_DATA[name]
    reads = isinstance(body, Reads)
    found, acted = [], False
    for persona in PERSONAS:
        for obj, url in _urls(objects, name, urlconf):
            data = {} if reads else body(world, obj) if callable(body) else body
            probe = _probe(clients[persona], "POST", url, obj, data, ledger)
            problems = _post_problems(world, persona, name, obj, probe, reads)
            status = probe.response.status_code
            found += [Violation(persona, url, status, p, method="POST") for p in problems]
            in_scope = may_see(world, persona, TARGETS[name][1], obj)
            acted = acted or (in_scope and probe.changed and not problems)
    if not reads and not acted:
        problem = "no POST in scope changed anything: POST_DATA does not reach the action"
        found.append(Violation("-", name, 0, problem, method="POST"))
    return found


def _post_problems(world, persona, name, obj, probe, reads: bool) -> list[str]:
    response, kind = probe.response, TARGETS[name][1]
    status = response.status_code
    if status == CSRF_REFUSED:
        return ["CSRF token refused: the matrix did not reach the view"]
    if not may_see(world, persona, kind, obj):
        problems = [] if _refused(response, persona) else [f"{kind} out of scope"]
        if probe.changed:
            problems.append(f"{kind} out of scope, and the database changed")
        return problems
    if status == 404 or status >= 500 or _sent_to_log_in(response):
        return ["in scope but broken"]
    if status == 405 and not reads:
        return ["in POST_DATA but answers 405"]
    if status == 403 and may_act(world, persona, name, obj):
        return ["in scope, may act, but refused"]
    return []


def _check_unlisted_post(world, objects, clients, name, urlconf) -> list[Violation]:
    """A view not in POST_DATA must not take a POST at all (405): one that does is
    reported, so that a POST view added later cannot slip past the matrix."""
    for persona in PERSONAS:
        for _obj, url in _urls(objects, name, urlconf):
            response = _probe(clients[persona], "POST", url).response
            if response.status_code != 405 and not _refused(response, persona):
                problem = "accepts POST but is not in POST_DATA"
                return [Violation(persona, url, response.status_code, problem, method="POST")]
    return []


def _refused(response, persona: str) -> bool:
    if response.status_code in (403, 404):
        return True
    return persona == "anonymous" and _sent_to_log_in(response)


def _sent_to_log_in(response) -> bool:
    """The guard's redirect to log in (with where to come back), not a view's own "log in
    again" after it ended the session (claim_confirm)."""
    redirect = response.headers.get("Location", "")
    return response.status_code == 302 and "/login/" in redirect and "next=" in redirect


def _secrets_of(objects: Objects) -> dict:
    """Per record, strings that must not appear in a page its viewer may not see."""
    return {
        record: (record.student_number, record.id_number) for record in objects.by_kind["record"]
    }


def _check_page(world, clients, name, secrets, urlconf) -> list[Violation]:
    url = reverse(name, urlconf=urlconf)
    found = []
    for persona in PERSONAS:
        response = _probe(clients[persona], "GET", url).response
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
