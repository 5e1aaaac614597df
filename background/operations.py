"""What the operations page shows: recent tasks of the database backend, and the schedule."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime

from crontask import scheduler
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from django_tasks_db.models import DBTaskResult

VISIBLE = ("READY", "RUNNING", "FAILED")


def tasks_recent(limit: int = 100) -> list[DBTaskResult]:
    """Queued, running and failed tasks, newest first (successful ones are not news)."""
    return list(DBTaskResult.objects.filter(status__in=VISIBLE).order_by("-enqueued_at")[:limit])


@transaction.atomic
def task_retry(*, task_id: str) -> None:
    """Queue a failed task again with the same arguments."""
    result = DBTaskResult.objects.filter(pk=task_id, status="FAILED").first()
    if result is None:
        return
    args = result.args_kwargs
    result.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))


@dataclass(frozen=True)
class ScheduleRow:
    name: str
    trigger: str
    next_run: datetime | None
    last_status: str
    last_finished: datetime | None


def _load_schedule() -> None:
    # What `manage.py crontask` does at its start: each app's tasks module registers its jobs.
    for config in apps.get_app_configs():
        if config.name != "crontask" and module_has_submodule(config.module, "tasks"):
            importlib.import_module(f"{config.name}.tasks")


def schedule_rows() -> list[ScheduleRow]:
    _load_schedule()
    now = timezone.now()
    rows = []
    for job in scheduler.get_jobs():
        path = job.name
        last = (
            DBTaskResult.objects.filter(task_path__endswith=f".{path}")
            .order_by("-enqueued_at")
            .first()
        )
        rows.append(
            ScheduleRow(
                name=path,
                trigger=str(job.trigger),
                next_run=job.trigger.get_next_fire_time(None, now),
                last_status=last.status if last else "",
                last_finished=last.finished_at if last else None,
            )
        )
    return sorted(rows, key=lambda row: row.name)
