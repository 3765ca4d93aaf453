"""The plan (pure, decided by the seed alone): every person and state of the demo, for the
classes laid out in `classes.py`."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from accounts.models import Role
from imaging.models import PhotoKind, PhotoState
from portal.demo.classes import PlannedClass, class_sizes, plan_classes, special_seats
from portal.demo.constants import (
    _DISPUTE_COMMENTS,
    _FIXED_NAMES,
    _FORCED_PHOTOS,
    _FORCED_STATES,
    _PHOTO_PRESENCE_CARDS,
    _PHOTO_STATE_CARDS,
    _STATE_CARDS,
    ACCOUNT_SHARE,
    COLLEGES,
    CORRECTED,
    MAX_STUDENTS,
    MIN_STUDENTS,
    MONITOR,
    RECONFIRMED,
    REJECTED,
    REPORTED,
    STUDENT,
    TAKEN_ID,
    UNREGISTERED,
    UNSEEN,
    UPGRADE_ADMISSION,
    UPGRADE_CERTIFICATES,
    UPGRADE_PENDING,
    WITHDRAWN,
)
from portal.demo.degrees import PlannedDegrees, plan_degrees
from portal.demo.names import (
    _birth,
    _ethnicity_item,
    _name_item,
    _origin,
    _origin_item,
    _phone,
    _random_name,
    _study_form,
)
from portal.lib import idnumbers
from records.models import Level, RecordStatus, ReportState


class DemoError(Exception):
    """A demo that cannot be written; the message says why, in Chinese."""


# --- The plan: pure, decided by the seed alone -------------------------------------------


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
    # 专升本: the year she entered 本科 (her class's cohort otherwise), the 专科 certificate
    # number the roster gives, and the ID number her 学籍 had before a correction.
    admission_year: int = 0
    prior_certificate_number: str = ""
    former_id_number: str = ""


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
    degrees: PlannedDegrees | None = None


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
    classes = plan_classes(students)
    ctx = _Context(
        rng=rng,
        classes=classes,
        states=_Deck(rng, _STATE_CARDS),
        photo_presence=_Deck(rng, _PHOTO_PRESENCE_CARDS),
        photo_states=_Deck(rng, _PHOTO_STATE_CARDS),
    )
    specials = special_seats(classes)
    people = []
    for index, seats in enumerate(class_sizes(students, len(classes))):
        for seat in range(1, seats + 1):
            person = _plan_person(ctx, index, seat, specials.get((index, seat), ""))
            _plan_progress(ctx, person)
            people.append(person)
    taken = next(i for i, p in enumerate(people) if p.special == TAKEN_ID)
    _plan_replaced_photo(rng, people)
    _plan_diplomas(rng, classes, people)
    plan = DemoPlan(
        seed=seed,
        classes=classes,
        students=people,
        staff=_plan_staff(rng, classes),
        monitors=_plan_monitors(people),
        old_account_phone=ctx.unique(lambda: _phone(rng)),
        taken_id_student=taken,
    )
    plan.degrees = plan_degrees(rng, plan, ctx.unique)
    return plan


def _check_size(students: int) -> None:
    if not MIN_STUDENTS <= students <= MAX_STUDENTS:
        raise DemoError(
            f"演示学生人数应在 {MIN_STUDENTS} 到 {MAX_STUDENTS} 之间，收到 {students}。"
        )


def _plan_person(ctx: _Context, klass: int, seat: int, special: str) -> PlannedStudent:
    rng, spec = ctx.rng, ctx.classes[klass]
    surname, given, sex = _FIXED_NAMES.get(special) or _random_name(rng, special)
    # A 专升本 student entered 本科 two years after the class, three years after her 专科.
    upgrade = special in UPGRADE_CERTIFICATES
    admission = UPGRADE_ADMISSION if upgrade else spec.cohort
    birth = _birth(rng, admission - 3 if upgrade else admission)
    region, origin, ethnicity = _origin(rng)
    id_number = ctx.unique(lambda: idnumbers.generate(rng=rng, region=region, birth=birth, sex=sex))
    # 考生号: 2-digit year, the 6-digit region of the examination, 6 digits.
    examinee = ctx.unique(lambda: f"{admission % 100:02d}{origin}{rng.randrange(10**6):06d}")
    study_form, category = _study_form(rng, spec)
    person = PlannedStudent(
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
        student_number=f"{admission}{spec.code[4:8]}{spec.number}{seat:03d}",
        study_form=study_form,
        category=category,
    )
    if upgrade:
        person.admission_year = admission
        person.prior_certificate_number = UPGRADE_CERTIFICATES[special]
    if special == UPGRADE_PENDING:
        # The 专科 school collected her number with a wrong sequence digit (seed 002:
        # "学历数据中的身份证号采集错误"); her 学籍 was corrected, her 专科 degree was not.
        person.former_id_number = ctx.unique(
            lambda: idnumbers.generate(rng=rng, region=region, birth=birth, sex=sex)
        )
    return person


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
    if person.former_id_number:
        return PlannedReport(
            items=[("id_number", person.former_id_number, person.id_number)],
            explanation="专科学校当年采集的身份证号码有误，与身份证不一致；附户口本和身份证。",
            state=ReportState.ACCEPTED,
        )
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


def _birth_date_report(rng: random.Random, person: PlannedStudent) -> PlannedReport:
    claimed = person.birth + datetime.timedelta(days=rng.choice((-365, -31, 30, 61)))
    return PlannedReport(
        items=[("birth_date", chinese_date(person.birth), chinese_date(claimed))],
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


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"
