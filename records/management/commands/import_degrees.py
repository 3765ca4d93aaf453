"""python manage.py import_degrees FILE.xlsx [--dry-run]: the registrar's degree upload,
from a shell."""

from django.core.management.base import BaseCommand, CommandError

from records.imports.degrees import degree_import
from records.imports.results import RosterImportError


class Command(BaseCommand):
    help = "导入学历名单（.xlsx）：逐行校验，全部正确才写入；--dry-run 只校验、不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="学历名单文件（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="校验并试写入，然后全部撤销")

    def handle(self, *args, file, dry_run, **options):
        try:
            result = degree_import(file=file, dry_run=dry_run)
        except RosterImportError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"发现 {len(result.errors)} 处错误，没有写入任何数据。")
        self.stdout.write(f"院校：{result.institution}")
        for label, count in result.counts():
            self.stdout.write(f"{label}：{count}")
        verb = "将" if dry_run else "已"
        if result.changes:
            self.stdout.write(f"{verb}更新的字段：")
        for change in result.changes:
            self.stdout.write(f"  {change}")
        if result.changes_more:
            self.stdout.write(f"  ……另有 {result.changes_more} 处更改未列出。")
        if dry_run:
            self.stdout.write("试导入（--dry-run）：以上为将发生的变化，数据未写入。")
