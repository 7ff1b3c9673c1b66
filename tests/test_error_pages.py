"""Errors show friendly pages: no stack trace, nothing half-written."""

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse

from expo.proposals.models import Proposal
from tests.factories import MembershipFactory, ProposalFactory
from tests.proposals.post_data import proposal_post_data

pytestmark = pytest.mark.django_db


def test_404_page_is_friendly(client):
    response = client.get("/proposals/999999/")
    assert response.status_code == 302 or "Page not found" in response.content.decode()
    member = MembershipFactory()
    client.force_login(member.user)
    response = client.get("/proposals/999999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def fail_speaker_inserts(execute, sql, params, many, context):
    """The database fails (as a lost connection would) when speakers are written."""
    if sql.lstrip().upper().startswith("INSERT") and "proposals_speaker" in sql:
        raise DatabaseError("connection lost")
    return execute(sql, params, many, context)


def test_database_error_gives_friendly_500_and_no_half_written_proposal(settings):
    """A database failure in the middle of a save rolls back everything before it."""
    settings.DEBUG = False
    member = MembershipFactory(role="owner")
    proposal = ProposalFactory(organisation=member.organisation, title="Original title")
    client = Client(raise_request_exception=False)
    client.force_login(member.user)
    data = proposal_post_data(
        proposal.conference,
        title="Half-saved title",
        topics=[proposal.conference.topics.first().pk],
    )
    with connection.execute_wrapper(fail_speaker_inserts):
        response = client.post(reverse("proposal-edit", args=[proposal.pk]), data)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body
    assert "connection lost" not in body
    assert Proposal.objects.get(pk=proposal.pk).title == "Original title"
