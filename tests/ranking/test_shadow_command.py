"""``train_relevance --shadow`` / ``--stop-shadow``: the same services as the admins' page."""

import pytest
from django.core.management import CommandError, call_command

from ranking.models import RelevanceModel
from ranking.services import relevance_model_train
from tests.ranking.pages_helpers import world

pytestmark = pytest.mark.django_db


def test_shadow_starts_and_stops_from_the_command_line(capsys):
    w = world(shadow=False)
    relevance_model_train(conference=w.conference, seed=1)
    slug = w.conference.slug
    call_command("train_relevance", conference=slug, shadow=2, admin=w.admin.email)
    assert "v2 scores proposals in shadow" in capsys.readouterr().out
    status = RelevanceModel.objects.get(conference=w.conference, version=2).status
    assert status == RelevanceModel.Status.SHADOW
    call_command("train_relevance", conference=slug, stop_shadow=2)
    status = RelevanceModel.objects.get(conference=w.conference, version=2).status
    assert status == RelevanceModel.Status.CANDIDATE


def test_shadow_of_a_missing_or_active_version_is_a_clear_error():
    w = world(shadow=False)
    with pytest.raises(CommandError, match="has no relevance model v7"):
        call_command("train_relevance", conference=w.conference.slug, shadow=7)
    with pytest.raises(CommandError, match="already shown"):
        call_command("train_relevance", conference=w.conference.slug, shadow=1)
    with pytest.raises(CommandError, match="not running in shadow"):
        call_command("train_relevance", conference=w.conference.slug, stop_shadow=1)
    assert RelevanceModel.objects.get(conference=w.conference).status == "active"
