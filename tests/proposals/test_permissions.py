"""One organisation never sees or touches another's proposals: always 404, never 403."""

import pytest
from django.urls import reverse

from expo.proposals.models import Proposal
from tests.factories import MembershipFactory, ProposalFactory
from tests.proposals.post_data import proposal_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal_of_a():
    membership = MembershipFactory(role="owner")
    return ProposalFactory(
        organisation=membership.organisation,
        state="submitted",
        title="Confidential plan of organisation A",
        abstract="Organisation A's secret roadmap for autonomous forklifts.",
    )


@pytest.fixture
def client_of_b(client):
    client.force_login(MembershipFactory(role="owner").user)
    return client


@pytest.mark.parametrize(
    "name",
    ["proposal-detail", "proposal-edit", "proposal-withdraw", "proposal-attachment"],
)
def test_other_organisation_gets_404_on_get(client_of_b, proposal_of_a, name):
    response = client_of_b.get(reverse(name, args=[proposal_of_a.pk]))
    assert response.status_code == 404
    assert "Confidential plan" not in response.content.decode()


@pytest.mark.parametrize("name", ["proposal-edit", "proposal-withdraw", "proposal-submit"])
def test_other_organisation_cannot_change_by_post(client_of_b, proposal_of_a, name):
    data = proposal_post_data(proposal_of_a.conference, title="Hijacked")
    response = client_of_b.post(reverse(name, args=[proposal_of_a.pk]), data)
    assert response.status_code == 404
    proposal_of_a.refresh_from_db()
    assert proposal_of_a.title == "Confidential plan of organisation A"
    assert proposal_of_a.state == "submitted"


def test_nonexistent_proposal_looks_the_same_as_a_foreign_one(client_of_b, proposal_of_a):
    foreign = client_of_b.get(reverse("proposal-detail", args=[proposal_of_a.pk]))
    missing = client_of_b.get(reverse("proposal-detail", args=[proposal_of_a.pk + 1000]))
    assert foreign.status_code == missing.status_code == 404


def test_dashboard_lists_only_own_organisations_proposals(client_of_b, proposal_of_a):
    body = client_of_b.get(reverse("dashboard")).content.decode()
    assert "Confidential plan" not in body


def test_colleague_in_same_organisation_sees_and_edits(client, proposal_of_a):
    colleague = MembershipFactory(organisation=proposal_of_a.organisation)
    client.force_login(colleague.user)
    assert client.get(reverse("proposal-detail", args=[proposal_of_a.pk])).status_code == 200
    data = proposal_post_data(
        proposal_of_a.conference,
        title="Improved by a colleague",
        topics=[proposal_of_a.conference.topics.first().pk],
    )
    client.post(reverse("proposal-edit", args=[proposal_of_a.pk]), data)
    proposal_of_a.refresh_from_db()
    assert proposal_of_a.title == "Improved by a colleague"


def test_member_who_left_loses_access(client, proposal_of_a):
    colleague = MembershipFactory(organisation=proposal_of_a.organisation)
    client.force_login(colleague.user)
    colleague.delete()
    assert client.get(reverse("proposal-detail", args=[proposal_of_a.pk])).status_code == 404


def test_forged_organisation_in_create_form_is_refused(client_of_b, proposal_of_a):
    data = proposal_post_data(proposal_of_a.conference, organisation=proposal_of_a.organisation.pk)
    response = client_of_b.post(
        reverse("proposal-create", args=[proposal_of_a.conference.slug]), data
    )
    assert response.status_code == 400
    assert Proposal.objects.filter(organisation=proposal_of_a.organisation).count() == 1
