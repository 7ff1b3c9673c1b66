"""Every conference gets review settings, three criteria and three e-mail templates."""

import pytest

from reviews.defaults import DEFAULT_CRITERIA
from reviews.models import NotificationTemplate, ReviewCriterion, ReviewSettings
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db


def test_new_conference_gets_the_three_quality_criteria():
    conference = ConferenceFactory()
    criteria = list(ReviewCriterion.objects.filter(conference=conference))
    assert [c.name for c in criteria] == [name for name, _ in DEFAULT_CRITERIA]
    assert all((c.scale_min, c.scale_max, c.weight) == (1, 5, 1) for c in criteria)
    assert "marketing" in criteria[0].name


def test_new_conference_gets_settings_and_templates():
    conference = ConferenceFactory()
    assert ReviewSettings.objects.get(conference=conference).required_reviews == 2
    outcomes = set(
        NotificationTemplate.objects.filter(conference=conference).values_list("outcome", flat=True)
    )
    assert outcomes == {"accept", "reject", "waitlist"}


def test_defaults_do_not_replace_edited_criteria_when_ensured_again():
    from reviews.services import review_setup_ensure

    conference = ConferenceFactory()
    ReviewCriterion.objects.filter(conference=conference).update(guidance="Edited")
    review_setup_ensure(conference=conference)
    assert ReviewCriterion.objects.filter(conference=conference).count() == 3
    assert set(
        ReviewCriterion.objects.filter(conference=conference).values_list("guidance", flat=True)
    ) == {"Edited"}
