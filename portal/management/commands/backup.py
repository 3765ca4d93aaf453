"""`manage.py backup [--output DIR]`: the database and the private files, in one directory.

See portal/lib/backup.py for what a backup holds, and docs/deploy.md for when to run it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.lib.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和私有文件（照片、扫描件、证明材料、导出文件）到一个新目录"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(str(settings.BACKUP_DIR)),
            help="备份存放的目录（默认 BACKUP_DIR）",
        )

    def handle(self, *args, output: Path, **options):
        try:
            target = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"备份完成：{target}"))
