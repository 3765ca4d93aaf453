"""The organisation of an institution and its students' records (学籍, 学历), by subject:

- `scope`: `ScopedQuerySet`. Every staff query goes through the model's `visible_to(user)`:
  "what may this user see" is written once there and tested once
  (tests/test_scope_matrix.py).
- `choices`: 层次, 学习形式, 学历类别, 学籍状态.
- `organisation`: 院校, 学院, 系, 专业, 班级.
- `enrollment`: 学籍 and 学历.
- `subjects`: what a confirmation, a report or an online report is of (a 学籍 or a 学历):
  the two keys, their constraint, their scope, `subject`.
- `checks`: what students say of their 学籍, 正确 and 有误 (with items and evidence).
- `online_reports`: 学籍在线验证报告 and 学历证书电子注册备案表.

Import from `records.models`, never from a submodule: the split is this package's business.
"""

from records.models.checks import (
    DiscrepancyEvidence,
    DiscrepancyItem,
    DiscrepancyReport,
    DiscrepancyReportQuerySet,
    EvidenceKind,
    RecordConfirmation,
    RecordConfirmationQuerySet,
    ReportState,
    SubjectKind,
    evidence_path,
)
from records.models.choices import (
    Category,
    CheckResult,
    GraduationKind,
    Level,
    RecordStatus,
    StudyForm,
)
from records.models.enrollment import (
    DegreeRecord,
    DegreeRecordQuerySet,
    EnrollmentRecord,
    EnrollmentRecordQuerySet,
)
from records.models.online_reports import OnlineReport, OnlineReportQuerySet, ReportKind
from records.models.organisation import (
    College,
    CollegeQuerySet,
    Department,
    Institution,
    InstitutionQuerySet,
    Major,
    SchoolClass,
    SchoolClassQuerySet,
)
from records.models.scope import ScopedQuerySet

__all__ = [
    "Category",
    "CheckResult",
    "College",
    "CollegeQuerySet",
    "DegreeRecord",
    "DegreeRecordQuerySet",
    "Department",
    "DiscrepancyEvidence",
    "DiscrepancyItem",
    "DiscrepancyReport",
    "DiscrepancyReportQuerySet",
    "EnrollmentRecord",
    "EnrollmentRecordQuerySet",
    "EvidenceKind",
    "GraduationKind",
    "Institution",
    "InstitutionQuerySet",
    "Level",
    "Major",
    "OnlineReport",
    "OnlineReportQuerySet",
    "RecordConfirmation",
    "RecordConfirmationQuerySet",
    "RecordStatus",
    "ReportKind",
    "ReportState",
    "SchoolClass",
    "SchoolClassQuerySet",
    "ScopedQuerySet",
    "StudyForm",
    "SubjectKind",
    "evidence_path",
]
