"""python manage.py import_photos FILE.zip --kind KIND [--institution CODE] [--source TEXT]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imaging.batches import photo_batch_import
from imaging.errors import PhotoError
from imaging.models import EntryOutcome, PhotoKind
from records.models import Institution

KINDS = {**{v: v for v in PhotoKind.values}, **{str(label): v for v, label in PhotoKind.choices}}


class Command(BaseCommand):
    help = "导入一批照片（zip，文件名为证件号码或考生号）：逐个匹配学籍、校验、规范化后存储。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="照片压缩包（.zip）")
        parser.add_argument(
            "--kind",
            required=True,
            choices=sorted(KINDS),
            help="照片类型：admission、enrollment、diploma（或 录取照片、学籍照片、学历照片）",
        )
        parser.add_argument("--institution", help="院校代码（5 位）；只有一所院校时可省略")
        parser.add_argument(
            "--source", default="新华社", help="来源，例如：新华社河南分社 2023 年采集"
        )

    def handle(self, *args, file, kind, institution, source, **options):
        if not Path(file).is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            batch = photo_batch_import(
                archive=file,
                kind=KINDS[kind],
                institution=self._institution(institution),
                source=source,
            )
        except PhotoError as exc:
            raise CommandError(exc.message) from exc
        for entry in batch.entries.exclude(
            outcome__in=[EntryOutcome.ADDED, EntryOutcome.REPLACED, EntryOutcome.UNCHANGED]
        ):
            self.stderr.write(f"{entry.get_outcome_display()}：{entry.name}：{entry.reason}")
        counts = batch.counts
        summary = "，".join(f"{label} {counts[value]}" for value, label in EntryOutcome.choices)
        self.stdout.write(f"批次 #{batch.pk}（{batch}）：{summary}。")

    def _institution(self, code):
        if code:
            try:
                return Institution.objects.get(code=code)
            except Institution.DoesNotExist as exc:
                raise CommandError(f"没有院校代码为 {code} 的院校。") from exc
        institutions = list(Institution.objects.all()[:2])
        if len(institutions) != 1:
            raise CommandError("请用 --institution 指定院校代码。")
        return institutions[0]
