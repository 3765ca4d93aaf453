"""Demo notices (通知), published, draft and withdrawn, and the feedback sheets (反馈表) of
the record check, written through the notice and sheet services."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import Role
from notices.models import (
    FeedbackSheet,
    Notice,
    NoticeAudience,
    NoticeContact,
    NoticeState,
    NoticeTask,
)
from notices.services.notices import (
    AudienceRule,
    Contact,
    notice_create,
    notice_publish,
    notice_withdraw,
)
from notices.services.sheets import sheet_countersign, sheet_remarks_save, sheet_sign, sheets_sync
from portal.demo.constants import (
    GRADUATION_YEAR,
    NEW_COHORT,
    REGISTRAR_OFFICE,
    REGISTRAR_PHONE,
)
from portal.demo.plan import DemoPlan, chinese_date

if TYPE_CHECKING:
    from portal.demo.write import _Written


# Words the demo monitor added to rows of her class's sheet, by seat.
MONITOR_REMARKS = {
    3: "注册时提示“证件号码已被注册”，已请学籍科协助处理。",
    2: "本人在外地参加技能竞赛集训，已电话通知按时自查。",
}


def write_feedback_sheets(plan: DemoPlan, done: _Written) -> None:
    """反馈表 of the record check (seed 004), through the sheet services: the monitor's
    remarks on her class's sheet (still open, for the monitor log-in to fill in), the demo
    counselor's other classes signed, and one of them countersigned by the college."""
    notice = done.notices["record"]
    sheets_sync(notice=notice)
    sheets = {
        s.school_class_id: s
        for s in FeedbackSheet.objects.filter(notice=notice).select_related("notice")
    }
    monitor = done.accounts[plan.monitors[0]]
    texts = {
        done.records[i].pk: MONITOR_REMARKS[p.seat]
        for i, p in enumerate(plan.students)
        if p.klass == 0 and p.seat in MONITOR_REMARKS
    }
    sheet_remarks_save(sheet=sheets[done.classes[0].pk], texts=texts, by=monitor)
    # The demo counselor's other classes first, then other counselors' 2023级 classes.
    counselor_of = {i: s for s in plan.staff if s.role == Role.COUNSELOR for i in s.classes}
    new_classes = [i for i, c in enumerate(plan.classes) if not c.graduating and i != 0]
    new_classes.sort(key=lambda i: counselor_of[i].username != "counselor")
    signed = new_classes[:3]
    for index in signed:
        # Mid-campaign: signed knowing that some students have not checked yet.
        sheet_sign(
            sheet=sheets[done.classes[index].pk],
            by=done.staff[counselor_of[index].username],
            acknowledged=True,
        )
    if signed:
        college = plan.classes[signed[0]].college
        leader = "college" if college == "01" else f"xy{college}"
        sheet_countersign(
            sheet=sheets[done.classes[signed[0]].pk],
            by=done.staff[leader],
            opinion="情况属实，同意上报。",
        )


def write_notices(done: _Written) -> None:
    today = timezone.localdate(done.now)
    registrar, institution = done.staff["registrar"], done.org.institution
    specs = (("record", _record_check_notice(today)), ("photo", _photo_check_notice(today)))
    for key, (fields, audience) in specs:
        notice = Notice.objects.create(
            institution=institution,
            issuing_office="教务处",
            drafted_by="学籍科",
            signed_by="熊志远",
            contacts=f"{REGISTRAR_OFFICE}，电话 {REGISTRAR_PHONE}",
            state=NoticeState.PUBLISHED,
            published_at=fields["window_start"],
            created_by=registrar,
            **fields,
        )
        NoticeAudience.objects.create(notice=notice, **audience)
        NoticeContact.objects.bulk_create(
            NoticeContact(notice=notice, office=c.office, room=c.room, phone=c.phone)
            for c in NOTICE_CONTACTS
        )
        done.notices[key] = notice
    _write_draft_and_withdrawn_notices(today, done)


# Seed 000: 教务处学籍科，办公楼一楼学籍管理室; seed 004: 教务处214室, a teacher and a phone.
NOTICE_CONTACTS = (
    Contact("教务处学籍科", "办公楼一楼学籍管理室", REGISTRAR_PHONE),
    Contact("教务处 李老师", "教务处214室", "0791-8888 0214（演示号码）"),
)


def _write_draft_and_withdrawn_notices(today: datetime.date, done: _Written) -> None:
    """A draft only the registrar sees, and a notice published by mistake and withdrawn,
    both through the notice services (so that their history has something to show)."""
    registrar, institution = done.staff["registrar"], done.org.institution
    common = dict(issuing_office="教务处", drafted_by="学籍科", contacts="", issue_date=today)
    draft = notice_create(
        institution=institution,
        by=registrar,
        fields=dict(
            common,
            number="23-118",
            title="关于2023级学生校对学籍照片的通知（征求意见稿）",
            body=DRAFT_BODY,
            task=NoticeTask.PHOTO_CHECK,
            window_start=_day(today + datetime.timedelta(days=30)),
            window_end=_day(today + datetime.timedelta(days=45), 23),
        ),
        audience=[AudienceRule(cohort=NEW_COHORT)],
        contacts=list(NOTICE_CONTACTS[:1]),
    )
    withdrawn = notice_create(
        institution=institution,
        by=registrar,
        fields=dict(
            common,
            number="23-107",
            title="关于2023级新生学籍信息自查的补充通知",
            issue_date=today - datetime.timedelta(days=8),
            body=WITHDRAWN_BODY,
        ),
        audience=[AudienceRule(cohort=NEW_COHORT)],
        contacts=list(NOTICE_CONTACTS[:1]),
    )
    notice_publish(notice=withdrawn, by=registrar)
    withdrawn = notice_withdraw(notice=withdrawn, by=registrar, reason=WITHDRAW_REASON)
    done.notices["draft"], done.notices["withdrawn"] = draft, withdrawn


