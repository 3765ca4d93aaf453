"""The fixed facts of the demo: the institution, its sizes, colleges and majors, the rare
names, the account states and how often each is dealt, and the seats of the demo log-ins."""

from __future__ import annotations

from dataclasses import dataclass

from imaging.models import DisputeReason, PhotoState
from records.models import Level

INSTITUTION_CODE = "19901"
INSTITUTION_NAME = "赣江示范职业大学"
PROVINCE = "360000"
REGISTRAR_OFFICE = "教务处学籍科，办公楼一楼学籍管理室"
REGISTRAR_PHONE = "0791-8888 0000（演示号码）"
DEFAULT_STUDENTS = 1200
DEFAULT_SEED = 2026
MIN_STUDENTS = 60  # below this, some class would lack the seats the demo log-ins sit in
MAX_STUDENTS = 20000
CLASS_SIZE = 40
NEW_COHORT = 2023  # 2023级: checks their records (seed 000)
GRADUATION_YEAR = 2019  # 2019届: checks their diploma photos (seed 004)
OLD_ACCOUNT_USERNAME = "old-account-zhang"
ACCOUNT_SHARE = 0.65  # students who have registered so far

COLLEGES = (("01", "信息工程学院"), ("02", "经济管理学院"), ("03", "建筑工程学院"))


@dataclass(frozen=True)
class MajorSpec:
    code: str
    name: str
    level: str
    college: str
    department: str
    new_classes: int  # 2023级 classes at full size
    graduating_classes: int  # 2019届 classes at full size

    @property
    def duration(self) -> int:
        return 3 if self.level == Level.JUNIOR_COLLEGE else 4


_JC, _BA = Level.JUNIOR_COLLEGE, Level.BACHELOR
MAJORS = (
    MajorSpec("510203", "软件技术", _JC, "01", "软件工程系", 2, 1),
    MajorSpec("080901", "计算机科学与技术", _BA, "01", "软件工程系", 2, 1),
    MajorSpec("510202", "计算机网络技术", _JC, "01", "电子与网络系", 2, 1),
    MajorSpec("080701", "电子信息工程", _BA, "01", "电子与网络系", 1, 1),
    MajorSpec("530302", "大数据与会计", _JC, "02", "会计系", 2, 1),
    MajorSpec("120204", "财务管理", _BA, "02", "会计系", 2, 1),
    MajorSpec("530701", "电子商务", _JC, "02", "商贸系", 1, 1),
    MajorSpec("120202", "市场营销", _BA, "02", "商贸系", 1, 1),
    MajorSpec("440301", "建筑工程技术", _JC, "03", "建筑工程系", 2, 1),
    MajorSpec("081001", "土木工程", _BA, "03", "建筑工程系", 2, 2),
    MajorSpec("440501", "工程造价", _JC, "03", "工程管理系", 1, 1),
)

# Names with rare characters (生僻字) that must survive storage, display and export
# (docs/design.md); 𠮷 lies outside the Basic Multilingual Plane.
RARE_NAMES = (
    ("𠮷", "思远", "1"),
    ("刘", "䶮", "1"),
    ("王", "喆", "1"),
    ("陈", "犇", "1"),
    ("赵", "淼淼", "2"),
)

# Account states: how far each registered student has got with the record check.
UNSEEN, LOOKED, CONFIRMED = "unseen", "looked", "confirmed"
REPORTED, CORRECTED, RECONFIRMED, REJECTED = "reported", "corrected", "reconfirmed", "rejected"
_STATE_CARDS = {
    UNSEEN: 3, LOOKED: 4, CONFIRMED: 8, REPORTED: 2, CORRECTED: 1, RECONFIRMED: 1, REJECTED: 1,
}  # fmt: skip
_PHOTO_PRESENCE_CARDS = {"photo": 17, "none": 3}
_PHOTO_STATE_CARDS = {PhotoState.CONFIRMED: 6, PhotoState.UNVERIFIED: 3, PhotoState.DISPUTED: 1}
# Seed 002: ID-card upgrades and birth-date changes are not corrected.
REJECT_REASON = "一代身份证换二代身份证、出生日期变动不予更改（见通知）"
ACCEPT_REASON = "经核对户口本和身份证，已按申请更正。"
_DISPUTE_COMMENTS = {
    DisputeReason.NOT_ME: "照片不是本人，可能与同名同学的照片调换了。",
    DisputeReason.POOR_QUALITY: "照片偏暗，面部不清晰。",
    DisputeReason.OTHER: "照片是高中时拍的，与现在相貌差别较大。",
}

# The seats of the demo log-ins and the special cases, as (class index, seat) → role.
# Class 0 is 2023级软件技术1班 (信息工程学院), the first class of the demo counselor.
STUDENT, MONITOR, GRADUATE = "student", "monitor", "graduate"
TAKEN_ID, UNREGISTERED, WITHDRAWN = "taken_id", "unregistered", "withdrawn"
# 专升本 (seeds 002, 003): two 本科 students who came in from 专科 in 2025, in the year of the
# first 2023级 本科 class; one with her 专科 degree bound, one who must still bind it by hand.
UPGRADE, UPGRADE_PENDING = "upgrade", "upgrade-pending"
UPGRADE_ADMISSION = NEW_COHORT + 2
# Their 专科 certificates (院校代码, 办学类型 1, 2025, 层次 06, serial: docs/degrees.md).
UPGRADE_CERTIFICATES = {
    UPGRADE: f"{INSTITUTION_CODE}1{UPGRADE_ADMISSION}06000101",
    UPGRADE_PENDING: f"{INSTITUTION_CODE}1{UPGRADE_ADMISSION}06000102",
}
# A graduate of 1999 with degrees and no 学籍 online (a demo log-in); her certificate has
# the school's own number and the serial number, as those before 2001 do (seed 002).
ALUMNA = "alumna"
ALUMNA_YEAR = 1999
ALUMNA_CERTIFICATE, ALUMNA_SCHOOL_NUMBER = "NO.00517203", "990517"
_FIXED_NAMES = {STUDENT: ("张", "子堃", "1")} | {
    f"rare{i}": name for i, name in enumerate(RARE_NAMES)
}
# The student log-ins: the only students with a password, in these states.
_FORCED_STATES = {
    STUDENT: UNSEEN,
    MONITOR: CONFIRMED,
    GRADUATE: CONFIRMED,
    UPGRADE: CONFIRMED,
    # Her 学籍's ID number was corrected (the 专科 school had collected it wrongly): her 专科
    # degree still carries the old one, so it binds only by hand (records degree_bind).
    UPGRADE_PENDING: CORRECTED,
}
_FORCED_PHOTOS = {
    STUDENT: PhotoState.UNVERIFIED,
    MONITOR: PhotoState.CONFIRMED,
    GRADUATE: PhotoState.UNVERIFIED,
}
