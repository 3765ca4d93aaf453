"""The demo log-ins (演示账号): who they are, as they are in the database, and their table
for a terminal."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from accounts.models import User
from portal.demo.constants import (
    ALUMNA_CERTIFICATE,
    ALUMNA_SCHOOL_NUMBER,
    INSTITUTION_CODE,
    INSTITUTION_NAME,
    OLD_ACCOUNT_USERNAME,
    UPGRADE_ADMISSION,
    UPGRADE_CERTIFICATES,
    UPGRADE_PENDING,
)
from records.models import EnrollmentRecord


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    try_this: str
    name: str = ""


DEMO_LOGINS = (
    DemoLogin(
        "student", "学生（2023级）", "查看学籍信息，逐项核对后点“正确”或“有误”；校对学籍照片"
    ),
    DemoLogin("monitor", "学生·班长", "已确认学籍；以班长身份填写本班反馈表"),
    DemoLogin("graduate", "学生（2019届）", "校对学历照片（正确 / 有误），再评价照片质量"),
    DemoLogin(
        "alumna",
        "往届毕业生（1999届）",
        "只有学历、没有在线学籍：学籍信息页说明她该核对的是学历；证书有学校编号"
        f" {ALUMNA_SCHOOL_NUMBER} 和证书序列号 {ALUMNA_CERTIFICATE} 两个编号，"
        "记在一代 15 位身份证号码下，打开学籍信息即绑定",
    ),
    DemoLogin("upgrade", "学生（专升本）", "本科学籍带有已绑定的专科学历（专科毕业证书编号）"),
    DemoLogin(
        UPGRADE_PENDING,
        "学生（专升本）",
        "专科学历记在学籍更正前的证件号码下，不会自动绑定：在“尝试绑定学籍 → 我还有学历没显示出来”"
        f"输入证书编号 {UPGRADE_CERTIFICATES[UPGRADE_PENDING]}、毕业年份"
        f" {UPGRADE_ADMISSION}、毕业学校 {INSTITUTION_NAME}",
    ),
    DemoLogin(
        "counselor",
        "辅导员",
        "查看所带班级的校对进度，签署班级反馈表；在“账号 → 两步验证”绑定手机验证器",
    ),
    DemoLogin("college", "学院（信息工程学院）", "学院进度，复核反馈表，导出学院汇总"),
    DemoLogin("registrar", "教务处学籍科", "处理有误申请，导入名单和照片，发布通知"),
    DemoLogin("reviewer", "客服（身份核验）", "审核手持身份证照片和证件号码重复的申请"),
    DemoLogin("admin", "系统管理员", "管理后台 /admin/"),
)


# --- The log-in table ---------------------------------------------------------------------


def demo_logins() -> list[DemoLogin]:
    """The demo log-ins as they are in the database, and who to register as to meet a taken
    ID number."""
    users = User.objects.filter(username__in=[login.username for login in DEMO_LOGINS])
    names = dict(users.values_list("username", "real_name"))
    rows = [
        DemoLogin(login.username, login.role, login.try_this, names[login.username])
        for login in DEMO_LOGINS
        if login.username in names
    ]
    register = _register_row()
    return rows + ([register] if register else [])


def _register_row() -> DemoLogin | None:
    old = User.objects.filter(username=OLD_ACCOUNT_USERNAME).first()
    record = EnrollmentRecord.objects.filter(
        institution__code=INSTITUTION_CODE, id_number=getattr(old, "id_number", None)
    ).first()
    if old is None or record is None:
        return None
    return DemoLogin(
        "（注册新账号）",
        "未注册的学生",
        f"以{record.name}（学号 {record.student_number}，证件号码 {record.id_number}）注册，"
        f"会遇到“证件号码已被注册”：旧账号 {old.username} 持有这个号码",
        record.name,
    )


def format_logins(logins: list[DemoLogin], *, password: str) -> str:
    """The log-in table for a terminal, with CJK characters counted as two columns."""
    header = DemoLogin("用户名", "角色", "可以试试", "姓名")
    rows = [header, *logins]
    widths = [max(_width(getattr(r, col)) for r in rows) for col in ("username", "role", "name")]
    lines = [f"演示账号（密码均为 {password}）："]
    for row in rows:
        cells = (row.username, row.role, row.name)
        padded = "  ".join(_pad(text, width) for text, width in zip(cells, widths, strict=True))
        lines.append(f"  {padded}  {row.try_this}")
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
