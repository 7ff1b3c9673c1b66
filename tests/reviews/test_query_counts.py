"""Query counts of the other workspace pages do not grow with the number of proposals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews import services
from tests.factories import AdminFactory, ConferenceFactory, ProposalFactory
from tests.reviews.factories import bulk_reviews, chair, decide

pytestmark = pytest.mark.django_db


def build(count):
    conference = ConferenceFactory()
    viewer, other = chair(conference), chair(conference)
    proposals = [ProposalFactory(conference=conference, state="submitted") for _ in range(count)]
    bulk_reviews(proposals, [viewer, other], [2, 5])
    for proposal in proposals:
        proposal.refresh_from_db()
        decide(viewer, proposal, "reject")
    services.notifications_queue(
        by=viewer, conference=conference, proposals=proposals[:1], url_for=lambda p: "https://x/"
    )
    return conference, viewer


def queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["calibration", "notifications", "audit", "conflicts"])
def test_page_query_count_is_the_same_at_1_and_20_proposals(client, page):
    counts = []
    for count in (1, 20):
        conference, viewer = build(count)
        user = AdminFactory() if page in ("audit", "conflicts") else viewer
        counts.append(queries(client, user, reverse(f"reviews:{page}", args=[conference.slug])))
    assert counts[0] == counts[1]
