"""After decisions, a sponsor learns per criterion whether their proposal was judged below, at
or above the accepted proposals' median — never a score, never with fewer than 5 accepted."""

import pytest
from django.urls import reverse

from tests.factories import ConferenceFactory
from tests.reviews.factories import (
    chair,
    decide,
    sponsor_with_proposal,
    submit_review,
    submitted_proposal,
)

pytestmark = pytest.mark.django_db


def decided_conference(accepted: int):
    conference = ConferenceFactory()
    first, second = chair(conference), chair(conference)
    for _ in range(accepted):
        proposal = submitted_proposal(conference)
        submit_review(first, proposal, [4, 4, 4])
        submit_review(second, proposal, [4, 4, 4])
        decide(first, proposal, "accept")
    sponsor, own = sponsor_with_proposal(conference)
    submit_review(first, own, [2, 4, 5])
    submit_review(second, own, [2, 4, 5])
    decide(first, own, "reject", rationale="Reads as a product overview.")
    return sponsor, own


def test_sponsor_sees_position_per_criterion_without_scores(client):
    sponsor, own = decided_conference(accepted=5)
    client.force_login(sponsor)
    body = client.get(reverse("proposal-detail", args=[own.pk])).content.decode()
    assert "How the reviews compare" in body
    assert "below the accepted proposals' median" in body
    assert "about at the accepted proposals' median" in body
    assert "above the accepted proposals' median" in body
    assert "Reads as a product overview." in body
    # No numbers that could be scores or other sponsors' data.
    for leak in ["4.0", "2.0", "5.0", "weighted", "Weighted"]:
        assert leak not in body


def test_comparison_is_suppressed_with_fewer_than_five_accepted(client):
    sponsor, own = decided_conference(accepted=4)
    client.force_login(sponsor)
    body = client.get(reverse("proposal-detail", args=[own.pk])).content.decode()
    assert "Reads as a product overview." in body
    assert "How the reviews compare" not in body
