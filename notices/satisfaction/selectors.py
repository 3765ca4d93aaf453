"""Reads of the satisfaction evaluation: who is invited (and for which record), and the
results per college and per major, as a member of staff may read them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from notices.models import (
    SATISFACTION_ITEMS,
    Notice,
    NoticeState,
    SatisfactionEvaluation,
    SatisfactionParticipant,
)
from notices.selectors import notice_is_for, notices_for_records
from notices.student import DONE, student_records, student_tasks
from records.models import EnrollmentRecord, Level
from records.panels import Panel

# A group with fewer answers than this shows no figure (count, means, distribution, words).
MINIMUM = 5
SCORES = (1, 2, 3, 4, 5)

# Invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """The evaluation of one notice's task, as one student meets it. `record`: the record it
    is about (学院, 专业, 层次, 年级); `checked`: her self-check is done (正确, or the
    notice's whole task done), the moment the evaluation is offered; `evaluated`: 已评价."""

    notice: Notice
    record: EnrollmentRecord
    checked: bool
    evaluated: bool

    @property
    def is_open(self) -> bool:
        return self.checked and not self.evaluated


def _invitation(notice: Notice, records: list, evaluated: set[int]) -> Invitation | None:
    """`records`: the student's own (notices.student.student_records)."""
    if notice.state != NoticeState.PUBLISHED or not notice.has_task:
        return None
    mine = [record for record in records if notice_is_for(notice, record)]
    if not mine:
        return None
    confirmed = [record for record in mine if record.is_confirmed]
    done = bool(confirmed) or student_tasks([notice], mine)[0].state == DONE
    return Invitation(notice, (confirmed or mine)[0], done, notice.pk in evaluated)


def invitation_for(notice: Notice, user, records: Iterable | None = None) -> Invitation | None:
    """The evaluation of `notice` for this student, or None: not a student, the notice not
    published or without a task, or none of her records in its audience. `records`: hers
    as notices.student.student_records reads them, when the caller has them."""
    if not user.is_authenticated or not user.is_student:
        return None
    records = list(student_records(user) if records is None else records)
    evaluated = set(
        SatisfactionParticipant.objects.filter(notice=notice, user=user).values_list(
            "notice_id", flat=True
        )
    )
    return _invitation(notice, records, evaluated)


def record_invitation_panels(records: list) -> dict[int, Panel]:
    """The invitation on 学籍信息 right after 正确 (records.panels, registered in
    notices.apps): under each record she has confirmed (is_confirmed, as the page reads
    it), the evaluation of every published task of hers, with its link or 已评价. Nothing,
    and no query, until she has confirmed one (a task done otherwise, e.g. photos only, is
    offered on the notice's page); two queries after, whatever the number of notices;
    nothing for records of several people."""
    confirmed = [r for r in records if r.user_id and getattr(r, "is_confirmed", False)]
    owners = {record.user_id for record in confirmed}
    if len(owners) != 1:
        return {}
    notices = [notice for notice in notices_for_records(confirmed) if notice.has_task]
    if not notices:
        return {}
    evaluated = set(
        SatisfactionParticipant.objects.filter(
            user_id=owners.pop(), notice_id__in=[n.pk for n in notices]
        ).values_list("notice_id", flat=True)
    )
    panels = {}
    for record in confirmed:
        found = [_invitation(notice, [record], evaluated) for notice in notices]
        shown = [item for item in found if item is not None]
        if shown:
            panels[record.pk] = Panel("notices/satisfaction/_invitation.html", record, shown)
    return panels


# Results --------------------------------------------------------------------------------


@dataclass
class Item:
    """One item of a group: its mean and how many gave each score 1–5."""

    name: str
    label: str
    counts: list[int]

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float:
        return sum(s * c for s, c in zip(SCORES, self.counts, strict=True)) / self.n

    @property
    def shares(self) -> list[tuple[int, int, int]]:
        """(score, count, percent) per score."""
        return [(s, c, round(100 * c / self.n)) for s, c in zip(SCORES, self.counts, strict=True)]


@dataclass
class Group:
    """The answers of a college, of a major within it, or of everything in scope. `hidden`:
    no figure is shown (fewer than MINIMUM answers, or `shielding` a smaller group that
    subtraction would reveal)."""

    label: str
    n: int = 0
    counts: dict[str, list[int]] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    children: list[Group] = field(default_factory=list)
    hidden: bool = False
    shielding: bool = False
    key: int | None = None

    @property
    def too_few(self) -> bool:
        return self.n < MINIMUM

    @property
    def items(self) -> list[Item]:
        return [Item(name, label, self.counts[name]) for name, label in item_labels()]

    def add(self, n: int, counts: dict[str, list[int]]) -> None:
        self.n += n
        for name in SATISFACTION_ITEMS:
            mine = self.counts.setdefault(name, [0] * len(SCORES))
            for index, count in enumerate(counts[name]):
                mine[index] += count


@dataclass
class Results:
    total: Group
    colleges: list[Group]


def item_labels() -> list[tuple[str, str]]:
    fields = {f.name: f for f in SatisfactionEvaluation._meta.get_fields()}
    return [(name, str(fields[name].verbose_name)) for name in SATISFACTION_ITEMS]


def answers_in_scope(notice: Notice, user):
    """The answers to `notice` this member of staff may count (registrar: her institution's;
    college: its own college's), fresh each call."""
    return SatisfactionEvaluation.objects.visible_to(user).filter(notice=notice)


def satisfaction_results(notice: Notice, user) -> Results:
    """Every college in scope with its majors: counts per score of every item, in one
    grouped query (a row per college and major), and the words in one more. Then the
    groups that must not show a figure are marked `hidden` (hide_small)."""
    answers = answers_in_scope(notice, user)
    score_counts = {
        f"{name}_{score}": Count("pk", filter=Q(**{name: score}))
        for name in SATISFACTION_ITEMS
        for score in SCORES
    }
    rows = (
        answers.values("college_id", "college__name", "major_id", "major__name", "major__level")
        .annotate(n=Count("pk"), **score_counts)
        .order_by("college__code", "college_id", "major__name", "major__level", "major_id")
    )
    total, colleges = Group(_("全部")), {}
    for row in rows:
        counts = {name: [row[f"{name}_{s}"] for s in SCORES] for name in SATISFACTION_ITEMS}
        college = colleges.get(row["college_id"])
        if college is None:
            college = colleges[row["college_id"]] = Group(
                row["college__name"], key=row["college_id"]
            )
        major = Group(_major_label(row), key=row["major_id"])
        for group in (total, college, major):
            group.add(row["n"], counts)
        college.children.append(major)
    total.children = list(colleges.values())
    words = answers.exclude(words="").order_by("college_id", "words")
    for college_id, text in words.values_list("college_id", "words"):
        colleges[college_id].words.append(text)
    hide_small(total)
    return Results(total=total, colleges=total.children)


def _major_label(row: dict) -> str:
    return f"{row['major__name']}（{Level(row['major__level']).label}）"


def hide_small(group: Group) -> None:
    """Mark every group without figures: fewer than MINIMUM answers; and among a group's
    parts, when those hidden add up to fewer than MINIMUM, the smallest shown part too
    (again, until they reach MINIMUM), because the whole minus the parts shown would give
    the hidden ones away. Applied from the top down."""
    if group.too_few:
        group.hidden = True
    parts = group.children
    for part in parts:
        part.hidden = part.hidden or group.hidden or part.too_few
    hidden = sum(part.n for part in parts if part.hidden)
    shown = sorted((part for part in parts if not part.hidden), key=lambda part: part.n)
    while 0 < hidden < MINIMUM and shown:
        part = shown.pop(0)
        part.hidden = part.shielding = True
        hidden += part.n
    for part in parts:
        hide_small(part)
