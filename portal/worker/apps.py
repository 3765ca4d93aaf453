from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """Only the wrapped worker commands (portal.worker): listed before django_tasks_db and
    django_rq in INSTALLED_APPS, so that `db_worker` and `rqworker` are these."""

    name = "portal.worker"
    label = "portal_worker"
