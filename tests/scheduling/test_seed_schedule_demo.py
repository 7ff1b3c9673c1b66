"""``seed_schedule_demo``: a venue and a published schedule for the demo's past edition,
idempotent, leaving the decisions alone; bad input changes nothing and exits non-zero."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from expo.proposals.models import Proposal
from scheduling.models import Room, ScheduleChange, ScheduleVersion
from tests.factories import AdminFactory, ConferenceFactory

pytestmark = pytest.mark.django_db


def test_unknown_conference_is_refused_and_changes_nothing():
    with pytest.raises(CommandError, match="No conference “nowhere”"):
        call_command("seed_schedule_demo", "--conference", "nowhere")
    assert not Room.objects.exists()


def test_conference_with_an_open_call_is_refused():
    AdminFactory()
    ConferenceFactory(slug="open2027")  # the factory's call is open
    with pytest.raises(CommandError, match="call is still open"):
        call_command("seed_schedule_demo", "--conference", "open2027")
    assert not Room.objects.exists()


def test_demo_schedule_is_published_once_and_decisions_stay(capsys):
    call_command("seed_demo", "--quiet-logins")
    decisions = dict(Proposal.objects.values_list("pk", "state"))
    call_command("seed_schedule_demo")
    version = ScheduleVersion.objects.get(conference__slug="cls2026")
    assert version.state == "published"
    assert (
        version.sessions.count()
        == Proposal.objects.filter(conference__slug="cls2026", state="accepted").count()
    )
    placed = set(version.sessions.values_list("proposal_id", "room_id", "starts_at"))
    call_command("seed_schedule_demo")
    assert ScheduleVersion.objects.count() == 1
    assert set(version.sessions.values_list("proposal_id", "room_id", "starts_at")) == placed
    assert not ScheduleChange.objects.exists()
    assert dict(Proposal.objects.values_list("pk", "state")) == decisions
    assert "public schedule is version 1" in capsys.readouterr().out
