"""Celery tasks of scheduling. They take ids, are idempotent and acknowledge late.

``solve_schedule`` fills a version that waits for the solver; a second delivery (after a
worker died, or a duplicate) finds the version solved and does nothing, and if two run at
once only the first to finish stores its result (see ``services.schedule_version_fill``).
Without a broker (local ``make run``) the task runs eagerly, after the request's commit.
"""

import logging

from celery import shared_task

from scheduling.services import schedule_version_fill

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def solve_schedule(version_id: int) -> bool:
    """Solve a waiting schedule version; True if this run stored the result."""
    return schedule_version_fill(version_id=version_id)


def solve_schedule_later(version_id: int) -> None:
    """Hand a version to the queue; if the queue is down, log it and leave the version waiting
    (its page offers to start the solver again) instead of failing the page."""
    try:
        solve_schedule.delay(version_id)
    except Exception:  # broker errors, or the solver's own with eager tasks
        logger.exception("Could not solve schedule version %s", version_id)
