"""Celery tasks of the review workflow. They take ids, are idempotent and safe to retry."""

import logging

from celery import shared_task

from reviews.services import DeliveryFailed, outbox_deliver

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=30,
    # Below the broker's visibility timeout (3600 s), so a waiting retry is never redelivered
    # as a second copy.
    retry_backoff_max=1800,
    max_retries=8,
)
def outbox_send(message_id: int) -> bool:
    """Send one outbox message; a retry, or a duplicate task, finds it sent and does nothing."""
    return outbox_deliver(message_id=message_id)


def outbox_send_later(message_id: int) -> None:
    """Hand a message to the queue; if the queue is down (or, with eager tasks, the mail server
    fails), log it and leave the row for the sweeper (``expo.sweeper``) instead of failing the
    page."""
    try:
        outbox_send.delay(message_id)
    except Exception:  # broker or eager-delivery errors; the outbox row keeps the work
        logger.exception("Could not hand outbox message %s to the task queue", message_id)
