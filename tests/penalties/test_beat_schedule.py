"""The beat schedule (settings, the one place) names real tasks with time limits and
acks_late; the deadline sweep runs every 15 minutes."""

from celery.schedules import crontab
from django.conf import settings

from config.celery import app as celery_app
from penalties import tasks  # noqa: F401  (registers the tasks)


def test_every_scheduled_task_exists_with_limits_and_late_acks():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {"penalties.sweep_deadlines", "penalties.send_reminders"} <= set(schedule)
    for entry in schedule.values():
        task = celery_app.tasks[str(entry["task"])]
        assert task.acks_late is True
        assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit


def test_the_sweep_runs_every_quarter_hour():
    sweep = settings.CELERY_BEAT_SCHEDULE["penalties.sweep_deadlines"]["schedule"]
    assert sweep == crontab(minute="0,15,30,45")
