"""python manage.py export_feedback --notice N (--class CODE | --college CODE) -o FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notices.exports import FeedbackWorkbook
from notices.feedback import class_rows, college_rows, row_students
from notices.models import FeedbackSheet, Notice
from portal.lib.audit import log_access
from portal.lib.numbers import parse_id
from records.models import College, SchoolClass


class Command(BaseCommand):
    help = "导出班级反馈表（一个班级一个文件，或一个学院一个工作簿、每班一个工作表）。"

    def add_arguments(self, parser):
        parser.add_argument("--notice", required=True, help="通知的编号（id）或文号")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--class", dest="school_class", help="班号")
        target.add_argument("--college", help="学院代码")
        parser.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")

    def handle(self, *args, **options):
        notice = self._notice(options["notice"])
        book = FeedbackWorkbook(notice)
        sheets = {s.school_class_id: s for s in FeedbackSheet.objects.filter(notice=notice)}
        if options["school_class"]:
            school_class = self._class(notice, options["school_class"])
            classes = [(school_class, class_rows(notice, school_class))]
        else:
            classes = college_rows(notice, self._college(notice, options["college"]))
        if not classes:
            raise CommandError("该学院没有本通知涉及的班级。")
        for school_class, rows in classes:
            book.add_class(school_class, rows, sheets.get(school_class.pk))
        book.save(options["output"])
        # PIPL: a file of every student in it left the portal; the shell has no person
        # logged in, so the event says 系统 and names the file and the students.
        log_access(
            None,
            "notices.feedback_exported",
            notice,
            students=[ref for _class, rows in classes for ref in row_students(rows)],
            changes={"command": "export_feedback", "file": Path(options["output"]).name},
        )
        students = sum(len(rows) for _class, rows in classes)
        self.stdout.write(f"{options['output']}: {len(classes)} 个班级，{students} 名学生。")

    def _notice(self, key: str) -> Notice:
        notices = Notice.objects.prefetch_related("audience")
        found = list(notices.filter(number=key))
        if not found and parse_id(key) is not None:
            found = list(notices.filter(pk=parse_id(key)))
        if len(found) != 1:
            raise CommandError(f"找不到唯一的通知：{key}")
        if not found[0].has_task:
            raise CommandError("该通知没有校对任务，没有反馈表。")
        return found[0]

    def _class(self, notice: Notice, code: str) -> SchoolClass:
        school_class = (
            SchoolClass.objects.select_related("college")
            .filter(institution=notice.institution, code=code)
            .first()
        )
        if school_class is None:
            raise CommandError(f"找不到班级：{code}")
        return school_class

    def _college(self, notice: Notice, code: str) -> College:
        college = College.objects.filter(institution=notice.institution, code=code).first()
        if college is None:
            raise CommandError(f"找不到学院：{code}")
        return college
