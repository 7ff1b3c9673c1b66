import pytest
from django.core.management import call_command

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal, Speaker
from expo.sponsors.models import Organisation

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Conference.objects.count(),
        Proposal.objects.count(),
        Speaker.objects.count(),
        sorted(Proposal.objects.values_list("state", flat=True)),
    )


def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    first = counts()
    output = capsys.readouterr().out
    call_command("seed_demo")
    assert counts() == first
    assert "sponsor@expo.example" in output
    assert "admin@expo.example" in output


def test_seed_demo_has_realistic_shape():
    call_command("seed_demo", quiet_logins=True)
    current = Conference.objects.get(slug="cls2027")
    assert current.topics.count() == 12
    assert current.cfp_is_open()
    assert current.proposals.filter(state="submitted").count() == 150
    assert Organisation.objects.values("tier").distinct().count() == 5
    assert Organisation.objects.values("region").distinct().count() >= 5
    past = Conference.objects.get(slug="cls2026")
    assert {"accepted", "rejected"} <= set(past.proposals.values_list("state", flat=True))
    # Real text: titles are ICLR 2017 submissions.
    assert current.proposals.filter(abstract__icontains="neural").count() > 20


def test_demo_logins_work(client):
    call_command("seed_demo", quiet_logins=True)
    from expo.proposals.management.commands.seed_demo import DEMO_PASSWORD

    response = client.post(
        "/accounts/login/", {"username": "sponsor@expo.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    sponsor = User.objects.get(email="sponsor@expo.example")
    assert sponsor.organisations.count() == 1
    assert User.objects.get(email="admin@expo.example").is_superuser
    assert User.objects.get(email="cochair1@expo.example").chaired_conferences.count() == 2
