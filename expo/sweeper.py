"""The sweeper: finds background work that was never done and queues it again.

Work is queued after the database commit (``transaction.on_commit``). If the broker is down at
that moment, or a task is lost with its worker, the database still says what is missing:

* a submitted proposal without a *current* relevance score — one by its conference's active
  model for its current text, or (with no active model) the topical score of its current text
  against the current topics and call, exactly what ``ranking.services.proposal_score`` stores;
* an outbox message that is not sent;
* a conference whose cached fairness reports do not match their current input (the input
  fingerprint ``fairness.services.report_ensure`` stores them under);
* a schedule version still waiting for the solver.

``sweep()`` queues that work. Every task it queues is idempotent, so queueing work that is in
fact still in flight costs a little time and changes nothing. A grace period keeps it from
re-queueing what was queued moments ago. It runs from Celery beat every few minutes
(``expo/celery.py``) and, because beat itself needs the broker, from cron as
``manage.py sweep``. See docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import shared_task
from django.db.models import Max, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from fairness.apps import REFRESHING_ACTIONS
from fairness.models import FairnessReport
from fairness.selectors import reports_current
from fairness.tasks import refresh_reports
from ranking.model import text_hash
from ranking.models import RelevanceScore
from ranking.services import (
    SCORED_STATES,
    active_relevance_model,
    conference_references,
    proposal_text,
)
from ranking.tasks import score_proposal
from reviews.models import AuditEvent, OutboxMessage, OutboxStatus
from reviews.services import DeliveryFailed, outbox_deliver
from reviews.tasks import outbox_send
from scheduling.selectors import schedule_versions_waiting_for_solver
from scheduling.tasks import solve_schedule

logger = logging.getLogger(__name__)

# Work younger than this is probably still in the queue. Beat sweeps every five minutes
# (expo/celery.py), so missed work waits at most about fifteen.
DEFAULT_GRACE = dt.timedelta(minutes=10)


class BrokerUnavailable(Exception):
    """The broker refused the first task; nothing more was tried."""


@dataclass
class SweepResult:
    """What a sweep found and what it queued (ids)."""

    unscored_proposals: list[int] = field(default_factory=list)
    queued_messages: list[int] = field(default_factory=list)
    failed_messages: list[int] = field(default_factory=list)
    stale_fairness_conferences: list[int] = field(default_factory=list)
    waiting_schedule_versions: list[int] = field(default_factory=list)
    published: int = 0
    not_published: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many of each kind of work were found."""
        return {
            "unscored_proposals": len(self.unscored_proposals),
            "queued_messages": len(self.queued_messages),
            "failed_messages": len(self.failed_messages),
            "stale_fairness_conferences": len(self.stale_fairness_conferences),
            "waiting_schedule_versions": len(self.waiting_schedule_versions),
        }

    @property
    def found(self) -> int:
        return sum(self.counts().values())

    def summary(self) -> str:
        return (
            f"{len(self.unscored_proposals)} proposals without a current score, "
            f"{len(self.queued_messages)} e-mails never sent, "
            f"{len(self.failed_messages)} e-mails whose last attempt failed, "
            f"{len(self.stale_fairness_conferences)} conferences with out-of-date fairness "
            f"reports, {len(self.waiting_schedule_versions)} schedule versions waiting for "
            "the solver"
        )


def proposals_without_current_score(*, older_than: dt.datetime) -> list[int]:
    """Ids of scorable proposals, unchanged since ``older_than``, lacking a current score.

    A conference whose active model was promoted after ``older_than`` is skipped: promotion
    queues its own rescoring (``ranking.tasks.score_all``).
    Five queries per conference with scorable proposals.
    """
    missing: list[int] = []
    conferences = Conference.objects.filter(
        pk__in=Proposal.objects.filter(state__in=SCORED_STATES).values("conference_id")
    ).order_by("pk")
    for conference in conferences:
        active = active_relevance_model(conference.pk)
        if active is not None and active.promoted_at and active.promoted_at > older_than:
            continue
        references = [] if active is not None else conference_references(conference)
        proposals = (
            Proposal.objects.filter(
                conference=conference, state__in=SCORED_STATES, updated_at__lte=older_than
            )
            .only("pk", "title", "abstract", "outline", "conference_id")
            .prefetch_related("topics")
            .order_by("pk")
        )
        scores = RelevanceScore.objects.filter(proposal__conference=conference)
        scores = (
            scores.filter(model=active) if active is not None else scores.filter(model__isnull=True)
        )
        stored = set(scores.values_list("proposal_id", "text_hash"))
        for proposal in proposals:
            # The same digest ranking.services.proposal_score stores the score under.
            digest = text_hash(proposal_text(proposal), *references)
            if (proposal.pk, digest) not in stored:
                missing.append(proposal.pk)
    return missing


