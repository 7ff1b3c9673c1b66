"""Conflicts of interest: automatic (domain, affiliation, membership, speaker) and declared;
admins add and lift them with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from expo.proposals.models import Speaker
from reviews import services
from reviews.conflicts import (
    conflict_status,
    conflicted_proposal_ids,
    organisation_conflict_reasons,
)
from reviews.models import AuditEvent, Conflict
from tests.factories import ChairFactory, MembershipFactory
from tests.reviews.factories import submit_review

pytestmark = pytest.mark.django_db


def reasons(domain="expo.example", affiliations=(), name="Acme Research", domains=("acme.com",)):
    return organisation_conflict_reasons(
        email_domain=domain,
        affiliations=list(affiliations),
        organisation_name=name,
        organisation_domains=list(domains),
    )


def test_email_domain_of_the_organisation_is_a_conflict():
    assert reasons(domain="acme.com")
    assert reasons(domain="research.acme.com"), "subdomains belong to the organisation too"
    assert not reasons(domain="notacme.com")


def test_public_webmail_domain_never_makes_a_conflict():
    assert not reasons(domain="gmail.com", domains=("gmail.com", "acme.com"))


def test_declared_affiliation_matching_name_or_domain_is_a_conflict():
    assert reasons(affiliations=["acme research"])
    assert reasons(affiliations=["acme.com"])
    assert not reasons(affiliations=["Acme"]), "a different name is not a match"


def test_chair_with_organisation_domain_is_conflicted(conference, proposal, insider):
    status = conflict_status(user=insider, proposal=proposal)
    assert status.conflicted
    assert "e-mail domain" in status.reasons[0]
    assert proposal.pk in conflicted_proposal_ids(user=insider, conference=conference)


def test_chair_affiliation_makes_a_conflict(conference, proposal):
    chair = ChairFactory(
        conference=conference, affiliations=f"University of Nowhere\n{proposal.organisation.name}"
    ).user
    assert conflict_status(user=chair, proposal=proposal).conflicted


def test_member_of_the_organisation_is_conflicted(conference, proposal, chair1):
    MembershipFactory(organisation=proposal.organisation, user=chair1)
    assert conflict_status(user=chair1, proposal=proposal).conflicted
    assert proposal.pk in conflicted_proposal_ids(user=chair1, conference=conference)


def test_speaker_is_conflicted_with_own_proposal_only(conference, proposal, chair1):
    Speaker.objects.create(proposal=proposal, name="Chair speaking", email=chair1.email.upper())
    assert conflict_status(user=chair1, proposal=proposal).reasons == ["listed as a speaker"]
    assert conflicted_proposal_ids(user=chair1, conference=conference) == {proposal.pk}


def test_unrelated_chair_is_not_conflicted(conference, proposal, chair1):
    assert not conflict_status(user=chair1, proposal=proposal).conflicted
    assert conflicted_proposal_ids(user=chair1, conference=conference) == frozenset()


def test_declaring_a_conflict_hides_the_proposal_and_is_audited(
    client, conference, proposal, chair1
):
    client.force_login(chair1)
    url = reverse("reviews:declare-conflict", args=[conference.slug, proposal.pk])
    response = client.post(url, {"reason": "I advise their lab."})
    assert response.status_code == 302
    assert Conflict.objects.get(user=chair1, proposal=proposal).kind == "declared"
    page = client.get(reverse("reviews:proposal", args=[conference.slug, proposal.pk]))
    assert page.status_code == 404
    assert AuditEvent.objects.filter(action="conflict.declared", actor=chair1).exists()


def test_admin_lifts_an_automatic_conflict_with_a_reason(conference, proposal, insider, admin):
    with pytest.raises(ValidationError):
        services.conflict_lift(by=admin, user=insider, proposal=proposal, reason="  ")
    assert conflict_status(user=insider, proposal=proposal).conflicted
    services.conflict_lift(
        by=admin, user=insider, proposal=proposal, reason="Left the company in 2019."
    )
    proposal.__dict__.pop("_conflict_status", None)
    assert not conflict_status(user=insider, proposal=proposal).conflicted
    assert proposal.pk not in conflicted_proposal_ids(user=insider, conference=conference)
    event = AuditEvent.objects.get(action="conflict.lifted")
    assert event.after["reason"] == "Left the company in 2019."
    assert event.actor == admin


def test_admin_adds_a_conflict_with_a_reason(conference, proposal, chair1, admin):
    services.conflict_add(by=admin, user=chair1, proposal=proposal, reason="Former PhD student.")
    assert proposal.pk in conflicted_proposal_ids(user=chair1, conference=conference)
    assert AuditEvent.objects.get(action="conflict.added").after["user"] == chair1.email


def test_cochair_cannot_add_or_lift_conflicts(conference, proposal, chair1, insider):
    with pytest.raises(PermissionDenied):
        services.conflict_lift(by=chair1, user=insider, proposal=proposal, reason="Trust me")
    with pytest.raises(PermissionDenied):
        services.conflict_add(by=chair1, user=insider, proposal=proposal, reason="Because")


def test_admin_conflicts_page_lists_reasons_and_lifts(client, conference, proposal, insider, admin):
    client.force_login(admin)
    url = reverse("reviews:conflicts", args=[conference.slug])
    body = client.get(url).content.decode()
    assert insider.email in body
    assert "e-mail domain" in body
    response = client.post(
        url, {"action": "lift", "user": insider.pk, "proposal": proposal.pk, "reason": "Vetted"}
    )
    assert response.status_code == 302
    assert Conflict.objects.get(user=insider).kind == "lifted"


def test_admin_conflict_form_requires_a_reason(client, conference, proposal, insider, admin):
    client.force_login(admin)
    url = reverse("reviews:conflicts", args=[conference.slug])
    response = client.post(url, {"action": "lift", "user": insider.pk, "proposal": proposal.pk})
    assert response.status_code == 400
    assert not Conflict.objects.exists()


def test_review_by_a_reviewer_who_became_conflicted_does_not_count(
    conference, proposal, chair1, chair2, admin
):
    submit_review(chair1, proposal)
    submit_review(chair2, proposal)
    services.conflict_add(by=admin, user=chair2, proposal=proposal, reason="Discovered a tie.")
    with pytest.raises(ValidationError, match="has 1"):
        services.decisions_make(
            by=chair1,
            proposals=[proposal],
            outcome="accept",
            rationale="Good.",
            expected_versions={},
        )


def test_conflicted_ids_agree_with_the_per_proposal_status_for_every_pair(conference, admin):
    """The workspace's one-query conflict list and the review page's per-proposal check are
    two implementations of the same rules: every (chair, proposal) pair must agree."""
    from tests.factories import OrganisationFactory, ProposalFactory, UserFactory

    acme = OrganisationFactory(name="Acme  Research.", domains=["acme.com"])
    bare = OrganisationFactory(name="Bare Labs", domains=[])
    other_conference_twin = ProposalFactory(organisation=acme, state="submitted")
    proposals = [
        ProposalFactory(conference=conference, organisation=acme, state="submitted"),
        ProposalFactory(conference=conference, organisation=acme, state="draft"),
        ProposalFactory(conference=conference, organisation=bare, state="submitted"),
        ProposalFactory(conference=conference, state="under_review"),
        ProposalFactory(conference=conference, organisation=None, state="submitted", speakers=0),
    ]
    by_domain = ChairFactory(conference=conference, user=UserFactory(email="x@labs.acme.com"))
    by_affiliation = ChairFactory(conference=conference, affiliations="Uni\n  acme research ")
    member = ChairFactory(conference=conference)
    MembershipFactory(organisation=bare, user=member.user)
    speaker = ChairFactory(conference=conference)
    Speaker.objects.create(proposal=proposals[3], name="S", email=speaker.user.email.upper())
    Speaker.objects.create(proposal=proposals[4], name="S", email=speaker.user.email)
    lifted = ChairFactory(conference=conference, user=UserFactory(email="y@acme.com"))
    services.conflict_lift(by=admin, user=lifted.user, proposal=proposals[0], reason="Left.")
    declared = ChairFactory(conference=conference)
    services.conflict_add(by=admin, user=declared.user, proposal=proposals[2], reason="Advisor.")
    services.conflict_lift(by=admin, user=speaker.user, proposal=proposals[4], reason="Other S.")
    plain = ChairFactory(conference=conference)

    expected_hidden = {
        by_domain: {proposals[0].pk, proposals[1].pk},
        by_affiliation: {proposals[0].pk, proposals[1].pk},
        member: {proposals[2].pk},
        speaker: {proposals[3].pk},
        lifted: {proposals[1].pk},
        declared: {proposals[2].pk},
        plain: set(),
    }
    for chair_row, hidden in expected_hidden.items():
        user = chair_row.user
        ids = conflicted_proposal_ids(user=user, conference=conference)
        assert ids == hidden, user.email
        assert other_conference_twin.pk not in ids
        for proposal in proposals:
            proposal.__dict__.pop("_conflict_status", None)
            status = conflict_status(user=user, proposal=proposal)
            assert status.conflicted == (proposal.pk in ids), (user.email, proposal.pk)
