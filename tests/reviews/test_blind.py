"""Blind until own review: other reviews and scores show only after one's own submission or
once the proposal is decided."""

import pytest
from django.urls import reverse

from tests.reviews.factories import decide, submit_review

pytestmark = pytest.mark.django_db

SECRET = "Kofi candidly thinks the demo is staged"


@pytest.fixture
def reviewed_by_chair2(conference, proposal, chair2):
    submit_review(
        chair2, proposal, 2, private_comment=SECRET, rationale="Mostly a sales pitch, sorry."
    )
    return proposal


def review_page(client, user, conference, proposal):
    client.force_login(user)
    return client.get(
        reverse("reviews:proposal", args=[conference.slug, proposal.pk])
    ).content.decode()


def test_other_reviews_are_hidden_before_own_submission(
    client, conference, reviewed_by_chair2, chair1
):
    body = review_page(client, chair1, conference, reviewed_by_chair2)
    assert SECRET not in body
    assert "Mostly a sales pitch" not in body
    assert "1 other chair reviewed this proposal" in body


def test_own_draft_does_not_lift_the_blind(client, conference, reviewed_by_chair2, chair1):
    from reviews import services

    services.review_autosave(
        reviewer=chair1,
        proposal=reviewed_by_chair2,
        data=services.ReviewData(rationale="draft"),
        expected_draft_version=0,
    )
    assert SECRET not in review_page(client, chair1, conference, reviewed_by_chair2)


def test_other_reviews_show_after_own_submission(client, conference, reviewed_by_chair2, chair1):
    submit_review(chair1, reviewed_by_chair2, 4)
    body = review_page(client, chair1, conference, reviewed_by_chair2)
    assert SECRET in body
    assert "Kofi Cochair" in body


def test_other_reviews_show_once_decided(client, conference, reviewed_by_chair2, chair1, admin):
    from reviews.models import ReviewSettings

    ReviewSettings.objects.filter(conference=conference).update(required_reviews=1)
    decide(admin, reviewed_by_chair2, "reject")
    assert SECRET in review_page(client, chair1, conference, reviewed_by_chair2)


def test_dashboard_shows_counts_without_scores_before_own_review(
    client, conference, reviewed_by_chair2, chair1
):
    client.force_login(chair1)
    body = client.get(reverse("reviews:dashboard", args=[conference.slug])).content.decode()
    assert "hidden until you review" in body
    assert "1 other" in body
    assert "2.00" not in body


def test_sorting_by_score_does_not_reveal_hidden_scores(client, conference, chair1, chair2):
    from tests.reviews.factories import submitted_proposal

    low = submitted_proposal(conference, title="Low scored by Kofi")
    high = submitted_proposal(conference, title="High scored by Kofi")
    submit_review(chair2, low, 1)
    submit_review(chair2, high, 5)
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])
    ascending = client.get(url, {"sort": "score"}).content.decode()
    descending = client.get(url, {"sort": "-score"}).content.decode()
    # Hidden scores sort like missing ones: the order falls back to the id, both ways.
    assert ascending.index("Low scored") < ascending.index("High scored")
    assert descending.index("Low scored") < descending.index("High scored")


def test_disagreement_filter_does_not_reveal_unreviewed_proposals(
    client, conference, proposal, chair1, chair2
):
    from tests.reviews.factories import chair

    third = chair(conference)
    submit_review(chair2, proposal, 1)
    submit_review(third, proposal, 5)
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])
    assert proposal.title not in client.get(url, {"disagree": "on"}).content.decode()
    submit_review(chair1, proposal, 3)
    assert proposal.title in client.get(url, {"disagree": "on"}).content.decode()


def test_export_hides_scores_before_own_review(client, conference, reviewed_by_chair2, chair1):
    client.force_login(chair1)
    response = client.get(reverse("reviews:export", args=[conference.slug]))
    text = b"".join(response.streaming_content).decode()
    row = next(line for line in text.splitlines() if reviewed_by_chair2.title in line)
    assert "2.00" not in row
