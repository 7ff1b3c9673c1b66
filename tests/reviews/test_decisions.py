"""Decisions: enough non-conflicted reviews, one or many at once, capacity, locking."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from expo.conferences.models import Track
from expo.proposals.models import Proposal
from reviews import services
from reviews.models import AuditEvent, Decision, ReviewSettings
from tests.reviews.factories import decide, submit_review, submitted_proposal

pytestmark = pytest.mark.django_db


def make(by, proposals, outcome="accept", rationale="Strong, research-driven talk.", **kwargs):
    versions = kwargs.pop("expected_versions", None)
    if versions is None:
        versions = {
            p.pk: d.version for p in proposals if (d := Decision.objects.filter(proposal=p).first())
        }
    return services.decisions_make(
        by=by,
        proposals=proposals,
        outcome=outcome,
        rationale=rationale,
        expected_versions=versions,
        **kwargs,
    )


@pytest.fixture
def reviewed(conference, proposal, chair1, chair2):
    submit_review(chair1, proposal, 4)
    submit_review(chair2, proposal, 5)
    return proposal


def test_decision_sets_state_and_is_audited(reviewed, chair1):
    decision = make(chair1, [reviewed])[0]
    reviewed.refresh_from_db()
    assert reviewed.state == "accepted"
    assert decision.version == 1
    assert decision.decided_by == chair1
    event = AuditEvent.objects.get(action="decision.made")
    assert event.after["outcome"] == "accept"
    assert event.before is None


def test_deciding_needs_the_required_number_of_reviews(conference, proposal, chair1, chair2):
    submit_review(chair1, proposal)
    with pytest.raises(ValidationError, match="needs 2 submitted reviews"):
        make(chair1, [proposal])
    assert not Decision.objects.exists()
    ReviewSettings.objects.filter(conference=conference).update(required_reviews=1)
    assert make(chair1, [proposal], outcome="reject")[0].outcome == "reject"


def test_deciding_needs_a_rationale(reviewed, chair1):
    with pytest.raises(ValidationError, match="rationale"):
        make(chair1, [reviewed], rationale="   ")
    assert not Decision.objects.exists()


def test_conflicted_chair_cannot_decide(reviewed, insider):
    with pytest.raises(PermissionDenied):
        make(insider, [reviewed])
    assert not Decision.objects.exists()


def test_conflicted_admin_cannot_decide(reviewed, admin):
    from tests.factories import MembershipFactory

    MembershipFactory(organisation=reviewed.organisation, user=admin)
    with pytest.raises(PermissionDenied):
        make(admin, [reviewed])


def test_admin_who_is_not_conflicted_can_decide(reviewed, admin):
    assert make(admin, [reviewed], outcome="waitlist")[0].outcome == "waitlist"


def test_chair_who_has_not_reviewed_cannot_decide(conference, reviewed):
    from tests.reviews.factories import chair

    third = chair(conference)
    with pytest.raises(ValidationError, match="your own review"):
        make(third, [reviewed])


def test_withdrawn_proposal_cannot_be_decided(reviewed, chair1):
    Proposal.objects.filter(pk=reviewed.pk).update(state="withdrawn")
    reviewed.refresh_from_db()
    with pytest.raises(ValidationError, match="withdrawn"):
        make(chair1, [reviewed])


def test_decided_proposal_no_longer_takes_reviews(reviewed, chair1):
    decide(chair1, reviewed)
    reviewed.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer change"):
        submit_review(chair1, reviewed, 1)


def test_bulk_decision_is_all_or_nothing(conference, reviewed, chair1, chair2):
    lacking = submitted_proposal(conference, title="Only one review")
    submit_review(chair1, lacking)
    with pytest.raises(ValidationError) as raised:
        make(chair1, [reviewed, lacking], outcome="reject")
    assert "Only one review" in str(raised.value)
    assert not Decision.objects.exists()
    reviewed.refresh_from_db()
    assert reviewed.state == "under_review"
    submit_review(chair2, lacking)
    assert len(make(chair1, [reviewed, lacking], outcome="reject")) == 2
    assert set(Proposal.objects.filter(conference=conference).values_list("state", flat=True)) == {
        "rejected"
    }


def test_stale_decision_is_refused_with_the_newer_one(reviewed, chair1, chair2):
    make(chair1, [reviewed], outcome="accept", expected_versions={})
    with pytest.raises(services.StaleWrite) as raised:
        make(chair2, [reviewed], outcome="reject", expected_versions={reviewed.pk: 0})
    assert raised.value.current.outcome == "accept"
    assert Decision.objects.get().outcome == "accept"


def test_changing_a_decision_bumps_the_version_and_audits_before(reviewed, chair1, chair2):
    make(chair1, [reviewed], outcome="waitlist")
    decision = make(chair2, [reviewed], outcome="accept", rationale="A slot became free.")[0]
    assert decision.version == 2
    event = AuditEvent.objects.get(action="decision.changed")
    assert event.before["outcome"] == "waitlist"
    assert event.after["outcome"] == "accept"


def test_over_filling_a_track_asks_for_confirmation(conference, reviewed, chair1):
    track = Track.objects.filter(conference=conference, format="talk").first()
    Track.objects.filter(conference=conference, format="talk").update(capacity=0)
    Proposal.objects.filter(pk=reviewed.pk).update(track=track)
    reviewed.refresh_from_db()
    with pytest.raises(services.OverCapacity) as raised:
        make(chair1, [reviewed])
    assert "1 accepted for 0 slots" in str(raised.value)
    assert not Decision.objects.exists()
    make(chair1, [reviewed], confirm_overfill=True)
    reviewed.refresh_from_db()
    assert reviewed.state == "accepted"


def test_decide_page_shows_capacity_and_confirms_over_fill(client, conference, reviewed, chair1):
    Track.objects.filter(conference=conference, format="talk").update(capacity=0)
    client.force_login(chair1)
    url = reverse("reviews:decide", args=[conference.slug, reviewed.pk])
    page = client.get(url).content.decode()
    assert "Track capacity" in page
    assert "Talks &amp; demos" in page
    data = {"outcome": "accept", "rationale": "Great.", f"version_{reviewed.pk}": "0"}
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Over capacity" in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(url, {**data, "confirm_overfill": "on"})
    assert response.status_code == 302
    assert Decision.objects.get().outcome == "accept"


def test_stale_decision_page_keeps_the_typed_rationale(
    client, conference, reviewed, chair1, chair2
):
    decide(chair2, reviewed, "reject", "Not research.")
    client.force_login(chair1)
    url = reverse("reviews:decide", args=[conference.slug, reviewed.pk])
    response = client.post(
        url,
        {
            "outcome": "accept",
            "rationale": "My carefully typed text",
            f"version_{reviewed.pk}": "0",
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "My carefully typed text" in body
    assert "Not research." in body
    assert f'name="version_{reviewed.pk}" value="1"' in body
    assert Decision.objects.get().outcome == "reject"


def test_bulk_decide_page_decides_selected(client, conference, reviewed, chair1, chair2):
    second = submitted_proposal(conference)
    submit_review(chair1, second)
    submit_review(chair2, second)
    client.force_login(chair1)
    url = reverse("reviews:bulk-decide", args=[conference.slug])
    page = client.get(url, {"proposals": [reviewed.pk, second.pk]})
    assert page.status_code == 200
    response = client.post(
        url, {"proposals": [reviewed.pk, second.pk], "outcome": "waitlist", "rationale": "Later."}
    )
    assert response.status_code == 302
    assert Decision.objects.filter(outcome="waitlist").count() == 2


def test_bulk_decide_refuses_a_forged_proposal_of_another_conference(
    client, conference, reviewed, chair1
):
    from tests.factories import ConferenceFactory

    foreign = submitted_proposal(ConferenceFactory())
    client.force_login(chair1)
    url = reverse("reviews:bulk-decide", args=[conference.slug])
    response = client.post(
        url, {"proposals": [reviewed.pk, foreign.pk], "outcome": "accept", "rationale": "x"}
    )
    assert response.status_code == 302
    assert not Decision.objects.exists()
