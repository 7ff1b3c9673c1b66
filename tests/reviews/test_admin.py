"""The Django admin shows review data read-only: changes go through the audited workspace."""

import pytest
from django.urls import reverse

from tests.reviews.factories import decide, submit_review

pytestmark = pytest.mark.django_db

MODELS = [
    "reviewsettings",
    "reviewcriterion",
    "review",
    "reviewrevision",
    "conflict",
    "decision",
    "notificationtemplate",
    "outboxmessage",
    "auditevent",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_review_data_without_add_or_change(
    client, conference, proposal, chair1, chair2, admin, model
):
    submit_review(chair1, proposal)
    submit_review(chair2, proposal)
    decide(chair1, proposal)
    client.force_login(admin)
    assert client.get(reverse(f"admin:reviews_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:reviews_{model}_add")).status_code == 403
