"""python manage.py import_roster FILE.xlsx [--dry-run]: the registrar's upload, from a shell."""

from django.core.management.base import BaseCommand, CommandError

from records.imports import RosterImportError, roster_import


class Command(BaseCommand):
    help = "导入学生名单（.xlsx）：逐行校验，全部正确才写入；--dry-run 只校验、不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="校验并试写入，然后全部撤销")

    def handle(self, *args, file, dry_run, **options):
        try:
            result = roster_import(file=file, dry_run=dry_run)
        except RosterImportError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"发现 {len(result.errors)} 处错误，没有写入任何数据。")
        created = "（新建）" if result.institution_created else ""
        self.stdout.write(f"院校：{result.institution}{created}")
        self.stdout.write(
            f"新建 {result.created} 条，更新 {result.updated} 条，未变 {result.unchanged} 条。"
        )
        if dry_run:
            self.stdout.write("试导入（--dry-run）：以上为将发生的变化，数据未写入。")
