"""Celery tasks of the relevance model: they take ids, are idempotent and acknowledge late.

Idempotent: a score is stored once per (proposal, model version, text hash), and a retraining
on unchanged data returns the existing version, so a retried or duplicated task changes nothing.
``acks_late``: a task whose worker dies is redelivered rather than lost.
"""

import logging

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction

from expo.conferences.models import Conference
from ranking.services import (
    ArtefactIntegrityError,
    PromotionRefused,
    TrainingDataError,
    conference_proposal_ids,
    proposal_score,
    relevance_model_promote,
    relevance_model_train,
)

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def score_proposal(proposal_id: int) -> float | None:
    """Score one proposal; returns the score, or None if it could not be scored."""
    try:
        score = proposal_score(proposal_id=proposal_id)
    except ArtefactIntegrityError as error:
        # Retrying cannot repair a tampered file; the admin must retrain or restore it.
        logger.error("Proposal %s not scored: %s", proposal_id, error)
        return None
    if score is None:
        logger.info("Proposal %s no longer exists; nothing to score.", proposal_id)
        return None
    return score.score


@shared_task(acks_late=True)
def score_all(conference_id: int) -> int:
    """Score every submitted or decided proposal of a conference; returns how many were scored."""
    scored = 0
    for proposal_id in conference_proposal_ids(conference_id):
        try:
            if proposal_score(proposal_id=proposal_id) is not None:
                scored += 1
        except ArtefactIntegrityError as error:
            logger.error("Conference %s not scored: %s", conference_id, error)
            break
    return scored


@shared_task(acks_late=True)
def retrain(conference_id: int) -> int | None:
    """Train on past decisions, register the version, activate it if the rule allows.

    Returns the new (or unchanged) version's id, or None when there is too little data. When a
    version becomes active, every proposal of the conference is rescored.
    """
    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is None:
        logger.info("Conference %s no longer exists; nothing to train.", conference_id)
        return None
    try:
        model = relevance_model_train(conference=conference)
    except TrainingDataError as error:
        logger.info("Not retrained: %s", " ".join(error.messages))
        return None
    was_active = model.status == model.Status.ACTIVE
    try:
        relevance_model_promote(model=model)
    except PromotionRefused as error:
        logger.info("Trained but kept as a candidate: %s", " ".join(error.messages))
    except (ArtefactIntegrityError, ValidationError) as error:
        logger.error("Relevance model v%s not activated: %s", model.version, error)
    else:
        if not was_active:
            transaction.on_commit(lambda: score_all.delay(conference_id))
    return model.pk
