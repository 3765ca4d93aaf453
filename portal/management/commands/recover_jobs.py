"""`manage.py recover_jobs [--every 60]`: re-enqueue the jobs whose worker died.

Every worker does this by itself, at start and every half minute (portal.worker.housekeeping,
docs/deploy.md); the command is for an operator who wants it done now. It is safe to run
on several machines at once (portal.lib.jobs.jobs_recover).
"""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from portal.lib.jobs import RECOVER_GRACE, jobs_recover


class Command(BaseCommand):
    help = "重新排队处理进程已中断的后台任务（可与处理进程一同定时运行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="每隔多少秒检查一次（默认只检查一次）"
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=RECOVER_GRACE.total_seconds(),
            help="排队任务超过多少秒仍未开始才视为丢失",
        )

    def handle(self, *args, every: float, grace: float, **options):
        while True:
            close_old_connections()
            for job in jobs_recover(grace=timedelta(seconds=grace)):
                self.stdout.write(f"recovered job {job.pk} ({job.kind}): {job.title}")
            if not every:
                return
            time.sleep(every)
