"""Proposal services: validation, transactions, state machine."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from expo.proposals import services
from expo.proposals.models import Proposal, Speaker
from expo.proposals.services import SpeakerData
from tests.factories import ConferenceFactory, MembershipFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(member, conference, **overrides):
    arguments = {
        "conference": conference,
        "organisation": member.organisation,
        "by": member.user,
        "title": "  Causal discovery at scale  ",
        "abstract": "Abstract text.",
        "outline": "Outline text.",
        "format": "workshop",
        "topics": list(conference.topics.all()[:1]),
        "speakers": [SpeakerData(name="Ada", email="ADA@example.org")],
    }
    arguments.update(overrides)
    return services.proposal_create(**arguments)


def test_create_strips_text_and_normalises_speaker_email(member, conference):
    proposal = create(member, conference)
    assert proposal.title == "Causal discovery at scale"
    assert proposal.speakers.get().email == "ada@example.org"
    assert proposal.duration_minutes == 240


def test_bad_attachment_leaves_nothing_half_saved(member, conference):
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 executable")
    with pytest.raises(ValidationError):
        create(member, conference, attachment=bad)
    assert not Proposal.objects.exists()
    assert not Speaker.objects.exists()


def test_non_member_cannot_create(conference):
    outsider = MembershipFactory()
    other_org = MembershipFactory().organisation
    with pytest.raises(PermissionDenied):
        services.proposal_create(
            conference=conference,
            organisation=other_org,
            by=outsider.user,
            title="t",
            abstract="a",
            outline="o",
            format="talk",
            topics=list(conference.topics.all()[:1]),
            speakers=[SpeakerData(name="A", email="a@example.org")],
        )


def test_topics_of_another_conference_are_refused(member, conference):
    other = ConferenceFactory(topic_names=["Elsewhere"])
    with pytest.raises(ValidationError, match="this conference only"):
        create(member, conference, topics=list(other.topics.all()))


def test_no_speakers_refused(member, conference):
    with pytest.raises(ValidationError, match="at least one speaker"):
        create(member, conference, speakers=[])


def test_submit_twice_is_refused(member, conference):
    proposal = create(member, conference, submit=True)
    with pytest.raises(ValidationError, match="Only drafts"):
        services.proposal_submit(proposal=proposal, by=member.user)


def test_update_replaces_speakers_in_order(member, conference):
    proposal = create(member, conference)
    services.proposal_update(
        proposal=proposal,
        by=member.user,
        title="t",
        abstract="a",
        outline="o",
        format="talk",
        topics=list(conference.topics.all()),
        speakers=[
            SpeakerData(name="Second", email="b@example.org"),
            SpeakerData(name="First", email="a@example.org"),
        ],
    )
    assert list(proposal.speakers.values_list("name", flat=True)) == ["Second", "First"]


def test_text_change_hook_runs_after_commit_of_submit_and_edit(
    member, conference, django_capture_on_commit_callbacks
):
    seen: list[int] = []
    services._text_changed_hooks.append(seen.append)
    try:
        proposal = create(member, conference)
        assert seen == []  # drafts are not scored
        with django_capture_on_commit_callbacks(execute=True):
            services.proposal_submit(proposal=proposal, by=member.user)
        assert seen == [proposal.pk]
    finally:
        services._text_changed_hooks.remove(seen.append)


def test_withdraw_of_rejected_proposal_is_refused(member):
    proposal = ProposalFactory(organisation=member.organisation, state="rejected")
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        services.proposal_withdraw(proposal=proposal, by=member.user)


def test_withdraw_by_stranger_is_refused(member):
    proposal = ProposalFactory(organisation=member.organisation, state="submitted")
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(proposal=proposal, by=UserFactory())


def test_submission_succeeds_when_the_scoring_hook_fails(
    member, conference, django_capture_on_commit_callbacks
):
    def broker_down(proposal_id: int) -> None:
        raise ConnectionError("broker unreachable")

    services._text_changed_hooks.append(broker_down)
    try:
        proposal = create(member, conference)
        with django_capture_on_commit_callbacks(execute=True):
            services.proposal_submit(proposal=proposal, by=member.user)
    finally:
        services._text_changed_hooks.remove(broker_down)
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


def test_submitting_scores_the_proposal_in_the_background(
    member, conference, django_capture_on_commit_callbacks
):
    from ranking.models import RelevanceScore

    proposal = create(member, conference)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=proposal, by=member.user)
    score = RelevanceScore.objects.get(proposal=proposal)
    assert 0.0 <= score.score <= 1.0
