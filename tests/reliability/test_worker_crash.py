"""kill -9 a real Celery worker mid-job, start another: every job is done, once in effect.

Work is queued by the same code paths as in production (a sponsor submits; a chair queues the
decision e-mails; an admin asks for a schedule), onto Redis, for a worker process running
against the test database.
"""

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from expo.proposals.models import Proposal, ProposalState
from expo.proposals.services import proposal_submit
from expo.sweeper import outbox_messages_unsent, proposals_without_current_score, sweep
from ranking.models import RelevanceScore
from reviews import services as review_services
from reviews.models import AuditAction, AuditEvent, OutboxMessage, OutboxStatus
from scheduling.models import ScheduleVersion, SolverStatus
from scheduling.services import schedule_version_request
from tests.factories import (
    AdminFactory,
    ChairFactory,
    ConferenceFactory,
    MembershipFactory,
    ProposalFactory,
)
from tests.reliability.helpers import (
    CELERY_QUEUE,
    DatabaseLock,
    queued_tasks,
    schedulable_conference,
    solve_results,
    wait_for_visibility_timeout,
    wait_until,
)
from tests.reviews.factories import bulk_reviews, sponsor_with_proposal

# Under xdist (make test: --dist loadgroup) the worker-process tests run one after another in
# one xdist worker: each starts Celery processes, and the machine has two cores.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("reliability"),
]

PROPOSALS = 200
MESSAGES = 30


def submit_proposals(n):
    """``n`` drafts submitted through the service, whose after-commit hook queues scoring."""
    membership = MembershipFactory(role="owner")
    conference = ConferenceFactory()
    drafts = [
        ProposalFactory(conference=conference, organisation=membership.organisation)
        for _ in range(n)
    ]
    for draft in drafts:
        proposal_submit(proposal=draft, by=membership.user)
    return conference


def test_scoring_survives_worker_killed_mid_batch(
    broker_url, broker_redis, publish_to, child_env, start_worker
):
    publish_to(broker_url)
    submit_proposals(PROPOSALS)
    assert queued_tasks(broker_redis)["ranking.tasks.score_proposal"] == PROPOSALS

    first = start_worker(child_env, concurrency=2)
    wait_until(lambda: RelevanceScore.objects.count() >= 10, timeout=60, what="first scores")
    first.kill()
    scored_before_kill = RelevanceScore.objects.count()
    taken_unacked = broker_redis.hlen("unacked")
    assert 0 < scored_before_kill < PROPOSALS, first.log_tail()
    assert taken_unacked > 0, "the dead worker held messages it had not acknowledged"

    wait_for_visibility_timeout(broker_redis)
    second = start_worker(child_env, concurrency=2)
    wait_until(
        lambda: (
            RelevanceScore.objects.count() >= PROPOSALS - 2
            and broker_redis.llen(CELERY_QUEUE) == 0
            and broker_redis.hlen("unacked") == 0
        ),
        timeout=60,
        what="the queue to drain and every message to be acknowledged",
        log=second,
    )
    # kombu's Redis transport takes a message off the queue (BRPOP) before it records it as
    # unacknowledged: a worker killed in between loses it, and no visibility timeout brings it
    # back. The sweeper does — the score is missing from the database. (At most one message
    # per consumer; it happens in a few percent of runs.)
    assert len(sweep(grace=dt.timedelta(0)).unscored_proposals) <= 2
    wait_until(
        lambda: RelevanceScore.objects.count() >= PROPOSALS,
        timeout=30,
        what=f"{PROPOSALS} scores",
        log=second,
    )
    submitted = set(
        Proposal.objects.filter(state=ProposalState.SUBMITTED).values_list("pk", flat=True)
    )
    per_proposal = dict(
        RelevanceScore.objects.values("proposal")
        .annotate(n=Count("pk"))
        .values_list("proposal", "n")
    )
    assert set(per_proposal) == submitted, "no proposal lost its score"
    assert set(per_proposal.values()) == {1}, "and none was scored twice"
    assert RelevanceScore.objects.count() == PROPOSALS
    assert proposals_without_current_score(older_than=timezone.now()) == []


