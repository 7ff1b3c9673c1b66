"""Admins edit criteria before reviewing starts, and the review settings."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import services
from reviews.models import AuditEvent, ReviewCriterion, ReviewSettings
from tests.reviews.factories import criteria_of, submit_review

pytestmark = pytest.mark.django_db


def formset_post(criteria, extra=None, delete=()):
    rows = [
        {
            "id": c.pk,
            "name": c.name,
            "guidance": c.guidance,
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
            "weight": c.weight,
        }
        for c in criteria
    ]
    if extra:
        rows.append(extra)
    data = {
        "action": "criteria",
        "criteria-TOTAL_FORMS": str(len(rows)),
        "criteria-INITIAL_FORMS": str(len(criteria)),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "12",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"criteria-{i}-{key}"] = "" if value is None else str(value)
        if i in delete:
            data[f"criteria-{i}-DELETE"] = "on"
    return data


def test_admin_adds_renames_and_removes_criteria_before_reviewing(client, conference, admin):
    criteria = criteria_of(conference)
    criteria[0].name = "Research quality"
    client.force_login(admin)
    url = reverse("reviews:settings", args=[conference.slug])
    data = formset_post(
        criteria,
        extra={
            "name": "Live demo",
            "guidance": "Is there one?",
            "scale_min": 1,
            "scale_max": 3,
            "weight": "0.5",
        },
        delete=(2,),
    )
    response = client.post(url, data)
    assert response.status_code == 302
    names = list(
        ReviewCriterion.objects.filter(conference=conference).values_list("name", flat=True)
    )
    assert names == ["Research quality", "Informative for the audience", "Live demo"]
    assert AuditEvent.objects.filter(action="criteria.changed").exists()


def test_criteria_are_fixed_once_reviewing_started(client, conference, proposal, chair1, admin):
    submit_review(chair1, proposal)
    with pytest.raises(ValidationError, match="Reviewing has started"):
        services.criteria_replace(
            by=admin, conference=conference, criteria=[services.CriterionData(name="Only one")]
        )
    client.force_login(admin)
    page = client.get(reverse("reviews:settings", args=[conference.slug])).content.decode()
    assert "the criteria are fixed" in page
    assert ReviewCriterion.objects.filter(conference=conference).count() == 3


def test_bad_criterion_scale_is_refused(client, conference, admin):
    client.force_login(admin)
    criteria = criteria_of(conference)
    data = formset_post(criteria)
    data["criteria-0-scale_min"] = "5"
    data["criteria-0-scale_max"] = "2"
    response = client.post(reverse("reviews:settings", args=[conference.slug]), data)
    assert response.status_code == 400
    assert ReviewCriterion.objects.get(pk=criteria[0].pk).scale_max == 5


def test_admin_changes_required_reviews_and_it_is_audited(client, conference, admin):
    client.force_login(admin)
    response = client.post(
        reverse("reviews:settings", args=[conference.slug]),
        {
            "action": "settings",
            "required_reviews": "3",
            "score_scale_max": "5",
            "disagreement_points": "1.5",
        },
    )
    assert response.status_code == 302
    settings = ReviewSettings.objects.get(conference=conference)
    assert settings.required_reviews == 3
    assert settings.disagreement_points == Decimal("1.5")
    event = AuditEvent.objects.get(action="settings.changed")
    assert event.before["required_reviews"] == 2
    assert event.after["required_reviews"] == 3


def test_required_reviews_must_be_at_least_one(client, conference, admin):
    client.force_login(admin)
    response = client.post(
        reverse("reviews:settings", args=[conference.slug]),
        {
            "action": "settings",
            "required_reviews": "0",
            "score_scale_max": "5",
            "disagreement_points": "2",
        },
    )
    assert response.status_code == 400
    assert ReviewSettings.objects.get(conference=conference).required_reviews == 2


def test_score_scale_is_fixed_once_reviewing_started(conference, proposal, chair1, admin):
    submit_review(chair1, proposal)
    with pytest.raises(ValidationError, match="score scale"):
        services.review_settings_update(
            by=admin,
            conference=conference,
            required_reviews=2,
            score_scale_max=10,
            disagreement_points=Decimal(2),
        )
