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
