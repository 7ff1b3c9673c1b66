"""Training data slices by the sponsor as it was at submission, and survives erased sponsors."""

import pytest

from expo.sponsors.models import Organisation, SponsorTier
from ranking.services import relevance_model_train, training_set
from tests.factories import ConferenceFactory
from tests.ranking.relevance_helpers import decided_proposals, past_conference

pytestmark = pytest.mark.django_db


def test_training_set_uses_the_submission_snapshot_not_the_organisation_today():
    past = past_conference()
    proposals = decided_proposals(past, n=40)
    # The gold sponsor of last year is a startup-tier sponsor today: its old proposals keep
    # the tier they were submitted under.
    gold = proposals[0].organisation
    Organisation.objects.filter(pk=gold.pk).update(tier=SponsorTier.STARTUP)
    data = training_set(ConferenceFactory())
    assert data.slices["sponsor tier"].count("gold") == 20
    assert data.slices["sponsor tier"].count("startup") == 20
    assert set(data.slices["first-time sponsor"]) == {"yes", "no"}


def test_training_on_proposals_of_an_erased_organisation_keeps_their_groups():
    past = past_conference()
    proposals = decided_proposals(past, n=40)
    erased = proposals[0].organisation
    erased.delete()  # proposals keep their decision record, organisation becomes NULL
    assert past.proposals.filter(organisation__isnull=True).count() == 20
    conference = ConferenceFactory()
    model = relevance_model_train(conference=conference)
    assert model.n_train == 40
    assert set(model.metrics["slices"]["sponsor tier"]) == {"gold", "startup"}
    assert set(model.metrics["slices"]["region"]) == {"europe", "asia"}


def test_proposals_without_a_snapshot_are_in_the_unknown_group():
    past = past_conference()
    decided_proposals(past, n=40)
    past.proposals.filter(pk__in=past.proposals.values("pk")[:3]).update(
        sponsor_tier="", first_time_sponsor=None
    )
    data = training_set(ConferenceFactory())
    assert data.slices["sponsor tier"].count("unknown") == 3
    assert data.slices["first-time sponsor"].count("unknown") == 3
