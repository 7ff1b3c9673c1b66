"""Celery tasks of the fairness dashboard: they take ids, are idempotent and acknowledge late.

Idempotent: a report whose input fingerprint is unchanged is not recomputed, so a retried or
duplicated task changes nothing. ``acks_late``: a task whose worker dies is redelivered.
"""

import logging

from celery import shared_task

from expo.conferences.models import Conference
from fairness.services import reports_refresh

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_reports(conference_id: int, force: bool = False) -> int:
    """Recompute the conference's stale fairness reports; returns how many were computed."""
    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is None:
        logger.info("Conference %s no longer exists; no fairness report to refresh.", conference_id)
        return 0
    return reports_refresh(conference=conference, force=force)