def queue_decision_emails(n):
    """``n`` accepted proposals of distinct sponsors; a chair queues their decision e-mails."""
    conference = ConferenceFactory()
    chairs = [ChairFactory(conference=conference).user for _ in range(2)]
    proposals = [sponsor_with_proposal(conference)[1] for _ in range(n)]
    bulk_reviews(proposals, chairs, [4, 4])
    review_services.decisions_make(
        by=chairs[0],
        proposals=proposals,
        outcome="accept",
        rationale="A strong research demo.",
        expected_versions={p.pk: 0 for p in proposals},
        confirm_overfill=True,
    )
    decided = list(
        Proposal.objects.filter(pk__in=[p.pk for p in proposals]).select_related(
            "decision", "organisation"
        )
    )
    result = review_services.notifications_queue(
        by=chairs[0],
        conference=conference,
        proposals=decided,
        url_for=lambda p: f"https://expo.example/proposals/{p.pk}/",
    )
    assert len(result.queued) == n


@pytest.fixture
def sending_env(broker_url, broker_redis, publish_to, child_env, smtp_sink):
    """MESSAGES decision e-mails queued on Redis; the environment of workers that send them."""
    publish_to(broker_url)
    queue_decision_emails(MESSAGES)
    assert queued_tasks(broker_redis)["reviews.tasks.outbox_send"] == MESSAGES
    return {**child_env, "EMAIL_URL": smtp_sink.url}


def sent():
    return OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()


def crash_at_tenth_email(worker, smtp_sink, when, action):
    """Run ``action`` at the 10th message the mail server receives (``when``: before or
    after accepting it). One task at a time (concurrency 1), so it lands at one known point."""
    crash = smtp_sink.crash_at(10, when, action)
    wait_until(crash.done.is_set, timeout=60, what="the 10th e-mail", log=worker)


def wait_until_all_sent(broker_redis, worker):
    wait_until(
        lambda: sent() == MESSAGES,
        timeout=60,
        what="every message sent",
        log=worker,
    )
    wait_until(
        lambda: broker_redis.llen(CELERY_QUEUE) == 0 and broker_redis.hlen("unacked") == 0,
        timeout=30,
        what="the queue to drain and every message to be acknowledged",
    )


def received_after_checking_the_outbox(smtp_sink):
    """Each message sent once by the database's account; what the mail server accepted."""
    messages = list(OutboxMessage.objects.all())
    sent_events = AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SENT)
    assert sorted(sent_events.values_list("object_id", flat=True)) == sorted(
        str(m.pk) for m in messages
    ), "one 'sent' audit event per message"
    # The attempt that died was rolled back with its transaction: it left no trace.
    assert {m.attempts for m in messages} == {1}
    assert outbox_messages_unsent(older_than=timezone.now()) == ([], [])
    received = smtp_sink.message_ids()
    assert len(received) == MESSAGES, "every message reached the mail server"
    assert {", ".join(m.recipients) for m in messages} == {str(m["To"]) for m in smtp_sink.accepted}
    return received


@pytest.fixture
def audit_lock():
    lock = DatabaseLock()
    yield lock
    lock.close()


def test_emails_survive_three_worker_crashes_and_only_one_accepted_before_its_commit_is_sent_twice(
    sending_env, start_worker, broker_redis, smtp_sink, audit_lock
):
    """Worker 1 dies while the mail server holds the 10th message unanswered; worker 2 dies
    when the client of the 20th says QUIT; worker 3 dies after the server accepted the 25th,
    before the commit recording it; worker 4 finishes.

    The first crash costs nothing: the transaction rolls back and the message is sent once
    later. The second costs nothing either: delivery is recorded and committed before the
    connection is closed. The third hits the window no outbox closes — accepted by the mail
    server, not yet committed — so that message is sent again, with the same Message-ID, so
    that mail clients that deduplicate show it once. Every other message arrives exactly once.
    """
    first = start_worker(sending_env, concurrency=1)
    crash_at_tenth_email(first, smtp_sink, "before_accept", first.kill)
    assert sent() == 9

    wait_for_visibility_timeout(broker_redis)
    second = start_worker(sending_env, concurrency=1)
    crash = smtp_sink.crash_at(20, "at_quit", second.kill)
    wait_until(crash.done.is_set, timeout=60, what="the 20th e-mail's QUIT", log=second)
    assert sent() == 9 + 10, "the 20th was recorded as sent before its QUIT"

    wait_for_visibility_timeout(broker_redis)
    third = start_worker(sending_env, concurrency=1)

    def kill_between_accept_and_commit():
        # The worker's audit INSERT, between the server's 250 and the commit, waits on the
        # lock: kill it there, then let the lock go.
        audit_lock.wait_until_blocking(what="the worker to write the audit event", log=third)
        third.kill()
        audit_lock.release()

    crash = smtp_sink.crash_at(
        25,
        "after_accept",
        kill_between_accept_and_commit,
        prepare=lambda: audit_lock.take(
            f"LOCK TABLE {AuditEvent._meta.db_table} IN EXCLUSIVE MODE"
        ),
    )
    wait_until(crash.done.is_set, timeout=60, what="the 25th e-mail", log=third)
    assert sent() == 9 + 10 + 4, "the 25th was accepted but not committed"

    wait_for_visibility_timeout(broker_redis)
    wait_until_all_sent(broker_redis, start_worker(sending_env, concurrency=1))
    received = received_after_checking_the_outbox(smtp_sink)
    twice = [message_id for message_id, n in received.items() if n > 1]
    assert len(twice) == 1, "only the message accepted just before the crash"
    assert received[twice[0]] == 2
    assert smtp_sink.accepted_count() == MESSAGES + 1
    assert smtp_sink.data_received == MESSAGES + 2  # plus the copy that was never accepted


