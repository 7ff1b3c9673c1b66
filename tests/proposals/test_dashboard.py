import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ConferenceFactory, MembershipFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def dashboard_queries(client, member, count):
    conference = ConferenceFactory()
    for _ in range(count):
        ProposalFactory(organisation=member.organisation, conference=conference, speakers=2)
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count('data-label="Title"') == count
    return len(queries)


def test_dashboard_query_count_is_the_same_at_1_and_50_proposals(client):
    one = dashboard_queries(client, MembershipFactory(role="owner"), 1)
    fifty = dashboard_queries(client, MembershipFactory(role="owner"), 50)
    assert one == fifty
    assert one <= 8


def test_dashboard_empty_state_guides_the_sponsor(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get(reverse("dashboard")).content.decode()
    assert "You do not belong to a sponsor organisation yet" in body
    assert "No proposals yet" in body


def test_dashboard_shows_state_and_conference(client):
    member = MembershipFactory(role="owner")
    proposal = ProposalFactory(organisation=member.organisation, state="submitted")
    client.force_login(member.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert proposal.title in body
    assert proposal.conference.name in body
    assert "badge-submitted" in body
