"""The classes of the demo (part of the plan): how many of which major and cohort, how many
students each, and the seats of the demo log-ins and the special cases."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from portal.demo.constants import (
    CLASS_SIZE,
    COLLEGES,
    GRADUATE,
    GRADUATION_YEAR,
    MAJORS,
    MONITOR,
    NEW_COHORT,
    RARE_NAMES,
    STUDENT,
    TAKEN_ID,
    UNREGISTERED,
    UPGRADE,
    UPGRADE_PENDING,
    WITHDRAWN,
    MajorSpec,
)
from records.models import Level


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


def plan_classes(students: int) -> list[PlannedClass]:
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


def class_sizes(students: int, classes: int) -> list[int]:
    base, extra = divmod(students, classes)
    return [base + (i < extra) for i in range(classes)]


def special_seats(classes: list[PlannedClass]) -> dict[tuple[int, int], str]:
    graduate_class = next(i for i, c in enumerate(classes) if c.graduating and c.college == "01")
    # Every demo has a 2023级 本科 class (经济管理学院's comes first in its college).
    bachelor_class = next(
        i for i, c in enumerate(classes) if not c.graduating and c.major.level == Level.BACHELOR
    )
    seats = {
        (bachelor_class, 7): UPGRADE,
        (bachelor_class, 8): UPGRADE_PENDING,
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
