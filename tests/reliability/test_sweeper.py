"""The sweeper finds missed work — unscored proposals, unsent e-mails, out-of-date fairness
reports, schedule versions waiting for the solver — and queues it once.

Tasks run eagerly here (no broker), so "queued" means "done"; the worker-process tests show
the same with Redis.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from expo.celery import SWEEP_SECONDS
from expo.celery import app as celery_app
from expo.conferences.models import ConferenceChair
from expo.proposals.models import Proposal, ProposalState
from expo.sweeper import (
    DEFAULT_GRACE,
    conferences_with_stale_fairness_reports,
    proposals_without_current_score,
    sweep,
)
from fairness.models import FairnessReport
from fairness.selectors import reports_current
from fairness.tasks import refresh_reports
from ranking.models import RelevanceScore, ScoreKind
from ranking.services import relevance_model_promote, relevance_model_train
from reviews import services as review_services
from reviews.audit import audit_record
from reviews.models import AuditAction, OutboxMessage, OutboxStatus
from scheduling.models import ScheduleVersion, SolverStatus
from scheduling.services import schedule_version_request
from tests.factories import (
    AdminFactory,
    ChairFactory,
    ConferenceFactory,
    OrganisationFactory,
    ProposalFactory,
)
from tests.ranking.relevance_helpers import decided_proposals, past_conference
from tests.reliability.helpers import schedulable_conference
from tests.reviews.factories import bulk_reviews, sponsor_with_proposal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

LONG_AGO = timezone.now() - dt.timedelta(hours=1)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses everything (outside our control, so stood in for)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


@pytest.fixture
def conference():
    return ConferenceFactory(topic_names=["Reinforcement learning", "Computer vision"])


def proposal(conference, state=ProposalState.SUBMITTED, *, changed=LONG_AGO, **kwargs):
    created = ProposalFactory(conference=conference, state=state, **kwargs)
    Proposal.objects.filter(pk=created.pk).update(updated_at=changed)
    return created


def test_sweep_scores_proposals_missing_a_score_but_leaves_fresh_ones_to_the_queue(conference):
    missed = proposal(conference)
    fresh = proposal(conference, changed=timezone.now())
    result = sweep()
    assert result.unscored_proposals == [missed.pk]
    assert result.published == 1
    assert list(RelevanceScore.objects.values_list("proposal", flat=True)) == [missed.pk]
    assert sweep(now=timezone.now() + DEFAULT_GRACE).unscored_proposals == [fresh.pk]
    assert sweep(now=timezone.now() + DEFAULT_GRACE).found == 0


def test_sweep_scores_missing_proposals_of_every_conference_and_keeps_existing_scores(conference):
    other = ConferenceFactory()
    missed = [proposal(conference), proposal(other)]
    already = proposal(conference)
    sweep()
    assert sweep().found == 0
    RelevanceScore.objects.filter(proposal__in=missed).delete()
    assert sweep().unscored_proposals == [p.pk for p in missed]
    assert sorted(RelevanceScore.objects.values_list("proposal", flat=True)) == sorted(
        p.pk for p in [*missed, already]
    ), "one score each: the existing one was kept, not duplicated"


def test_sweep_skips_drafts_and_withdrawn_proposals(conference):
    proposal(conference, ProposalState.DRAFT)
    proposal(conference, ProposalState.WITHDRAWN)
    decided = proposal(conference, ProposalState.REJECTED)
    assert sweep().unscored_proposals == [decided.pk]


def test_sweep_rescores_a_proposal_whose_text_changed_after_its_score(conference):
    edited = proposal(conference)
    sweep()
    Proposal.objects.filter(pk=edited.pk).update(abstract="Robot vision in warehouses.")
    assert proposals_without_current_score(older_than=timezone.now()) == [edited.pk]
    sweep()
    assert RelevanceScore.objects.filter(proposal=edited).count() == 2  # old text, new text
    assert proposals_without_current_score(older_than=timezone.now()) == []


def test_sweep_scores_with_the_active_model_and_leaves_a_fresh_promotion_to_its_rescoring(
    conference,
):
    past = decided_proposals(past_conference(), n=40)
    Proposal.objects.filter(pk__in=[p.pk for p in past]).update(updated_at=LONG_AGO)
    scored = proposal(conference)
    assert sweep().published == 41  # topical scores: no model yet
    model = relevance_model_promote(model=relevance_model_train(conference=conference))
    assert sweep().found == 0, "promotion queued its own rescoring moments ago"
    later = model.promoted_at + DEFAULT_GRACE + dt.timedelta(seconds=1)
    assert sweep(now=later).unscored_proposals == [scored.pk]
    kinds = sorted(RelevanceScore.objects.filter(proposal=scored).values_list("kind", flat=True))
    assert kinds == [ScoreKind.LEARNED, ScoreKind.TOPICAL]
    assert sweep(now=later).found == 0


def unsent_decision_email(conference):
    """A decision e-mail queued by a chair whose after-commit hand-off never happened."""
    chairs = [ChairFactory(conference=conference).user for _ in range(2)]
    sponsor, accepted = sponsor_with_proposal(conference)
    bulk_reviews([accepted], chairs, [4, 4])
    review_services.decisions_make(
        by=chairs[0],
        proposals=[accepted],
        outcome="accept",
        rationale="A strong research demo.",
        expected_versions={accepted.pk: 0},
        confirm_overfill=True,
    )
    accepted = Proposal.objects.select_related("decision", "organisation").get(pk=accepted.pk)
    review_services.notifications_queue(
        by=chairs[0], conference=conference, proposals=[accepted], url_for=lambda p: "/"
    )
    OutboxMessage.objects.update(created_at=LONG_AGO)
    return sponsor, OutboxMessage.objects.get()


def test_sweep_sends_a_queued_email_once(conference):
    sponsor, message = unsent_decision_email(conference)
    result = sweep()
    assert result.queued_messages == [message.pk]
    assert [m.to for m in mail.outbox] == [[sponsor.email]]
    sweep()
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_sweep_gives_a_failed_email_one_attempt_per_sweep(settings, conference):
    _, message = unsent_decision_email(conference)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    sweep()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    result = sweep()
    assert result.failed_messages == [message.pk]
    message.refresh_from_db()
    assert message.attempts == 2, "one attempt, not a chain of retries"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    sweep()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 3)
    assert len(mail.outbox) == 1


def test_sweep_command_reports_and_dry_run_queues_nothing(conference):
    missed = proposal(conference)
    out = StringIO()
    call_command("sweep", "--dry-run", stdout=out)
    assert "Missing (nothing queued): 1 proposals without a current score" in out.getvalue()
    assert not RelevanceScore.objects.exists()
    call_command("sweep", stdout=out)
    assert "Queued 1 of 1" in out.getvalue()
    assert RelevanceScore.objects.filter(proposal=missed).exists()
    quiet = StringIO()
    call_command("sweep", "--quiet-when-idle", stdout=quiet)
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    ("grace", "message"),
    [("soon", "'soon' is not a number of minutes"), ("-5", "not between 0 and one week")],
)
def test_sweep_command_refuses_a_bad_grace_period_and_changes_nothing(conference, grace, message):
    proposal(conference)
    with pytest.raises(CommandError, match=message):
        call_command("sweep", f"--grace-minutes={grace}")
    assert not RelevanceScore.objects.exists()


def test_beat_runs_the_sweep_more_often_than_its_grace_period(conference):
    entry = celery_app.conf.beat_schedule["sweep-missed-work"]
    assert entry["schedule"] == SWEEP_SECONDS < DEFAULT_GRACE.total_seconds()
    assert entry["options"]["expires"] < SWEEP_SECONDS
    missed = proposal(conference)
    counts = celery_app.tasks[entry["task"]].delay().get()
    assert counts == {
        "unscored_proposals": 1,
        "queued_messages": 0,
        "failed_messages": 0,
        "stale_fairness_conferences": 0,
        "waiting_schedule_versions": 0,
        "published": 1,
    }
    assert RelevanceScore.objects.filter(proposal=missed).exists()


def test_finding_unscored_proposals_takes_the_same_queries_for_one_or_many(conference):
    proposal(conference)
    with CaptureQueriesContext(connection) as one:
        assert len(proposals_without_current_score(older_than=timezone.now())) == 1
    for _ in range(20):
        proposal(conference)
    with CaptureQueriesContext(connection) as many:
        assert len(proposals_without_current_score(older_than=timezone.now())) == 21
    assert len(many) == len(one)


def decided(conference, n=12):
    """``n`` decided proposals, a third accepted, scored (so that scoring changes nothing)."""
    proposals = [
        proposal(conference, ProposalState.ACCEPTED if i % 3 == 0 else ProposalState.REJECTED)
        for i in range(n)
    ]
    sweep()
    return proposals


def decision_audited(proposal):
    """A decision's audit event; its after-commit refresh never runs (this test's transaction
    never commits), as if the task was lost."""
    audit_record(
        action=AuditAction.DECISION_MADE,
        actor=None,
        summary="Accept",
        object_type="decision",
        proposal=proposal,
    )


def test_sweep_refreshes_fairness_reports_whose_input_changed_without_a_refresh(conference):
    proposals = decided(conference)
    refresh_reports(conference.pk)
    assert sweep(grace=dt.timedelta(0)).found == 0
    Proposal.objects.filter(pk=proposals[1].pk).update(state=ProposalState.ACCEPTED)
    stamps = set(FairnessReport.objects.values_list("pk", "computed_at"))

    assert sweep(grace=dt.timedelta(0), dry_run=True).stale_fairness_conferences == [conference.pk]
    assert set(FairnessReport.objects.values_list("pk", "computed_at")) == stamps, (
        "the check computes no report"
    )
    result = sweep(grace=dt.timedelta(0))
    assert (result.stale_fairness_conferences, result.published) == ([conference.pk], 1)
    assert reports_current(conference=conference)
    accepted = FairnessReport.objects.get(stage="accepted", parameters__hidden_proposals=0)
    assert accepted.report["overall"]["positives"] == 5
    assert sweep(grace=dt.timedelta(0)).found == 0


def test_sweep_refreshes_fairness_reports_of_a_lost_refresh_only_after_the_grace_period(
    conference,
):
    proposals = decided(conference)
    ChairFactory(conference=conference)
    quiet = ConferenceFactory()  # no reports, no change that refreshes them
    audit_record(
        action=AuditAction.TEMPLATE_CHANGED,
        actor=None,
        summary="Template",
        object_type="template",
        conference=quiet,
    )
    decision_audited(proposals[0])

    assert sweep().stale_fairness_conferences == [], "its refresh is probably still queued"
    later = timezone.now() + DEFAULT_GRACE
    result = sweep(now=later)
    assert result.stale_fairness_conferences == [conference.pk], "not the quiet conference"
    assert FairnessReport.objects.filter(conference=conference).count() == 3
    assert not FairnessReport.objects.filter(conference=quiet).exists()
    assert sweep(now=later).found == 0


def test_sweep_refreshes_fairness_reports_when_a_scope_is_missing_or_nobody_has_it(conference):
    decided(conference)
    insider = OrganisationFactory(name="Insider Labs", domains=["insider.example"])
    proposal(conference, ProposalState.REJECTED, organisation=insider)
    refresh_reports(conference.pk)
    assert FairnessReport.objects.count() == 3
    conflicted = ChairFactory(conference=conference, user__email="kim@insider.example")
    assert conferences_with_stale_fairness_reports(older_than=timezone.now()) == [conference.pk]
    sweep(grace=dt.timedelta(0))
    assert FairnessReport.objects.count() == 6, "the conflicted chair's scope was added"
    ConferenceChair.objects.filter(pk=conflicted.pk).delete()
    assert conferences_with_stale_fairness_reports(older_than=timezone.now()) == [conference.pk]
    sweep(grace=dt.timedelta(0))
    assert FairnessReport.objects.count() == 3, "the scope nobody has any more was deleted"
    assert conferences_with_stale_fairness_reports(older_than=timezone.now()) == []


def test_checking_fairness_reports_takes_the_same_queries_for_few_or_many_proposals(conference):
    decided(conference, n=3)
    ChairFactory(conference=conference)
    refresh_reports(conference.pk)
    with CaptureQueriesContext(connection) as few:
        assert conferences_with_stale_fairness_reports(older_than=timezone.now()) == []
    decided(conference, n=30)
    refresh_reports(conference.pk)
    with CaptureQueriesContext(connection) as many:
        assert conferences_with_stale_fairness_reports(older_than=timezone.now()) == []
    assert len(many) == len(few)


def test_sweep_solves_a_schedule_version_whose_solve_was_lost_once_the_grace_period_passed():
    conference = schedulable_conference(accepted=3)
    admin = AdminFactory()
    lost = schedule_version_request(conference=conference, by=admin, enqueue=False)
    assert sweep().waiting_schedule_versions == [], "its solve is probably still queued"

    later = timezone.now() + DEFAULT_GRACE
    result = sweep(now=later)
    assert result.waiting_schedule_versions == [lost.pk]
    lost.refresh_from_db()
    assert lost.solver_status == SolverStatus.OPTIMAL
    assert lost.sessions.count() == 3
    assert sweep(now=later).waiting_schedule_versions == []
    assert ScheduleVersion.objects.count() == 1, "the lost version was solved, not a new one"
