"""The broker is down when a sponsor submits and when a chair sends the decision e-mails.

Both are saved and acknowledged; nothing reaches the queue. Once the broker is back, the
sweeper (``manage.py sweep``, as cron runs it) queues what is missing and a worker does it.
"""

import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from expo.proposals.models import Proposal, ProposalState
from ranking.models import RelevanceScore
from reviews import services as review_services
from reviews.models import OutboxMessage, OutboxStatus
from tests.factories import ChairFactory, ConferenceFactory, MembershipFactory
from tests.proposals.post_data import proposal_post_data
from tests.reliability.helpers import closed_port, manage, queued_tasks, wait_until
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

    with pytest.raises(CommandError, match=r"The broker refused work.*queued 0 of 2"):
        call_command("sweep", "--grace-minutes=0")  # this process still points at the dead one
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)

    back = manage(child_env, "sweep", "--grace-minutes=0")
    assert back.returncode == 0, back.stderr
    assert "Queued 2 of 2: 1 proposals without a current score, 1 e-mails never sent" in back.stdout
    assert queued_tasks(broker_redis) == {
        "ranking.tasks.score_proposal": 1,
        "reviews.tasks.outbox_send": 1,
    }

    worker = start_worker({**child_env, "EMAIL_URL": smtp_sink.url})
    wait_until(
        lambda: (
            RelevanceScore.objects.filter(proposal=proposal).exists()
            and OutboxMessage.objects.filter(status=OutboxStatus.SENT).exists()
        ),
        timeout=60,
        what="the score and the e-mail",
        log=worker,
    )
    assert smtp_sink.accepted_count() == 1
    assert str(smtp_sink.accepted[0]["To"]) == sponsor.user.email

    again = StringIO()
    call_command("sweep", "--grace-minutes=0", "--dry-run", stdout=again)
    assert "0 proposals without a current score, 0 e-mails never sent" in again.getvalue()
