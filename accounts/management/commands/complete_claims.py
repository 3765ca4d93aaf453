"""`manage.py complete_claims [--every 300]`: complete every identity claim whose dispute
window has passed without objection (accounts.services.claims).

The worker's deferred task does this on time; the sweep is for set-ups whose task
back-end cannot defer (RQ without its scheduler) and for recovery. Safe to run any time,
on several machines at once: each claim is completed under its row lock, once.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from accounts.models import ClaimState
from accounts.services.claims import claims_complete_due


class Command(BaseCommand):
    help = "完成等待期已满且无异议的身份申领（可定时运行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="每隔多少秒检查一次（默认只检查一次）"
        )

    def handle(self, *args, every: float, **options):
        while True:
            for claim in claims_complete_due():
                word = "completed" if claim.state == ClaimState.COMPLETED else claim.state
                self.stdout.write(f"claim {claim.pk} ({claim.route}): {word}")
            if not every:
                return
            time.sleep(every)
            close_old_connections()  # a long-running sweep must not keep a dead connection
