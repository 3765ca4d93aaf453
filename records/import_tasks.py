"""Where the roster import's task used to live: records.imports.tasks.

django-tasks stores a queued task by its dotted path (`records.import_tasks.import_roster`
in the database backend's task_path, RQ's func_name) and imports it by that path when a
worker runs it or a job is recovered (portal.lib.jobs). Jobs enqueued before the move
would fail with an ImportError without this alias; it may go once no such job is left."""

from records.imports.tasks import import_roster

__all__ = ["import_roster"]
