import json

import pytest
from django.urls import reverse

from expo.accounts.models import User
from expo.proposals.models import Proposal
from expo.sponsors.models import Membership
from tests.factories import PASSWORD, MembershipFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_export_contains_own_data_only(client):
    me = MembershipFactory(role="owner")
    proposal = ProposalFactory(organisation=me.organisation, created_by=me.user)
    proposal.speakers.update(email=me.user.email, name="Me Myself")
    other = ProposalFactory(title="Someone else's proposal")
    client.force_login(me.user)
    response = client.get(reverse("my-data-export"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == me.user.email
    assert data["memberships"][0]["organisation"] == me.organisation.name
    assert data["proposals_created"][0]["title"] == proposal.title
    assert data["listed_as_speaker"][0]["name"] == "Me Myself"
    assert other.title not in response.content.decode()


def test_erase_anonymises_account_and_keeps_the_organisations_proposal(client):
    me = MembershipFactory(role="owner")
    proposal = ProposalFactory(organisation=me.organisation, created_by=me.user, state="rejected")
    proposal.speakers.update(email=me.user.email, name="Me Myself")
    old_email = me.user.email
    client.force_login(me.user)
    response = client.post(reverse("my-data"), {"password": PASSWORD, "confirm": "on"})
    assert response["Location"] == reverse("home")
    user = User.objects.get(pk=me.user.pk)
    assert user.email.endswith("@invalid")
    assert user.full_name == "Deleted user"
    assert not user.has_usable_password()
    assert not user.is_active
    assert not Membership.objects.filter(user=user).exists()
    kept = Proposal.objects.get(pk=proposal.pk)
    assert kept.state == "rejected"
    assert not kept.speakers.filter(email=old_email).exists()
    assert (
        client.post(reverse("login"), {"username": old_email, "password": PASSWORD}).status_code
        == 200
    )


def test_erase_needs_the_password(client):
    me = UserFactory()
    client.force_login(me)
    response = client.post(reverse("my-data"), {"password": "wrong", "confirm": "on"})
    assert "That is not your password." in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_last_owner_with_members_cannot_erase(client):
    owner = MembershipFactory(role="owner")
    MembershipFactory(organisation=owner.organisation)
    client.force_login(owner.user)
    response = client.post(reverse("my-data"), {"password": PASSWORD, "confirm": "on"})
    assert "last owner" in response.content.decode()
    owner.user.refresh_from_db()
    assert owner.user.is_active


def test_my_data_requires_login(client):
    assert client.get(reverse("my-data")).status_code == 302
    assert client.get(reverse("my-data-export")).status_code == 302