def outbox_messages_unsent(*, older_than: dt.datetime) -> tuple[list[int], list[int]]:
    """Ids of messages created before ``older_than`` and not sent: (never tried, failed).

    A message whose worker died mid-send is still *queued*: its transaction was rolled back.
    """
    rows = (
        OutboxMessage.objects.filter(created_at__lte=older_than)
        .filter(Q(status=OutboxStatus.QUEUED) | Q(status=OutboxStatus.FAILED))
        .order_by("pk")
        .values_list("pk", "status")
    )
    queued = [pk for pk, status in rows if status == OutboxStatus.QUEUED]
    failed = [pk for pk, status in rows if status == OutboxStatus.FAILED]
    return queued, failed


def conferences_with_stale_fairness_reports(*, older_than: dt.datetime) -> list[int]:
    """Ids of conferences whose cached fairness reports are missing, out of date or of a scope
    nobody has any more — what ``fairness.tasks.refresh_reports`` would change.

    Checked: conferences with cached reports, and those with an audited change that queues a
    refresh (``fairness.apps.REFRESHING_ACTIONS``) even if none was ever stored. Skipped: those
    with such a change after ``older_than``, whose refresh is probably still queued. The check
    hashes each conference's input (``fairness.selectors.reports_current``); it computes no
    report.
    """
    last_change = dict(
        AuditEvent.objects.filter(action__in=REFRESHING_ACTIONS, conference__isnull=False)
        .order_by()
        .values("conference_id")
        .annotate(last=Max("created_at"))
        .values_list("conference_id", "last")
    )
    changed_lately = [pk for pk, last in last_change.items() if last > older_than]
    cached = FairnessReport.objects.values("conference_id")
    conferences = (
        Conference.objects.filter(Q(pk__in=list(last_change)) | Q(pk__in=cached))
        .exclude(pk__in=changed_lately)
        .order_by("pk")
    )
    return [
        conference.pk for conference in conferences if not reports_current(conference=conference)
    ]


@shared_task(acks_late=True, name="expo.sweeper.outbox_retry")
def outbox_retry(message_id: int) -> bool:
    """One more attempt at a message that failed before; True when it was sent now.

    No retry chain of its own (unlike ``reviews.tasks.outbox_send``): the next sweep is the
    next attempt, so a mail server that is down for a day gets one attempt per message per
    sweep rather than a growing pile of retry chains.
    """
    try:
        return outbox_deliver(message_id=message_id)
    except DeliveryFailed as error:
        logger.warning("Outbox message %s still not sent: %s", message_id, error)
        return False


def sweep(
    *, grace: dt.timedelta = DEFAULT_GRACE, now: dt.datetime | None = None, dry_run: bool = False
) -> SweepResult:
    """Find missed work older than ``grace`` and queue it.

    Raises ``BrokerUnavailable`` as soon as the broker refuses a task; what was queued before
    stays queued and the rest is found again by the next sweep. With eager tasks (no broker
    configured) the work runs here; a task that fails is logged and left for the next sweep.
    """
    older_than = (now or timezone.now()) - grace
    result = SweepResult(unscored_proposals=proposals_without_current_score(older_than=older_than))
    result.queued_messages, result.failed_messages = outbox_messages_unsent(older_than=older_than)
    result.stale_fairness_conferences = conferences_with_stale_fairness_reports(
        older_than=older_than
    )
    # A version still waiting after the grace period lost its task: the solver stops at its
    # time limit (10 s), far below the grace. If it is in fact still queued, the copy queued
    # here is harmless: the first solve to finish stores its result, later ones store nothing
    # (scheduling.services.schedule_version_fill).
    result.waiting_schedule_versions = schedule_versions_waiting_for_solver(
        requested_before=older_than
    )
    if dry_run:
        return result
    work: list[tuple[str, int, Callable[[int], object]]] = [
        *(("proposal", pk, score_proposal.delay) for pk in result.unscored_proposals),
        *(("message", pk, outbox_send.delay) for pk in result.queued_messages),
        *(("message", pk, outbox_retry.delay) for pk in result.failed_messages),
        *(
            ("fairness reports of conference", pk, refresh_reports.delay)
            for pk in result.stale_fairness_conferences
        ),
        *(
            ("schedule version", pk, solve_schedule.delay)
            for pk in result.waiting_schedule_versions
        ),
    ]
    for kind, pk, publish in work:
        try:
            publish(pk)
        except OperationalError as error:
            raise BrokerUnavailable(
                f"The broker refused work ({error}); queued {result.published} of "
                f"{len(work)}: {result.summary()}. The next sweep tries again."
            ) from error
        except Exception:  # eager mode runs the task here; its failure must not stop the sweep
            logger.exception("Sweeper: %s %s not handled; the next sweep tries again", kind, pk)
            result.not_published.append(f"{kind} {pk}")
        else:
            result.published += 1
    if result.found:
        logger.info("Sweeper queued %s of %s: %s", result.published, result.found, result.summary())
    return result


@shared_task(acks_late=True, name="expo.sweeper.sweep")
def sweep_task() -> dict[str, int]:
    """The beat entry point: ``sweep()`` with the default grace period."""
    result = sweep()
    return {**result.counts(), "published": result.published}
