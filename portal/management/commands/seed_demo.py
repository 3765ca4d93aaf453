"""`manage.py seed_demo`: the demo university, its students and the demo log-ins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import (
    DEFAULT_SEED,
    DEFAULT_STUDENTS,
    INSTITUTION_CODE,
    INSTITUTION_NAME,
    DemoError,
    demo_build,
    format_logins,
)
from portal.lib.db import refresh_planner_statistics


class Command(BaseCommand):
    help = "生成演示数据：一所虚构的大学、两个年级的学生和各角色的演示账号（已存在时不做更改）"

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS, help="学生人数")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="演示数据已存在时只列出演示账号（make serve 每次启动都会调用）",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="DEBUG 关闭时也生成（仅供压测和集群测试；演示账号的密码是公开的）",
        )

    def handle(
        self, *args, students: int, seed: int, if_empty: bool, allow_without_debug: bool, **options
    ):
        # The demo log-ins (an admin among them) share one password printed in the README:
        # on a server with DEBUG off that is an open door, unless someone asks for it.
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "DEBUG 未开启：演示数据含公开密码的管理员账号，不能在正式服务器上生成。"
                "仅在压测或测试中需要时，请加 --allow-without-debug。"
            )
        try:
            result = demo_build(students=students, seed=seed, stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if result.created:
            refresh_planner_statistics()
            self.stdout.write(self.style.SUCCESS(result.summary))
        elif if_empty:
            self.stdout.write("演示数据已存在，未重新生成。")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"演示数据已存在（{INSTITUTION_NAME}，院校代码 {INSTITUTION_CODE}），"
                    "本次未做任何更改。如需重新生成，请换用一个空数据库。"
                )
            )
        self.stdout.write(format_logins(result.logins, password=settings.DEMO_PASSWORD))
