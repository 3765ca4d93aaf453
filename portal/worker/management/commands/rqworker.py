"""`manage.py rqworker`: django-rq's worker, with the portal's housekeeping (heartbeat,
recovery of abandoned jobs, due messages: portal.worker). The thread lives in the worker's
main process; RQ's forked work-horses do not inherit it."""

from django_rq.management.commands.rqworker import Command as RqWorkerCommand

from portal.worker.housekeeping import housekeeping


class Command(RqWorkerCommand):
    def handle(self, *args, **options):
        with housekeeping(periodic=not options.get("burst")):
            super().handle(*args, **options)
