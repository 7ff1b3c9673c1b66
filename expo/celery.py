"""Celery application.

With no ``CELERY_BROKER_URL`` the settings turn on ``CELERY_TASK_ALWAYS_EAGER`` so that a
newcomer's ``make run`` needs no Redis; production and CI use Redis and a real worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expo.settings")

app = Celery("expo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# expo/ is a project package, not an installed app: name its task module explicitly.
app.autodiscover_tasks(["expo"], related_name="sweeper")

# Celery beat: re-queue work the broker never got or a dead worker lost (docs/operations.md).
# ``expires`` drops a sweep that waited longer than one interval (workers down): the next one
# finds the same work, so stale sweeps need not pile up.
SWEEP_SECONDS = 300.0
app.conf.beat_schedule = {
    "sweep-missed-work": {
        "task": "expo.sweeper.sweep",
        "schedule": SWEEP_SECONDS,
        "options": {"expires": SWEEP_SECONDS - 10},
    },
}
