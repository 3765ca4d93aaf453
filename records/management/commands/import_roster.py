"""python manage.py import_roster FILE.xlsx [--dry-run] [--allow-new-colleges] [--strict]:
the registrar's upload, from a shell."""

from django.core.management.base import BaseCommand, CommandError

from records.imports import RosterImportError, roster_import


class Command(BaseCommand):
    help = "导入学生名单（.xlsx）：逐行校验，全部正确才写入；--dry-run 只校验、不写入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="名单文件（.xlsx）")
        parser.add_argument("--dry-run", action="store_true", help="校验并试写入，然后全部撤销")
        parser.add_argument(
            "--allow-new-colleges",
            action="store_true",
            help="允许新建名单中系统里没有的分院、专业（否则拒绝导入并列出这些名称）",
        )
        parser.add_argument(
            "--strict", action="store_true", help="将警告（如考生号与录取年份不符）视为错误"
        )

    def handle(self, *args, file, dry_run, allow_new_colleges, strict, **options):
        try:
            result = roster_import(
                file=file, dry_run=dry_run, allow_new_colleges=allow_new_colleges, strict=strict
            )
        except RosterImportError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(str(error))
        self._warnings(result)
        if result.errors:
            raise CommandError(f"发现 {len(result.errors)} 处错误，没有写入任何数据。")
        created = "（新建）" if result.institution_created else ""
        self.stdout.write(f"院校：{result.institution}{created}")
        self.stdout.write(
            f"新建 {result.created} 条，更新 {result.updated} 条，未变 {result.unchanged} 条。"
        )
        self._changes(result, dry_run)
        if dry_run:
            self.stdout.write("试导入（--dry-run）：以上为将发生的变化，数据未写入。")

    def _warnings(self, result):
        if result.warnings:
            self.stderr.write(
                f"警告 {len(result.warnings)} 处（不影响导入；--strict 时视为错误）："
            )
        for warning in result.warnings:
            self.stderr.write(f"警告：{warning}")

    def _changes(self, result, dry_run):
        verb = "将" if dry_run else "已"
        for label, names in result.new_names_shown():
            self.stdout.write(f"{verb}新建{label}：{names}")
        if result.revoked:
            self.stdout.write(f"{verb}撤销 {result.revoked} 名学生的确认，并通知其重新校对。")
        if result.changes:
            self.stdout.write(f"{verb}更新的字段：")
        for change in result.changes:
            self.stdout.write(f"  {change}")
        if result.changes_more:
            self.stdout.write(f"  ……另有 {result.changes_more} 处更改未列出。")
