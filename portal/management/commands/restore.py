"""`manage.py restore BACKUP_DIR [--force]`: a backup into an empty database and media
directory; checks that it holds as many records, photos and accounts as the backup did."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.lib.backup import BackupError, restore


class Command(BaseCommand):
    help = "把备份恢复到空数据库和空的私有文件目录，并核对记录、照片和账号数"

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="备份目录（xueji-backup-…）")
        parser.add_argument(
            "--force", action="store_true", help="数据库或私有文件目录不为空时也覆盖"
        )

    def handle(self, *args, source: Path, force: bool, **options):
        try:
            restored = restore(source, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        c = restored.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：学籍 {c['records']} 条，照片 {c['photos']} 张，账号 {c['accounts']} 个，"
                f"私有文件 {restored.media_files} 个"
            )
        )
