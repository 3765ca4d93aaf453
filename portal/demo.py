"""Demo data (演示数据) for `manage.py seed_demo`: a fictional university part-way through
its checks, so that every page of the portal has something real to show.

Two steps. `demo_plan` decides every person, number and state from the seed alone (pure:
one seed always gives the same names, ID numbers, usernames and photo tokens), and
`demo_build` writes the plan in one transaction with bulk inserts. Only the demo log-ins
get a real password, hashed once (QUALITY.md: never hash passwords in bulk); every other
account has an unusable one, as an imported student would before registering.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts import idnumbers
from accounts.models import Role, User
from imaging.models import (
    CollectionUnit,
    DisputeReason,
    Photo,
    PhotoBatch,
    PhotoKind,
    PhotoState,
    PhotoVerification,
)
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
from records.codes import ETHNIC_GROUPS, province_name
from records.models import (
    Category,
    College,
    Department,
    DiscrepancyItem,
    DiscrepancyReport,
    EnrollmentRecord,
    Institution,
    Level,
    Major,
    RecordConfirmation,
    RecordStatus,
    ReportState,
    SchoolClass,
    StudyForm,
)

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

# Surnames by rough frequency (most common first), as weight → characters.
_SURNAME_TIERS = (
    (70, "王李张"),
    (50, "刘陈"),
    (30, "杨"),
    (20, "黄赵吴周"),
    (14, "徐孙马朱胡郭何高林"),
    (8, "罗郑梁谢宋唐许韩冯邓曹彭曾肖田熊"),
    (4, "董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟秦邱江"),
    (3, "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严赖涂饶聂温"),
)
_SURNAMES = [s for _, chars in _SURNAME_TIERS for s in chars] + ["欧阳", "上官"]
_SURNAME_WEIGHTS = [w for w, chars in _SURNAME_TIERS for _ in chars] + [2, 1]
_MALE_CHARS = (
    "伟强磊军勇杰涛明超斌鹏辉华俊峰浩宇轩豪博文睿泽航晨阳鸣远佑嘉诚志"
    "凯瑞乐建宏毅成鑫龙飞翔宁康昊天逸帆哲彬锐"
)
_FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪慧琳欣怡涵诗雨萱佳悦思可馨语彤晓梅兰颖婧瑶洁倩蕾薇月菲琪妍"
_SHARED_CHARS = "子文思一晓嘉雨宇欣佳安"

# Names with rare characters (生僻字) that must survive storage, display and export
# (DESIGN.md); 𠮷 lies outside the Basic Multilingual Plane.
RARE_NAMES = (
    ("𠮷", "思远", "1"),
    ("刘", "䶮", "1"),
    ("王", "喆", "1"),
    ("陈", "犇", "1"),
    ("赵", "淼淼", "2"),
)
# A rare character and the common one an old system wrote instead (for 姓名 reports).
_RARE_SUBSTITUTES = (
    ("䶮", "岩"), ("喆", "哲"), ("堃", "坤"), ("犇", "奔"), ("淼", "森"), ("𠮷", "吉"),
)  # fmt: skip

# Province → weight, GB/T 2260 district codes, ethnic groups (GB 3304) common there.
_ORIGINS = (
    ("36", 68, "360102 360103 360111 360121 360203 360302 360402 360502 360702 360802 "
     "360902 361002 361102", "22"),
    ("43", 6, "430102 430103 430202 430302 433101", "15 06"),
    ("44", 4, "440103 440104 440303 441402", ""),
    ("35", 4, "350102 350203 350802", "22"),
    ("33", 3, "330102 330106 330302", "22"),
    ("34", 3, "340102 340103 341802", ""),
    ("41", 3, "410102 410103 410302", "03"),
    ("42", 3, "420102 420106 420502", "15"),
    ("45", 3, "450102 450103 451002", "08 13"),
    ("52", 2, "520102 520103 522601", "06 09 12"),
    ("53", 1, "530102 530702", "27 07 14"),
)  # fmt: skip
_MINORITY_SHARE = {"45": 0.4, "52": 0.4, "53": 0.4, "43": 0.1, "42": 0.06, "41": 0.05}
_ETHNIC_NAMES = dict(ETHNIC_GROUPS)
_PHONE_PREFIXES = ("139", "138", "137", "150", "158", "177", "186", "189", "199")

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
_FIXED_NAMES = {STUDENT: ("张", "子堃", "1")} | {
    f"rare{i}": name for i, name in enumerate(RARE_NAMES)
}
# The student log-ins: the only students with a password, in these states.
_FORCED_STATES = {STUDENT: UNSEEN, MONITOR: CONFIRMED, GRADUATE: CONFIRMED}
_FORCED_PHOTOS = {
    STUDENT: PhotoState.UNVERIFIED,
    MONITOR: PhotoState.CONFIRMED,
    GRADUATE: PhotoState.UNVERIFIED,
}


class DemoError(Exception):
    """A demo that cannot be written; the message says why, in Chinese."""


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


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
    DemoLogin("counselor", "辅导员", "查看所带班级的校对进度，签署班级反馈表"),
    DemoLogin("college", "学院（信息工程学院）", "学院进度，复核反馈表，导出学院汇总"),
    DemoLogin("registrar", "教务处学籍科", "处理有误申请，导入名单和照片，发布通知"),
    DemoLogin("reviewer", "客服（身份核验）", "审核手持身份证照片和证件号码重复的申请"),
    DemoLogin("admin", "系统管理员", "管理后台 /admin/"),
)


# --- The plan: pure, decided by the seed alone -------------------------------------------


@dataclass(frozen=True)
class PlannedClass:
    major: MajorSpec
    cohort: int  # 年级: the admission year
    number: int
    graduating: bool

    @property
    def college(self) -> str:
        return self.major.college

    @property
    def code(self) -> str:
        return f"{self.cohort}{self.college}{MAJORS.index(self.major) + 1:02d}{self.number:02d}"

    @property
    def name(self) -> str:
        return f"{self.cohort}级{self.major.name}{self.number}班"

    @property
    def expected_graduation(self) -> datetime.date:
        return datetime.date(self.cohort + self.major.duration, 7, 1)


@dataclass
class PlannedReport:
    items: list[tuple[str, str, str]]  # (field, value on record, value claimed)
    explanation: str
    state: str  # ReportState


@dataclass
class PlannedAccount:
    username: str
    phone: str
    state: str
    bound_days_ago: int
    report: PlannedReport | None = None
    email: str = ""


@dataclass
class PlannedPhoto:
    kind: str
    token: str
    state: str
    rating: int | None = None
    reason: str = ""
    # The token of an earlier photo this one replaced (kept as history, reported 有误).
    previous_token: str = ""


@dataclass
class PlannedStudent:
    klass: int
    seat: int
    special: str
    surname: str
    name: str
    sex: str
    birth: datetime.date
    id_number: str
    ethnicity: str
    origin_region: str
    examinee_number: str
    student_number: str
    study_form: str
    category: str
    status: str = RecordStatus.REGISTERED
    account: PlannedAccount | None = None
    photo: PlannedPhoto | None = None
    diploma: PlannedPhoto | None = None  # 学历照片 of a 2023级 专科 student, graduating 2026


@dataclass(frozen=True)
class PlannedStaff:
    username: str
    name: str
    role: str
    title: str = ""
    college: str = ""
    classes: tuple[int, ...] = ()
    demo: bool = False


@dataclass
class DemoPlan:
    seed: int
    classes: list[PlannedClass]
    students: list[PlannedStudent]
    staff: list[PlannedStaff]
    monitors: dict[int, int]  # class index → student index
    old_account_phone: str
    taken_id_student: int


class _Deck:
    """Draws from a shuffled pack, refilled when empty: every card shows once per pack, so a
    small demo still has every state and a large one has them in proportion."""

    def __init__(self, rng: random.Random, cards: dict[str, int]) -> None:
        self.rng, self.cards, self.pack = rng, cards, []

    def draw(self) -> str:
        if not self.pack:
            self.pack = [card for card, n in self.cards.items() for _ in range(n)]
            self.rng.shuffle(self.pack)
        return self.pack.pop()


@dataclass
class _Context:
    rng: random.Random
    classes: list[PlannedClass]
    states: _Deck
    photo_presence: _Deck
    photo_states: _Deck
    used: set[str] = field(default_factory=set)  # ID, examinee and phone numbers

    def unique(self, make) -> str:
        while (value := make()) in self.used:
            pass
        self.used.add(value)
        return value


def demo_plan(*, students: int, seed: int) -> DemoPlan:
    """Every class, person and state of the demo for `students` students and `seed`."""
    _check_size(students)
    rng = random.Random(seed)
    classes = _plan_classes(students)
    ctx = _Context(
        rng=rng,
        classes=classes,
        states=_Deck(rng, _STATE_CARDS),
        photo_presence=_Deck(rng, _PHOTO_PRESENCE_CARDS),
        photo_states=_Deck(rng, _PHOTO_STATE_CARDS),
    )
    specials = _special_seats(classes)
    people = []
    for index, seats in enumerate(_class_sizes(students, len(classes))):
        for seat in range(1, seats + 1):
            person = _plan_person(ctx, index, seat, specials.get((index, seat), ""))
            _plan_progress(ctx, person)
            people.append(person)
    taken = next(i for i, p in enumerate(people) if p.special == TAKEN_ID)
    _plan_replaced_photo(rng, people)
    _plan_diplomas(rng, classes, people)
    return DemoPlan(
        seed=seed,
        classes=classes,
        students=people,
        staff=_plan_staff(rng, classes),
        monitors=_plan_monitors(people),
        old_account_phone=ctx.unique(lambda: _phone(rng)),
        taken_id_student=taken,
    )


def _check_size(students: int) -> None:
    if not MIN_STUDENTS <= students <= MAX_STUDENTS:
        raise DemoError(
            f"演示学生人数应在 {MIN_STUDENTS} 到 {MAX_STUDENTS} 之间，收到 {students}。"
        )


def _plan_classes(students: int) -> list[PlannedClass]:
    """About CLASS_SIZE students a class, at least one class per college and cohort."""
    groups = [
        _class_group(college, graduating, bachelor_first=(i + graduating) % 2 == 1)
        for graduating in (False, True)
        for i, (college, _) in enumerate(COLLEGES)
    ]
    total = sum(len(group) for group in groups)
    wanted = min(max(round(students / CLASS_SIZE), len(groups)), total)
    # Round robin over the groups, so that a small demo still has every college and cohort.
    picked = [group[i] for i in range(max(map(len, groups))) for group in groups if i < len(group)]
    return sorted(picked[:wanted], key=_class_order)


def _class_order(c: PlannedClass) -> tuple:
    return (c.graduating, c.college, MAJORS.index(c.major), c.number)


def _class_group(college: str, graduating: bool, *, bachelor_first: bool) -> list[PlannedClass]:
    classes = []
    for major in MAJORS:
        if major.college != college:
            continue
        count = major.graduating_classes if graduating else major.new_classes
        # Seed 004: 2019届 means 2015级 本科 and 2016级 专科.
        cohort = GRADUATION_YEAR - major.duration if graduating else NEW_COHORT
        classes += [PlannedClass(major, cohort, n, graduating) for n in range(1, count + 1)]
    # First classes first, 本科 or 专科 first by turns, so that a small demo mixes levels.
    first = Level.BACHELOR if bachelor_first else Level.JUNIOR_COLLEGE
    return sorted(classes, key=lambda c: (c.number, c.major.level != first))


def _class_sizes(students: int, classes: int) -> list[int]:
    base, extra = divmod(students, classes)
    return [base + (i < extra) for i in range(classes)]


def _special_seats(classes: list[PlannedClass]) -> dict[tuple[int, int], str]:
    graduate_class = next(i for i, c in enumerate(classes) if c.graduating and c.college == "01")
    seats = {
        (0, 1): MONITOR,
        (0, 2): STUDENT,
        (0, 3): TAKEN_ID,
        (graduate_class, 1): GRADUATE,
        (1, 5): UNREGISTERED,
        (2, 5): UNREGISTERED,
        (1, 6): WITHDRAWN,
    }
    for i in range(len(RARE_NAMES)):
        seats[((i + 1) % len(classes), 4)] = f"rare{i}"
    return seats


def _plan_person(ctx: _Context, klass: int, seat: int, special: str) -> PlannedStudent:
    rng, spec = ctx.rng, ctx.classes[klass]
    surname, given, sex = _FIXED_NAMES.get(special) or _random_name(rng, special)
    birth = _birth(rng, spec.cohort)
    region, origin, ethnicity = _origin(rng)
    id_number = ctx.unique(lambda: idnumbers.generate(rng=rng, region=region, birth=birth, sex=sex))
    # 考生号: 2-digit year, the 6-digit region of the examination, 6 digits.
    examinee = ctx.unique(lambda: f"{spec.cohort % 100:02d}{origin}{rng.randrange(10**6):06d}")
    study_form, category = _study_form(rng, spec)
    return PlannedStudent(
        klass=klass,
        seat=seat,
        special=special,
        surname=surname,
        name=surname + given,
        sex=sex,
        birth=birth,
        id_number=id_number,
        ethnicity=ethnicity,
        origin_region=origin,
        examinee_number=examinee,
        student_number=f"{spec.code[:4]}{spec.code[4:8]}{spec.number}{seat:03d}",
        study_form=study_form,
        category=category,
    )


def _random_name(rng: random.Random, special: str = "") -> tuple[str, str, str]:
    sex = "2" if special == MONITOR else rng.choice("12")
    surname = "张" if special == TAKEN_ID else rng.choices(_SURNAMES, _SURNAME_WEIGHTS)[0]
    own = _MALE_CHARS if sex == "1" else _FEMALE_CHARS
    if rng.random() < 0.2:
        return surname, rng.choice(own), sex
    return surname, rng.choice(own + _SHARED_CHARS) + rng.choice(own), sex


def _birth(rng: random.Random, admission: int) -> datetime.date:
    # About 18 at the September intake: most born 17 to 19 years before it.
    offset = int(rng.triangular(-420, 300, -60))
    return datetime.date(admission - 18, 9, 1) + datetime.timedelta(days=offset)


def _origin(rng: random.Random) -> tuple[str, str, str]:
    """(region of the ID number, 生源省市 in the same province, ethnicity code)."""
    province, _, districts, groups = rng.choices(_ORIGINS, [o[1] for o in _ORIGINS])[0]
    districts = districts.split()
    region = rng.choice(districts)
    origin = region if rng.random() < 0.8 else rng.choice(districts)
    ethnicity = "01"
    if groups and rng.random() < _MINORITY_SHARE.get(province, 0.02):
        ethnicity = rng.choice(groups.split())
    elif rng.random() < 0.01:
        ethnicity = rng.choice(("03", "11", "10"))
    return region, origin, ethnicity


def _study_form(rng: random.Random, spec: PlannedClass) -> tuple[str, str]:
    # A few 2023级 专科 students came in through 高职扩招 and study part-time.
    if not spec.graduating and spec.major.level == Level.JUNIOR_COLLEGE and rng.random() < 0.04:
        return StudyForm.PART_TIME, Category.REGULAR
    return StudyForm.REGULAR_FULL_TIME, Category.REGULAR


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10**8):08d}"


def _plan_progress(ctx: _Context, person: PlannedStudent) -> None:
    """Status, account, report and photo of one student."""
    if person.special == UNREGISTERED:
        person.status = RecordStatus.UNREGISTERED
        return
    if person.special == WITHDRAWN:
        person.status = RecordStatus.WITHDRAWN
        return
    person.account = _plan_account(ctx, person)
    person.photo = _plan_photo(ctx, person)


def _plan_account(ctx: _Context, person: PlannedStudent) -> PlannedAccount | None:
    rng, forced = ctx.rng, _FORCED_STATES.get(person.special)
    if person.special == TAKEN_ID or (forced is None and rng.random() >= ACCOUNT_SHARE):
        return None
    state = forced or ctx.states.draw()
    phone = ctx.unique(lambda: _phone(rng))
    username = person.special if forced else f"s{person.student_number}"
    if not forced and rng.random() < 0.3:
        username = phone  # some students chose their phone number as user name
    account = PlannedAccount(username, phone, state, bound_days_ago=rng.randint(2, 9))
    if person.special == STUDENT or phone[-1] in "37":  # a few gave an e-mail address too
        account.email = f"s{person.student_number}@stu.example.edu.cn"
    if state in (REPORTED, CORRECTED, RECONFIRMED, REJECTED):
        account.report = _plan_report(rng, person, state)
    return account


def _plan_report(rng: random.Random, person: PlannedStudent, state: str) -> PlannedReport:
    if state == REJECTED:
        return _birth_date_report(rng, person)
    accepted = state != REPORTED
    makers = [_ethnicity_item, _origin_item]
    if not person.special:  # keep the fixed rare names as they are
        makers.append(_name_item)
    first = rng.choice(makers)
    items = [first(rng, person, accepted)]
    if not accepted and rng.random() < 0.3:
        second = rng.choice([m for m in makers if m is not first])
        items.append(second(rng, person, accepted))
    return PlannedReport(
        items=[item for item, _ in items],
        explanation="".join(reason for _, reason in items),
        state=ReportState.ACCEPTED if accepted else ReportState.SUBMITTED,
    )


_Item = tuple[tuple[str, str, str], str]  # (field, on record, claimed), explanation


def _ethnicity_item(rng: random.Random, person: PlannedStudent, accepted: bool) -> _Item:
    current = person.ethnicity
    claimed = rng.choice([code for code in ("22", "15", "06", "03") if code != current])
    if accepted:
        person.ethnicity = claimed
    names = _ETHNIC_NAMES[current], _ETHNIC_NAMES[claimed]
    reason = f"户口本上登记的民族为{names[1]}，学籍中为{names[0]}。"
    return ("ethnicity", *names), reason


def _origin_item(rng: random.Random, person: PlannedStudent, accepted: bool) -> _Item:
    current = province_name(person.origin_region)
    others = [o for o in _ORIGINS if o[0] != person.origin_region[:2]]
    region = rng.choice(rng.choice(others)[2].split())
    claimed = province_name(region)
    if accepted:
        person.origin_region = region
    reason = f"高考在{claimed}报名，生源省市应为{claimed}。"
    return ("origin_region", current, claimed), reason


def _name_item(rng: random.Random, person: PlannedStudent, accepted: bool) -> _Item:
    # The record lost a rare character: an old system wrote a common one instead.
    rare, common = rng.choice(_RARE_SUBSTITUTES)
    wrong, right = person.surname + common, person.surname + rare
    person.name = right if accepted else wrong
    reason = f"姓名中的“{rare}”字在学籍中被写成了“{common}”，附户口本页。"
    return ("name", wrong, right), reason


def _birth_date_report(rng: random.Random, person: PlannedStudent) -> PlannedReport:
    claimed = person.birth + datetime.timedelta(days=rng.choice((-365, -31, 30, 61)))
    return PlannedReport(
        items=[("birth_date", _chinese_date(person.birth), _chinese_date(claimed))],
        explanation="换领二代身份证后出生日期有变动，户口本上的出生日期与学籍不一致。",
        state=ReportState.REJECTED,
    )


def _plan_photo(ctx: _Context, person: PlannedStudent) -> PlannedPhoto | None:
    rng, forced = ctx.rng, _FORCED_PHOTOS.get(person.special)
    if forced is None and ctx.photo_presence.draw() == "none":
        return None  # not yet delivered by the collection unit (seed 003)
    graduating = ctx.classes[person.klass].graduating
    kind = PhotoKind.DIPLOMA if graduating else PhotoKind.ENROLLMENT
    photo = PlannedPhoto(kind, f"{rng.getrandbits(128):032x}", forced or PhotoState.UNVERIFIED)
    if forced is None and person.account and person.account.state != UNSEEN:
        photo.state = ctx.photo_states.draw()
    if photo.state == PhotoState.CONFIRMED and rng.random() < 0.6:
        photo.rating = rng.choices((2, 3, 4, 5), (1, 3, 6, 8))[0]
    if photo.state == PhotoState.DISPUTED:
        photo.reason = rng.choice(list(_DISPUTE_COMMENTS))
    return photo


def _plan_replaced_photo(rng: random.Random, people: list[PlannedStudent]) -> None:
    """One 2023级 student reported a photo 有误 (someone else's); the collection unit sent a
    new one, which the student has since confirmed. The old photo is kept as history."""
    for person in people:
        photo = person.photo
        if person.special or photo is None or photo.kind != PhotoKind.ENROLLMENT:
            continue
        if photo.state == PhotoState.CONFIRMED:
            photo.previous_token = f"{rng.getrandbits(128):032x}"
            return


# 2023级 专科 graduate in July 2026: some already have a 学历照片, confirmed or not yet.
_DIPLOMA_CARDS = (PhotoState.CONFIRMED, PhotoState.UNVERIFIED, None)


def _plan_diplomas(
    rng: random.Random, classes: list[PlannedClass], people: list[PlannedStudent]
) -> None:
    """学历照片 for every third registered 2023级 专科 student with an account: by turns
    confirmed (with a rating), not yet verified, or none at all (the collection unit has not
    delivered it), so that the list of graduates without a confirmed one has rows."""
    turn = 0
    for person in people:
        spec = classes[person.klass]
        if spec.graduating or spec.major.level != Level.JUNIOR_COLLEGE:
            continue
        if person.special or person.account is None or person.seat % 3:
            continue
        state, turn = _DIPLOMA_CARDS[turn % len(_DIPLOMA_CARDS)], turn + 1
        if state is None:
            continue
        if person.account.state == UNSEEN:
            state = PhotoState.UNVERIFIED  # has not logged in to verify anything yet
        token = f"{rng.getrandbits(128):032x}"
        person.diploma = PlannedPhoto(PhotoKind.DIPLOMA, token, state)
        if state == PhotoState.CONFIRMED:
            person.diploma.rating = rng.choice((3, 4, 5))


def _plan_monitors(people: list[PlannedStudent]) -> dict[int, int]:
    """The monitor log-in leads class 0; elsewhere the first registered student does."""
    monitors: dict[int, int] = {}
    for index, person in enumerate(people):
        if person.special == MONITOR:
            monitors[person.klass] = index
    for index, person in enumerate(people):
        if person.account and not person.special:
            monitors.setdefault(person.klass, index)
    return monitors


def _plan_staff(rng: random.Random, classes: list[PlannedClass]) -> list[PlannedStaff]:
    staff = [
        PlannedStaff("registrar", "彭丽华", Role.REGISTRAR, "学籍科科长", demo=True),
        PlannedStaff("reviewer", "陈晨", Role.IDENTITY_REVIEWER, "客服专员", demo=True),
        PlannedStaff("admin", "系统管理员", Role.ADMIN, demo=True),
        PlannedStaff("college", "郭建国", Role.COLLEGE, "学院领导", college="01", demo=True),
    ]
    for code, _ in COLLEGES[1:]:
        name = "".join(_random_name(rng)[:2])
        staff.append(PlannedStaff(f"xy{code}", name, Role.COLLEGE, "学院领导", college=code))
    # Every class has a counselor; each counselor has up to 4 classes of one cohort.
    for code, _ in COLLEGES:
        for graduating in (False, True):
            mine = [
                i for i, c in enumerate(classes) if (c.college, c.graduating) == (code, graduating)
            ]
            for start in range(0, len(mine), 4):
                staff.append(_counselor(rng, staff, code, tuple(mine[start : start + 4])))
    return staff


def _counselor(
    rng: random.Random, staff: list[PlannedStaff], college: str, classes: tuple[int, ...]
) -> PlannedStaff:
    # The first counselor, of 信息工程学院's first 2023级 classes, is the demo log-in.
    number = sum(s.role == Role.COUNSELOR for s in staff) + 1
    demo = number == 1
    username = "counselor" if demo else f"fdy{number:02d}"
    name = "周文静" if demo else "".join(_random_name(rng)[:2])
    return PlannedStaff(username, name, Role.COUNSELOR, "辅导员", college, classes, demo)


def _chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


# --- Writing the plan ---------------------------------------------------------------------


@dataclass
class DemoResult:
    created: bool
    counts: dict[str, int]
    logins: list[DemoLogin]

    @property
    def summary(self) -> str:
        c = self.counts
        return (
            f"已生成演示数据：{INSTITUTION_NAME}（{INSTITUTION_CODE}），{c['colleges']} 个学院、"
            f"{c['classes']} 个班级、{c['records']} 条学籍、{c['accounts']} 个学生账号、"
            f"{c['photos']} 张照片、{c['notices']} 条通知。"
        )


@dataclass
class _Org:
    institution: Institution
    colleges: dict[str, College]
    departments: dict[str, Department]
    majors: dict[str, Major]


@dataclass
class _Written:
    now: datetime.datetime
    org: _Org
    staff: dict[str, User]
    accounts: dict[int, User]  # student index → account
    classes: list[SchoolClass] = field(default_factory=list)
    records: list[EnrollmentRecord] = field(default_factory=list)
    notices: dict[str, Notice] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def ago(self, days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)


def demo_exists() -> bool:
    return Institution.objects.filter(code=INSTITUTION_CODE).exists()


def demo_build(
    *, students: int = DEFAULT_STUDENTS, seed: int = DEFAULT_SEED, stdout: Writer | None = None
) -> DemoResult:
    """Write the demo in one transaction, unless the demo institution exists already."""
    _check_size(students)
    if demo_exists():
        return DemoResult(created=False, counts={}, logins=demo_logins())
    plan = demo_plan(students=students, seed=seed)
    files: list[str] = []
    try:
        with transaction.atomic():
            if demo_exists():  # written meanwhile by another run
                return DemoResult(created=False, counts={}, logins=demo_logins())
            counts = _write(plan, files, stdout)
    except IntegrityError as exc:
        _delete_files(files)
        raise DemoError(f"写入演示数据失败（与已有数据冲突）：{exc}") from exc
    except BaseException:
        _delete_files(files)  # the rows are rolled back: leave no orphan photos either
        raise
    return DemoResult(created=True, counts=counts, logins=demo_logins())


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _write(plan: DemoPlan, files: list[str], stdout: Writer | None) -> dict[str, int]:
    _check_usernames(plan)
    org = _write_organisation()
    staff, accounts = _write_users(plan, org)
    done = _Written(now=timezone.now(), org=org, staff=staff, accounts=accounts, files=files)
    _write_classes(plan, done)
    _write_records(plan, done)
    _write_notices(done)
    _write_record_checks(plan, done)
    if stdout is not None:
        planned = [p for s in plan.students for p in (s.photo, s.diploma) if p]
        count = len(planned) + sum(1 for p in planned if p.previous_token)
        stdout.write(f"正在生成 {count} 张照片……")
    photos = _write_photos(plan, done)
    _write_feedback_sheets(plan, done)
    _write_collection_units()
    return {
        "colleges": len(org.colleges),
        "classes": len(done.classes),
        "records": len(done.records),
        "accounts": len(accounts),
        "photos": photos,
        "notices": len(done.notices),
    }


def _check_usernames(plan: DemoPlan) -> None:
    wanted = [s.username for s in plan.staff] + [OLD_ACCOUNT_USERNAME]
    wanted += [p.account.username for p in plan.students if p.account]
    taken = User.objects.filter(username__in=wanted).values_list("username", flat=True)[:5]
    if taken:
        raise DemoError(f"用户名已被占用：{'、'.join(taken)}。请在空数据库上生成演示数据。")


def _write_organisation() -> _Org:
    institution = Institution.objects.create(
        code=INSTITUTION_CODE,
        name=INSTITUTION_NAME,
        province=PROVINCE,
        registrar_office=REGISTRAR_OFFICE,
        registrar_phone=REGISTRAR_PHONE,
    )
    colleges = College.objects.bulk_create(
        College(institution=institution, code=code, name=name) for code, name in COLLEGES
    )
    by_code = {c.code: c for c in colleges}
    names = dict.fromkeys((m.college, m.department) for m in MAJORS)
    departments = Department.objects.bulk_create(
        Department(college=by_code[college], name=name) for college, name in names
    )
    majors = Major.objects.bulk_create(
        Major(
            institution=institution,
            code=m.code,
            name=m.name,
            level=m.level,
            duration=Decimal(m.duration),
        )
        for m in MAJORS
    )
    return _Org(
        institution=institution,
        colleges=by_code,
        departments={d.name: d for d in departments},
        majors={m.code: m for m in majors},
    )


def _write_users(plan: DemoPlan, org: _Org) -> tuple[dict[str, User], dict[int, User]]:
    # One hash for every demo log-in: they share settings.DEMO_PASSWORD, and hashing is the
    # costliest thing here (Argon2 ≈ 77 ms). Everyone else gets an unusable password.
    demo_hash = make_password(settings.DEMO_PASSWORD)
    now = timezone.now()
    staff = [_staff_user(s, org, demo_hash if s.demo else make_password(None)) for s in plan.staff]
    students = {
        index: _student_user(person, person.account, demo_hash, now)
        for index, person in enumerate(plan.students)
        if person.account
    }
    taken = plan.students[plan.taken_id_student]
    # An old account (say, from a 兵役登记 years ago) holds this student's ID number, so
    # registering meets 证件号码已被注册 (seed 000).
    old = User(
        username=OLD_ACCOUNT_USERNAME,
        password=make_password(None),
        real_name=taken.name,
        id_number=taken.id_number,
        phone=plan.old_account_phone,
        date_joined=timezone.make_aware(datetime.datetime(2023, 6, 25, 21, 30)),
    )
    User.objects.bulk_create([*staff, *students.values(), old])
    return {u.username: u for u in staff}, students


_INSTITUTION_ROLES = (Role.REGISTRAR, Role.COLLEGE, Role.COUNSELOR)


def _staff_user(spec: PlannedStaff, org: _Org, password: str) -> User:
    admin = spec.role == Role.ADMIN
    return User(
        username=spec.username,
        password=password,
        real_name=spec.name,
        role=spec.role,
        title=spec.title,
        institution=org.institution if spec.role in _INSTITUTION_ROLES else None,
        college=org.colleges[spec.college] if spec.role == Role.COLLEGE else None,
        is_staff=admin,
        is_superuser=admin,
    )


def _student_user(
    person: PlannedStudent, account: PlannedAccount, demo_hash: str, now: datetime.datetime
) -> User:
    return User(
        username=account.username,
        password=demo_hash if person.special in _FORCED_STATES else make_password(None),
        real_name=person.name,
        id_number=person.id_number,
        phone=account.phone,
        email=account.email,
        role=Role.STUDENT,
        date_joined=now - datetime.timedelta(days=account.bound_days_ago, hours=1),
    )


def _write_classes(plan: DemoPlan, done: _Written) -> None:
    org = done.org
    done.classes = SchoolClass.objects.bulk_create(
        SchoolClass(
            institution=org.institution,
            college=org.colleges[spec.college],
            major=org.majors[spec.major.code],
            code=spec.code,
            name=spec.name,
            cohort=spec.cohort,
            monitor=done.accounts.get(plan.monitors.get(index, -1)),
        )
        for index, spec in enumerate(plan.classes)
    )
    through = SchoolClass.counselors.through
    through.objects.bulk_create(
        through(schoolclass=done.classes[index], user=done.staff[spec.username])
        for spec in plan.staff
        for index in spec.classes
    )


def _write_records(plan: DemoPlan, done: _Written) -> None:
    org, rows = done.org, []
    for index, person in enumerate(plan.students):
        spec, account = plan.classes[person.klass], person.account
        bound_at = done.ago(account.bound_days_ago) if account else None
        viewed = account is not None and account.state != UNSEEN
        rows.append(
            EnrollmentRecord(
                institution=org.institution,
                examinee_number=person.examinee_number,
                student_number=person.student_number,
                name=person.name,
                sex=person.sex,
                birth_date=person.birth,
                id_number=person.id_number,
                ethnicity=person.ethnicity,
                origin_region=person.origin_region,
                status=person.status,
                major=org.majors[spec.major.code],
                duration=Decimal(spec.major.duration),
                level=spec.major.level,
                admission_year=spec.cohort,
                study_form=person.study_form,
                category=person.category,
                college=org.colleges[spec.college],
                department=org.departments[spec.major.department],
                school_class=done.classes[person.klass],
                entry_date=datetime.date(spec.cohort, 9, 1),
                expected_graduation=spec.expected_graduation,
                user=done.accounts.get(index),
                bound_at=bound_at,
                first_viewed_at=bound_at + datetime.timedelta(minutes=5) if viewed else None,
            )
        )
    done.records = EnrollmentRecord.objects.bulk_create(rows)


def _write_record_checks(plan: DemoPlan, done: _Written) -> None:
    """正确 and 有误 as each student left them; decided reports by the registrar."""
    registrar, confirmations, reports, items = done.staff["registrar"], [], [], []
    for index, person in enumerate(plan.students):
        account, record = person.account, done.records[index]
        if account is None:
            continue
        notice = done.notices["record"] if not plan.classes[person.klass].graduating else None
        if account.state in (CONFIRMED, RECONFIRMED):
            confirmations.append(RecordConfirmation(record=record, user=record.user, notice=notice))
        if account.report:
            report = _report_row(account.report, record, notice, registrar, done)
            reports.append(report)
            items += [_item_row(report, item) for item in account.report.items]
    RecordConfirmation.objects.bulk_create(confirmations)
    DiscrepancyReport.objects.bulk_create(reports)
    DiscrepancyItem.objects.bulk_create(items)
    # created_at is set on insert; a decided report was filed the day before its decision
    # (still after the binding: every account was bound at least two days ago).
    decided = [r.pk for r in reports if r.decided_at]
    DiscrepancyReport.objects.filter(pk__in=decided).update(
        created_at=F("decided_at") - datetime.timedelta(hours=20)
    )


def _report_row(
    planned: PlannedReport,
    record: EnrollmentRecord,
    notice: Notice | None,
    registrar: User,
    done: _Written,
) -> DiscrepancyReport:
    report = DiscrepancyReport(
        record=record,
        user=record.user,
        notice=notice,
        explanation=planned.explanation,
        state=planned.state,
    )
    if planned.state != ReportState.SUBMITTED:
        report.reviewer, report.decided_at = registrar, done.ago(1)
        accepted = planned.state == ReportState.ACCEPTED
        report.decision_reason = ACCEPT_REASON if accepted else REJECT_REASON
    return report


def _item_row(report: DiscrepancyReport, item: tuple[str, str, str]) -> DiscrepancyItem:
    name, current, claimed = item
    decided = {ReportState.ACCEPTED: True, ReportState.REJECTED: False}
    return DiscrepancyItem(
        report=report,
        field=name,
        current_value=current,
        claimed_value=claimed,
        accepted=decided.get(report.state),
    )


def _write_photos(plan: DemoPlan, done: _Written) -> int:
    registrar, institution = done.staff["registrar"], done.org.institution
    batches = {
        kind: PhotoBatch.objects.create(
            institution=institution, kind=kind, source=source, uploaded_by=registrar
        )
        for kind, source in (
            (PhotoKind.ENROLLMENT, "新华社江西分社 2023 年图像采集"),
            (PhotoKind.DIPLOMA, "新华社江西分社 2018 年毕业生图像采集"),
        )
    }
    photos, verifications, replaced = [], [], []
    for index, person in enumerate(plan.students):
        record = done.records[index]
        for planned in (person.photo, person.diploma):
            if planned is None:
                continue
            if planned.previous_token:
                old = PlannedPhoto(
                    planned.kind, planned.previous_token, PhotoState.DISPUTED, reason="not_me"
                )
                photo = _photo_row(person, old, record, batches[planned.kind], done)
                photo.is_current = False
                photos.append(photo)
                replaced.append(photo)
                verifications.append(_verification_row(old, photo, done.ago(3)))
            photo = _photo_row(person, planned, record, batches[planned.kind], done)
            photos.append(photo)
            if planned.state != PhotoState.UNVERIFIED:
                verifications.append(_verification_row(planned, photo, done.ago(1)))
    Photo.objects.bulk_create(photos)
    PhotoVerification.objects.bulk_create(verifications)
    # The replaced photo came first: delivered with the batch, a week before its successor.
    Photo.objects.filter(pk__in=[p.pk for p in replaced]).update(
        created_at=F("created_at") - datetime.timedelta(days=7)
    )
    for kind, batch in batches.items():
        batch.report = {"imported": sum(p.kind == kind for p in photos), "rejected": []}
    PhotoBatch.objects.bulk_update(batches.values(), ["report"])
    return len(photos)


def _photo_row(
    person: PlannedStudent,
    planned: PlannedPhoto,
    record: EnrollmentRecord,
    batch: PhotoBatch,
    done: _Written,
) -> Photo:
    files = done.files
    photo = Photo(record=record, kind=planned.kind, token=planned.token, batch=batch)
    image, thumbnail = portrait_jpeg(token=planned.token, sex=person.sex)
    for name, data in (("image", image), ("thumbnail", thumbnail)):
        path = Photo._meta.get_field(name).generate_filename(photo, "portrait.jpg")
        stored = default_storage.save(path, ContentFile(data))
        files.append(stored)
        setattr(photo, name, stored)
    photo.width, photo.height = PHOTO_SIZE
    photo.sha256 = hashlib.sha256(image).hexdigest()
    photo.state = planned.state
    return photo


def _verification_row(
    planned: PlannedPhoto, photo: Photo, when: datetime.datetime
) -> PhotoVerification:
    disputed = planned.state == PhotoState.DISPUTED
    return PhotoVerification(
        photo=photo,
        user=photo.record.user,
        result=planned.state,
        reason=planned.reason,
        comment=_DISPUTE_COMMENTS.get(planned.reason, "") if disputed else "",
        rating=planned.rating,
        rating_comment="照片清晰，与本人一致。" if planned.rating == 5 else "",
        rated_at=when if planned.rating is not None else None,
    )


# Words the demo monitor added to rows of her class's sheet, by seat.
MONITOR_REMARKS = {
    3: "注册时提示“证件号码已被注册”，已请学籍科协助处理。",
    2: "本人在外地参加技能竞赛集训，已电话通知按时自查。",
}


def _write_feedback_sheets(plan: DemoPlan, done: _Written) -> None:
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
        sheet_sign(
            sheet=sheets[done.classes[index].pk], by=done.staff[counselor_of[index].username]
        )
    if signed:
        college = plan.classes[signed[0]].college
        leader = "college" if college == "01" else f"xy{college}"
        sheet_countersign(
            sheet=sheets[done.classes[signed[0]].pk],
            by=done.staff[leader],
            opinion="情况属实，同意上报。",
        )


def _write_notices(done: _Written) -> None:
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
            start=_chinese_date(start), end=_chinese_date(end), deadline=_chinese_date(deadline)
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
        body=PHOTO_CHECK_BODY.format(end=_chinese_date(end), sheets_due=_chinese_date(sheets_due)),
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

COLLECTION_UNITS = (
    dict(
        province="410000",
        name="新华社河南分社图像采集中心",
        # Seed 003, as the notice gives it.
        address="郑州市二七区紫荆山与花园路交叉口向北200米路西，新闻大厦北边三层小楼",
        phone="65975186、65582410",
    ),
    dict(
        province="360000",
        name="新华社江西分社图像采集中心",
        address="南昌市东湖区示范路 1 号新闻大楼二楼（演示地址）",
        phone="0791-8888 0001（演示号码）",
        hours="工作日 8:30—12:00，14:30—17:30",
        notes="演示数据：地址和电话均为虚构。",
    ),
    dict(
        province="430000",
        name="新华社湖南分社图像采集中心",
        address="长沙市芙蓉区示范路 2 号（演示地址）",
        phone="0731-8888 0002（演示号码）",
        notes="演示数据：地址和电话均为虚构。",
    ),
)


def _write_collection_units() -> None:
    # The directory is shared with real units: add only the ones not there yet.
    for unit in COLLECTION_UNITS:
        defaults = {k: v for k, v in unit.items() if k not in ("province", "name")}
        CollectionUnit.objects.get_or_create(
            province=unit["province"], name=unit["name"], defaults=defaults
        )


# --- Portraits ----------------------------------------------------------------------------

PHOTO_SIZE = (358, 441)
THUMBNAIL_SIZE = (120, round(441 * 120 / 358))
_BACKGROUNDS = ((255, 255, 255), (236, 244, 252), (206, 228, 248), (170, 208, 242), (67, 142, 219))
_SKIN = ((248, 222, 200), (242, 210, 184), (236, 200, 172), (228, 190, 160), (218, 178, 146))
_HAIR = ((18, 18, 20), (32, 26, 24), (48, 36, 28), (26, 22, 30), (60, 45, 35))
_CLOTHES = (
    (28, 36, 62), (32, 32, 34), (240, 240, 242), (92, 96, 106), (118, 32, 42), (40, 72, 122),
    (58, 88, 68), (150, 150, 158),
)  # fmt: skip


def portrait_jpeg(*, token: str, sex: str) -> tuple[bytes, bytes]:
    """A drawn head-and-shoulders ID photo and its thumbnail, both JPEG. The token seeds the
    colours and proportions, so each photo differs and a token always gives the same bytes."""
    rng = random.Random(token)
    image = Image.new("RGB", PHOTO_SIZE, _jitter(rng, rng.choice(_BACKGROUNDS), 4))
    skin, hair, clothes = (_jitter(rng, rng.choice(p)) for p in (_SKIN, _HAIR, _CLOTHES))
    _draw_figure(ImageDraw.Draw(image), rng, skin=skin, hair=hair, clothes=clothes, sex=sex)
    thumbnail = image.resize(THUMBNAIL_SIZE, Image.Resampling.BILINEAR)
    return _jpeg(image, 88), _jpeg(thumbnail, 85)


def _jitter(rng: random.Random, colour: tuple[int, ...], amount: int = 8) -> tuple[int, ...]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def _shade(colour: tuple[int, ...], factor: float) -> tuple[int, ...]:
    return tuple(int(c * factor) for c in colour)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _draw_figure(d: ImageDraw.ImageDraw, rng: random.Random, *, skin, hair, clothes, sex) -> None:
    width, _ = PHOTO_SIZE
    cx = width // 2 + rng.randint(-6, 6)
    hw = rng.randint(74, 84)  # half the head's width
    hh = int(hw * rng.uniform(1.22, 1.32))  # half its height
    top = rng.randint(62, 78)
    cy, chin = top + hh, top + 2 * hh
    if sex == "2":  # long hair, falling behind the shoulders
        fall = cy + hh + rng.randint(30, 70)
        d.rounded_rectangle((cx - hw - 14, cy - hh // 3, cx + hw + 14, fall), radius=40, fill=hair)
    # Shoulders start just below the chin, as in an ID photo.
    d.ellipse((cx - 190, chin + 34, cx + 190, chin + 400), fill=clothes)
    neck = _shade(skin, 0.9)
    d.rectangle((cx - 28, chin - 40, cx + 28, chin + 50), fill=neck)
    d.polygon([(cx - 28, chin + 40), (cx, chin + 72), (cx + 28, chin + 40)], fill=neck)
    if clothes[0] < 200:  # a white collar under dark clothes
        for s in (-1, 1):
            collar = [(cx + s * 30, chin + 36), (cx, chin + 74), (cx + s * 10, chin + 82)]
            d.polygon([*collar, (cx + s * 46, chin + 44)], fill=(246, 246, 246))
    for s in (-1, 1):  # ears
        d.ellipse((cx + s * hw - 12, cy - 16, cx + s * hw + 12, cy + 26), fill=_shade(skin, 0.95))
    d.ellipse((cx - hw, top, cx + hw, chin), fill=skin)
    fringe = rng.randint(int(hh * 0.55), int(hh * 0.8))
    d.chord((cx - hw - 5, top - 12, cx + hw + 5, top + 2 * fringe), 180, 360, fill=hair)
    _draw_face(
        d, cx=cx, eyes=top + int(hh * 0.95), spread=int(hw * 0.42), hh=hh, skin=skin, hair=hair
    )


def _draw_face(d: ImageDraw.ImageDraw, *, cx, eyes, spread, hh, skin, hair) -> None:
    for s in (-1, 1):
        x = cx + s * spread
        d.line((x - 13, eyes - 14, x + 13, eyes - 15), fill=_shade(hair, 1.2), width=4)
        d.ellipse((x - 7, eyes - 4, x + 7, eyes + 5), fill=(40, 32, 30))
    d.line((cx, eyes + 8, cx - 4, eyes + 34, cx + 3, eyes + 36), fill=_shade(skin, 0.8), width=2)
    mouth = eyes + int(hh * 0.62)
    d.arc((cx - 16, mouth - 10, cx + 16, mouth + 6), 20, 160, fill=(170, 90, 90), width=3)


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
