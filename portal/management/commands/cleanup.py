"""`manage.py cleanup`: expired sessions and codes, old export files, finished task results
and expired throttle counters (portal/cleanup.py). The worker runs it once a day."""

from django.core.management.base import BaseCommand

from portal.cleanup import cleanup

LABELS = {
    "sessions": "过期会话",
    "codes": "过期验证码",
    "messages": "已发送或已放弃的消息",
    "exports": "过期导出文件",
    "task_results": "已结束的任务记录",
    "throttle_counters": "过期限流计数",
}


class Command(BaseCommand):
    help = "清理过期会话、验证码、导出文件、任务记录和限流计数（处理进程每天自动运行）"

    def handle(self, *args, **options):
        removed = cleanup()
        self.stdout.write("清理完成：" + "，".join(f"{LABELS[k]} {n}" for k, n in removed.items()))
