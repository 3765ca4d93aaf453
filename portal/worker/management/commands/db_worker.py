"""`manage.py db_worker`: django-tasks-db's worker, with the portal's housekeeping
(heartbeat, recovery of abandoned jobs, due messages: portal.worker)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from portal.worker.housekeeping import housekeeping


class Command(DbWorkerCommand):
    def handle(self, *args, **options):
        with housekeeping(periodic=not options["batch"]):
            super().handle(*args, **options)
