import datetime as dt

import pytest
from rest_framework.test import APIClient

from expo.conferences.services import conference_create_default_tracks
from expo.proposals.models import ProposalState
from ranking.services import proposal_score
from reviews.models import Conflict, Decision, Review
from scheduling import services as schedule_services
from scheduling.models import Room, TrackWindow
from tests.factories import AdminFactory, ConferenceFactory, MembershipFactory, ProposalFactory
from tests.reviews.factories import (
    RATIONALE,
    chair,
    conflicted_chair,
    criteria_of,
    sponsor_with_proposal,
    submit_review,
)

pytestmark = pytest.mark.django_db

SECRET = "Insider Labs' secret roadmap for autonomous forklifts."


@pytest.fixture
def conference():
    return ConferenceFactory(topic_names=["Reinforcement learning", "Vision"])


@pytest.fixture
def proposal(conference):
    return sponsor_with_proposal(conference, title="Forklift plan", abstract=SECRET)[1]


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def base(conference):
    return f"/api/v1/review/{conference.slug}/proposals/"


def review_body(conference, version=0, score=4):
    return {
        "scores": {str(c.pk): score for c in criteria_of(conference)},
        "recommendation": "weak_accept",
        "confidence": 4,
        "rationale": RATIONALE,
        "expected_version": version,
    }


def test_chair_lists_and_opens_submitted_proposals_not_drafts(conference, proposal):
    draft = ProposalFactory(conference=conference, title="Unsubmitted draft")
    api = client_for(chair(conference))
    titles = [p["title"] for p in api.get(base(conference)).json()["results"]]
    assert titles == ["Forklift plan"]
    detail = api.get(f"{base(conference)}{proposal.pk}/").json()
    assert detail["abstract"] == SECRET
    assert api.get(f"{base(conference)}{draft.pk}/").status_code == 404


def test_conflicted_chair_gets_404_and_never_the_text(conference, proposal):
    api = client_for(conflicted_chair(conference, proposal))
    listing = api.get(base(conference))
    assert listing.status_code == 200
    assert SECRET not in listing.content.decode()
    for suffix in ("", "reviews/", "relevance/"):
        response = api.get(f"{base(conference)}{proposal.pk}/{suffix}")
        assert response.status_code == 404, suffix
        assert SECRET not in response.content.decode()
    for suffix in ("review/", "decision/", "conflict/"):
        assert api.post(f"{base(conference)}{proposal.pk}/{suffix}", {}, "json").status_code == (
            404
        )


def test_sponsors_and_other_conferences_chairs_are_refused(conference, proposal):
    sponsor = proposal.organisation.memberships.get().user
    other_chair = chair(ConferenceFactory())
    for user in (sponsor, other_chair, MembershipFactory().user):
        response = client_for(user).get(base(conference))
        assert response.status_code == 403
        assert SECRET not in response.content.decode()
    assert APIClient().get(base(conference)).status_code == 401


