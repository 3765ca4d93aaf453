"""`manage.py send_messages`: send every queued SMS and e-mail that is due (accounts.outbox).

Every worker does this by itself every half minute (portal.worker.housekeeping); the
command is for an operator who wants the queue flushed now, e.g. after a gateway outage.
Safe beside running workers: each message is taken by one conditional UPDATE, once.
"""

from django.core.management.base import BaseCommand

from accounts.outbox import messages_send_due


class Command(BaseCommand):
    help = "立即发送到期的短信和邮件（后台处理进程每半分钟也会自动发送）"

    def handle(self, *args, **options):
        counts = messages_send_due()
        self.stdout.write(", ".join(f"{state}: {n}" for state, n in sorted(counts.items())) or "-")
