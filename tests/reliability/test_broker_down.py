"""The broker is down when a sponsor submits, when a chair decides and sends the decision
e-mails, and when an admin asks the solver for a schedule.

Everything is saved and acknowledged; nothing reaches the queue (the score, the e-mail, the
fairness reports' refresh, the solve). Once the broker is back, the sweeper (``manage.py
sweep``, as cron runs it) queues what is missing and a worker does it.
"""

import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from expo.proposals.models import Proposal, ProposalState
from fairness.models import FairnessReport
from fairness.selectors import reports_current
from ranking.models import RelevanceScore
from reviews import services as review_services
from reviews.models import OutboxMessage, OutboxStatus
from scheduling.models import ScheduleVersion, SolverStatus
from tests.factories import AdminFactory, ChairFactory, ConferenceFactory, MembershipFactory
from tests.proposals.post_data import proposal_post_data
from tests.reliability.helpers import closed_port, manage, queued_tasks, venue_add, wait_until
from tests.reviews.factories import bulk_reviews

# Under xdist (make test: --dist loadgroup) the worker-process tests run one after another in
# one xdist worker: each starts Celery processes, and the machine has two cores.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("reliability"),
]


def test_work_queued_while_broker_down_is_done_once_sweeper_runs_after_it_is_back(
    client, broker_redis, publish_to, child_env, start_worker, smtp_sink, caplog
):
    down = f"redis://127.0.0.1:{closed_port()}/0"
    publish_to(down)
    conference = ConferenceFactory(topic_names=["Reinforcement learning", "Vision"])
    sponsor = MembershipFactory(role="owner")
    client.force_login(sponsor.user)

    with caplog.at_level(logging.ERROR):
        response = client.post(
            reverse("proposal-create", args=[conference.slug]),
            proposal_post_data(conference, organisation=sponsor.organisation.pk, action="submit"),
        )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("proposal-detail", args=[proposal.pk])
    assert proposal.state == ProposalState.SUBMITTED
    page = client.get(response.url).content.decode()
    assert "Your proposal is submitted." in page
    assert not RelevanceScore.objects.exists()
    assert any("Connection refused" in r.getMessage() + str(r.exc_info) for r in caplog.records)

    chairs = [ChairFactory(conference=conference).user for _ in range(2)]
    bulk_reviews([proposal], chairs, [4, 4])
    review_services.decisions_make(
        by=chairs[0],
        proposals=[proposal],
        outcome="accept",
        rationale="A strong research demo.",
        expected_versions={proposal.pk: 0},
        confirm_overfill=True,
    )
    client.force_login(chairs[0])
    response = client.post(
        reverse("reviews:notifications", args=[conference.slug]), {"proposals": [proposal.pk]}
    )
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 0
    assert not FairnessReport.objects.exists(), "the decision's refresh never reached the queue"

    track = next(t for t in venue_add(conference) if t.format == proposal.format)
    Proposal.objects.filter(pk=proposal.pk).update(track=track)
    client.force_login(AdminFactory())
    response = client.post(reverse("scheduling:solve", args=[conference.slug]), {"based_on": ""})
    version = ScheduleVersion.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("scheduling:version", args=[conference.slug, version.number])
    assert version.solver_status == SolverStatus.PENDING

    with pytest.raises(CommandError, match=r"The broker refused work.*queued 0 of 4"):
        call_command("sweep", "--grace-minutes=0")  # this process still points at the dead one
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)

    back = manage(child_env, "sweep", "--grace-minutes=0")
    assert back.returncode == 0, back.stderr
    assert (
        "Queued 4 of 4: 1 proposals without a current score, 1 e-mails never sent, 0 e-mails "
        "whose last attempt failed, 1 conferences with out-of-date fairness reports, 1 schedule "
        "versions waiting for the solver." in back.stdout
    )
    assert queued_tasks(broker_redis) == {
        "ranking.tasks.score_proposal": 1,
        "reviews.tasks.outbox_send": 1,
        "fairness.tasks.refresh_reports": 1,
        "scheduling.tasks.solve_schedule": 1,
    }

    # One process: the tasks run in the order queued, so the reports include the new score.
    worker = start_worker({**child_env, "EMAIL_URL": smtp_sink.url}, concurrency=1)
    wait_until(
        lambda: (
            RelevanceScore.objects.filter(proposal=proposal).exists()
            and OutboxMessage.objects.filter(status=OutboxStatus.SENT).exists()
            and FairnessReport.objects.filter(conference=conference).exists()
            and ScheduleVersion.objects.exclude(solver_status=SolverStatus.PENDING).exists()
        ),
        timeout=60,
        what="the score, the e-mail, the fairness reports and the schedule",
        log=worker,
    )
    assert smtp_sink.accepted_count() == 1
    assert str(smtp_sink.accepted[0]["To"]) == sponsor.user.email
    assert reports_current(conference=conference)
    version.refresh_from_db()
    assert version.solver_status == SolverStatus.OPTIMAL
    assert list(version.sessions.values_list("proposal", flat=True)) == [proposal.pk]

    again = StringIO()
    call_command("sweep", "--grace-minutes=0", "--dry-run", stdout=again)
    assert (
        "Missing (nothing queued): 0 proposals without a current score, 0 e-mails never sent, "
        "0 e-mails whose last attempt failed, 0 conferences with out-of-date fairness reports, "
        "0 schedule versions waiting for the solver." in again.getvalue()
    )