def test_blind_rule_hides_reviews_until_your_own(conference, proposal):
    first, second = chair(conference), chair(conference)
    submit_review(first, proposal, private_comment="Between us chairs.")
    api = client_for(second)
    hidden = api.get(f"{base(conference)}{proposal.pk}/reviews/")
    assert hidden.status_code == 403
    assert "blind review" in hidden.json()["errors"][0]["message"]
    assert "Between us chairs" not in hidden.content.decode()

    submitted = api.post(
        f"{base(conference)}{proposal.pk}/review/", review_body(conference), format="json"
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["version"] == 1
    shown = api.get(f"{base(conference)}{proposal.pk}/reviews/").json()
    assert len(shown) == 2
    assert {r["private_comment"] for r in shown} == {"Between us chairs.", ""}
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.UNDER_REVIEW


def test_review_from_a_stale_tab_is_a_409(conference, proposal):
    reviewer = chair(conference)
    api = client_for(reviewer)
    url = f"{base(conference)}{proposal.pk}/review/"
    assert api.post(url, review_body(conference), format="json").status_code == 200
    stale = api.post(url, review_body(conference, version=0, score=2), format="json")
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "stale"
    assert Review.objects.get(reviewer=reviewer).version == 1


def test_review_out_of_scale_is_a_400_and_saves_nothing(conference, proposal):
    api = client_for(chair(conference))
    body = review_body(conference, score=9)
    response = api.post(f"{base(conference)}{proposal.pk}/review/", body, format="json")
    assert response.status_code == 400
    assert "outside the scale" in response.json()["errors"][0]["message"]
    assert not Review.objects.filter(version__gt=0).exists()


def test_decision_needs_reviews_then_records_with_version(conference, proposal):
    first, second = chair(conference), chair(conference)
    api = client_for(first)
    url = f"{base(conference)}{proposal.pk}/decision/"
    body = {"outcome": "accept", "rationale": "Strong fit.", "expected_version": 0}
    early = api.post(url, body, format="json")
    assert early.status_code == 400
    submit_review(first, proposal)
    submit_review(second, proposal)
    decided = api.post(url, {**body, "confirm_overfill": True}, format="json")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["version"] == 1
    stale = api.post(url, {**body, "outcome": "reject", "confirm_overfill": True}, "json")
    assert stale.status_code == 409
    assert Decision.objects.get(proposal=proposal).outcome == "accept"


def test_declaring_a_conflict_hides_the_proposal(conference, proposal):
    user = chair(conference)
    api = client_for(user)
    url = f"{base(conference)}{proposal.pk}/"
    response = api.post(f"{url}conflict/", {"reason": "I advised them."}, format="json")
    assert response.status_code == 204
    assert Conflict.objects.get(user=user, proposal=proposal).kind == "declared"
    assert api.get(url).status_code == 404


def test_relevance_score_shows_after_the_chairs_own_review(conference, proposal):
    reviewer = chair(conference)
    api = client_for(reviewer)
    url = f"{base(conference)}{proposal.pk}/relevance/"
    hidden = api.get(url)
    assert hidden.status_code == 403
    assert "anchor" in hidden.json()["errors"][0]["message"]
    submit_review(reviewer, proposal)
    assert api.get(url).json()["pending"] is True
    proposal_score(proposal_id=proposal.pk)
    panel = api.get(url).json()
    assert panel["pending"] is False
    assert 0 <= panel["score"] <= 1
    assert panel["kind"] == "topical"
    # Admins who do not chair the conference review nothing, so nothing can be anchored.
    assert client_for(AdminFactory()).get(url).status_code == 200


def test_relevance_score_is_never_shown_to_sponsors(conference, proposal):
    sponsor = client_for(proposal.organisation.memberships.get().user)
    assert sponsor.get(f"{base(conference)}{proposal.pk}/relevance/").status_code == 403
    assert "score" not in sponsor.get(f"/api/v1/proposals/{proposal.pk}/").json()


def test_conflict_list_is_for_admins(conference, proposal):
    insider = conflicted_chair(conference, proposal)
    url = f"/api/v1/review/{conference.slug}/conflicts/"
    assert client_for(chair(conference)).get(url).status_code == 403
    rows = client_for(AdminFactory()).get(url).json()
    assert [(r["user"], r["proposal_id"], r["conflicted"]) for r in rows] == [
        (insider.email, proposal.pk, True)
    ]


def test_fairness_report_for_chairs_404_for_others(conference, proposal):
    url = f"/api/v1/fairness/{conference.slug}/accepted/"
    response = client_for(chair(conference)).get(url)
    assert response.status_code == 200
    assert response.json()["stage"] == "accepted"
    assert client_for(MembershipFactory().user).get(url).status_code == 404
    assert client_for(chair(conference)).get(url.replace("accepted", "nope")).status_code == 404


def test_public_schedule_is_404_until_published_then_public_without_emails(conference):
    url = f"/api/v1/conferences/{conference.slug}/schedule/"
    response = APIClient().get(url)
    assert response.status_code == 404
    assert "No schedule is published" in response.json()["errors"][0]["message"]

    talks, *_ = conference_create_default_tracks(conference=conference)
    room = Room.objects.create(conference=conference, name="Hall 1")
    day = conference.starts_on
    TrackWindow.objects.create(
        track=talks,
        room=room,
        starts_at=dt.datetime.combine(day, dt.time(9), conference.tzinfo),
        ends_at=dt.datetime.combine(day, dt.time(12), conference.tzinfo),
    )
    accepted = ProposalFactory(
        conference=conference, state=ProposalState.ACCEPTED, track=talks, title="Robot arms"
    )
    admin = AdminFactory()
    version = schedule_services.schedule_version_solve(conference=conference, by=admin)
    schedule_services.schedule_version_publish(version=version, by=admin)

    data = APIClient().get(url).json()
    assert data["version"] == version.number
    (session,) = data["sessions"]
    assert session["title"] == "Robot arms"
    assert session["room"] == "Hall 1"
    assert session["speakers"] == [accepted.speakers.get().name]
    assert accepted.speakers.get().email not in str(data)
