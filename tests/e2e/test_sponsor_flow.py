"""A sponsor signs up, creates an organisation and submits a proposal, in a real browser."""

import pytest

from expo.proposals.models import Proposal
from tests.browser import shot
from tests.factories import ConferenceFactory

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sponsor_signs_up_creates_organisation_and_submits(page, live_server):
    conference = ConferenceFactory(
        name="Browser Test Conference", topic_names=["Bandits", "Vision"]
    )
    page.goto(f"{live_server.url}/")
    page.click("text=Sign up to submit")
    page.fill("#id_full_name", "Rita Levi")
    page.fill("#id_email", "rita@neuro.example")
    page.fill("#id_password1", "nerve-growth-factor-1986")
    page.fill("#id_password2", "nerve-growth-factor-1986")
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/dashboard/")
    page.click("text=Create an organisation")
    page.fill("#id_name", "Neuro Labs")
    page.fill("#id_domains", "neuro.example")
    page.select_option("#id_tier", "startup")
    page.select_option("#id_size", "1-49")
    page.select_option("#id_region", "europe")
    page.click("button:has-text('Create')")
    page.wait_for_selector("text=you are its owner")
    shot(page, "sponsor-organisation")

    page.goto(f"{live_server.url}/{conference.slug}/")
    page.click("text=Submit a proposal")
    page.fill("#id_title", "Growth factors for continual learning")
    page.check("input[name=format][value=talk]")
    page.fill("#id_abstract", "We study plasticity in continual learning and report results.")
    # Leave the outline empty: the form must keep everything else and say what is missing.
    page.check("text=Bandits")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Nothing was saved yet.")
    assert page.input_value("#id_title") == "Growth factors for continual learning"
    assert page.input_value("#id_speakers-0-email") == "rita@neuro.example"
    shot(page, "sponsor-form-error")
    page.fill("#id_outline", "1. Problem\n2. Method\n3. Live demo")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Your proposal is submitted.")
    shot(page, "sponsor-submitted")
    proposal = Proposal.objects.get()
    assert proposal.state == "submitted"
    assert proposal.organisation.name == "Neuro Labs"

    page.click("text=Dashboard")
    assert page.is_visible("text=Growth factors for continual learning")
    page.click("text=Growth factors for continual learning")
    page.click("text=Withdraw…")
    page.click("text=Yes, withdraw it")
    page.wait_for_selector("text=is withdrawn")
    proposal.refresh_from_db()
    assert proposal.state == "withdrawn"