def test_email_whose_pool_process_is_killed_is_requeued_by_the_same_worker_at_once(
    sending_env, start_worker, broker_redis, smtp_sink
):
    """The OOM killer's case: one pool process dies, the worker survives. With acks_late and
    task_reject_on_worker_lost the worker hands the message back at once; no timeout."""
    worker = start_worker(sending_env, concurrency=1)
    crash_at_tenth_email(worker, smtp_sink, "before_accept", worker.kill_pool_processes)
    wait_until_all_sent(broker_redis, worker)
    assert worker.process.poll() is None, "the worker itself lived on"
    assert "exited with 'signal 9 (SIGKILL)'" in worker.log_path.read_text()
    received = received_after_checking_the_outbox(smtp_sink)
    assert set(received.values()) == {1}, "no e-mail arrived twice"
    assert smtp_sink.data_received == MESSAGES + 1


@pytest.mark.parametrize("message", ["lost", "redelivered"])
def test_schedule_solve_killed_with_its_worker_is_queued_again_by_the_sweeper_and_stored_once(
    message, broker_url, broker_redis, publish_to, child_env, start_worker
):
    """The worker dies after solving, while it waits to store the result (held there by a row
    lock). Its message is either lost — as kombu's Redis transport loses one taken by a worker
    killed between BRPOP and recording it as unacknowledged: neither queued nor in ``unacked``
    — or handed back after the visibility timeout. The sweeper finds the version still waiting
    and queues its solve again; a redelivered copy and the sweeper's both run, and only the
    first to finish stores its result."""
    publish_to(broker_url)
    conference = schedulable_conference(accepted=3)
    version = schedule_version_request(conference=conference, by=AdminFactory())
    assert queued_tasks(broker_redis)["scheduling.tasks.solve_schedule"] == 1

    row_lock = DatabaseLock()
    try:
        row_lock.take(
            f"SELECT 1 FROM {ScheduleVersion._meta.db_table} WHERE id = %s FOR UPDATE",
            (version.pk,),
        )
        first = start_worker(child_env, concurrency=1)
        row_lock.wait_until_blocking(what="the solver's result to wait for the row", log=first)
        first.kill()
    finally:
        row_lock.close()
    version.refresh_from_db()
    assert version.solver_status == SolverStatus.PENDING
    assert broker_redis.llen(CELERY_QUEUE) == 0
    assert broker_redis.hlen("unacked") == 1, "the dead worker held the message"
    if message == "lost":
        broker_redis.delete("unacked", "unacked_index")
    else:
        wait_for_visibility_timeout(broker_redis)

    result = sweep(grace=dt.timedelta(0))
    assert result.waiting_schedule_versions == [version.pk]
    second = start_worker(child_env, concurrency=2)
    wait_until(
        lambda: (
            len(solve_results(second)) == (1 if message == "lost" else 2)
            and broker_redis.llen(CELERY_QUEUE) == 0
            and broker_redis.hlen("unacked") == 0
        ),
        timeout=60,
        what="the solves to finish and every message to be acknowledged",
        log=second,
    )
    assert solve_results(second) == (["True"] if message == "lost" else ["False", "True"])
    version.refresh_from_db()
    assert version.solver_status == SolverStatus.OPTIMAL
    assert version.sessions.count() == 3
    assert sweep(grace=dt.timedelta(0), dry_run=True).waiting_schedule_versions == []