DRAFT_BODY = "各学院：\n\n2023 级学生学籍照片已由图像采集单位交来，校对安排另行通知。\n"
WITHDRAWN_BODY = "各学院：\n\n2023 级新生学籍信息自查截止时间延长一周。\n"
WITHDRAW_REASON = "截止时间写错，以 23-106 号通知为准。"


def _day(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _record_check_notice(today: datetime.date) -> tuple[dict, dict]:
    """Modelled on seed 000 (南昌职业大学教务处 23-106)."""
    start, end = today - datetime.timedelta(days=10), today + datetime.timedelta(days=20)
    deadline = end + datetime.timedelta(days=10)
    fields = dict(
        number="23-106",
        title="关于开展2023级新生学信网自查学籍信息工作的通知",
        issue_date=start,
        task=NoticeTask.RECORD_CHECK,
        window_start=_day(start),
        window_end=_day(end, 23, 59),
        correction_deadline=_day(deadline, 17),
        body=RECORD_CHECK_BODY.format(
            start=chinese_date(start), end=chinese_date(end), deadline=chinese_date(deadline)
        ),
    )
    return fields, {"cohort": NEW_COHORT}


def _photo_check_notice(today: datetime.date) -> tuple[dict, dict]:
    """Modelled on seed 004 (普院教发（2018）4号)."""
    start, end = today - datetime.timedelta(days=14), today + datetime.timedelta(days=5)
    sheets_due = end + datetime.timedelta(days=1)
    fields = dict(
        number="赣示院教发（2026）4号",
        title="关于做好2019届毕业证图像信息校对的通知",
        issue_date=start,
        task=NoticeTask.PHOTO_CHECK,
        window_start=_day(start),
        window_end=_day(end, 23),
        sheet_deadline=_day(sheets_due, 17),
        body=PHOTO_CHECK_BODY.format(end=chinese_date(end), sheets_due=chinese_date(sheets_due)),
    )
    return fields, {"graduation_year": GRADUATION_YEAR}


# Markdown paragraphs stay on one line: a line break inside one would show as a space
# between Chinese characters.
RECORD_CHECK_BODY = """各学院：

学籍信息是教育部建立学生学信电子档案和统计各类基础数据的前提，将直接影响到学生学历证书的正确性，是学生的终身电子档案。我校 2023 级新生学籍电子注册工作现已基本完成。为保证学生学籍信息的准确性、完整性，现就开展 2023 级新生自查学籍信息工作的相关事项通知如下：

## 一、学籍信息自查流程及项目

1. 登录本平台 → 注册实名账号（姓名、证件号码须与本人身份证一致）→ 登录账号 → 进入“学籍信息”，点击本人学籍进行核查。
2. 学籍信息自查主要核查考生号、姓名、学号、性别、出生日期、身份证号、民族、生源省市、院校名称、学籍状态、专业名称、学制、层次、录取年份、学习形式、学历类别等主要字段，以及分院、系(所、函授站)、班级、入学日期、预计毕业日期等非主要字段的信息是否正确。
3. 全部信息无误的，点击“正确”；有误的，点击“有误”，勾选有误的项目，填写正确信息并上传证明材料（户口本、身份证或公安部门证明）。

## 二、学籍信息自查时间

{start}至{end}。更正申请截止于{deadline}，逾期不再办理。

## 三、注意事项

1. 注册时提示“证件号码已被注册”的，可登录原账号，或找回用户名、重置密码；确未注册过的，可选择“我要重新注册”，并按页面提示完成身份核验。
2. 学籍信息与实际情况不符的，请与教务处学籍科联系，地点：办公楼一楼学籍管理室。
3. 请各学院高度重视，认真做好学籍信息自查的宣传动员工作，让学生在规定时间内完成本年度的学籍信息自查。如学生不按时自查，引起不良后果由学生本人承担责任。
"""  # noqa: E501

PHOTO_CHECK_BODY = """各学院：

为保证学生毕业证图像信息与本人学籍基本信息相关联，2019 届毕业生（2015 级本科、2016 级专科）请于{end} 23:00 以前登录本平台，校对本人毕业证图像采集信息。校对后的信息经教育部审定，作为毕业后学历证书有效性（真伪验证）的主要依据，须认真对待；网上照片未经校对确认的，原则上不予进行毕业证书电子注册。

## 一、校对方法

1. 登录本平台，进入“学籍信息”，先核对本人学籍信息。
2. 学籍信息无误后，在“学历照片”一栏核对照片：是本人照片的，点击“正确”，在再次确认提示框中点“确定”；不是本人照片的，点击“有误”，并联系图像采集单位勘误。
3. 照片校对完毕后，可对照片质量进行评价。请正常退出系统，不要直接关闭浏览器，防止他人登录更改信息。

## 二、反馈表

图像信息校对结束后，各班班长按学号由小到大的顺序填写“高等教育学历电子注册图像信息校对反馈表”，辅导员签字审核，学院领导签署复核意见，加盖学院公章，于{sheets_due} 17:00 前交教务处学籍科，逾期不再受理。

## 三、没有照片的学生

学籍异动或未参加正常图像采集、平台上没有图像信息的学生，请尽快到新华社江西分社图像采集中心补采，以免耽搁毕业和学历注册。
"""  # noqa: E501
