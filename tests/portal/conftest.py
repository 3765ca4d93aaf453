"""Fixtures of the job tests (portal.lib.jobs): a registrar who owns the jobs, and a queue
whose tasks wait until the test runs them, as a worker would."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks import default_task_backend

from accounts.models import Role
from tests import factories

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def owner(db):
    return factories.user(Role.REGISTRAR)


@pytest.fixture
def queue():
    """Tasks wait in the dummy backend until the test runs them, as a worker would."""
    with override_settings(TASKS=DUMMY):
        default_task_backend.clear()
        yield default_task_backend
        default_task_backend.clear()


def run_queued(queue, *, keep: bool = False) -> None:
    """Run every task waiting in `queue`, each taken off it as a worker takes it; with
    `keep`, each stays listed with its status (as the backend keeps a result), so that
    the next run delivers it again: a duplicate delivery."""
    for result in list(queue.results):
        if not keep:
            queue.results.remove(result)
        result.task.call(*result.args, **result.kwargs)
