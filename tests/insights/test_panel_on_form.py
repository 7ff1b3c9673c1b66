"""The check panel on the proposal form: rendered by the server, so it works without JS."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from expo.proposals.models import Proposal
from tests.factories import ConferenceFactory, ProposalFactory
from tests.proposals.post_data import proposal_post_data


def test_new_proposal_form_shows_the_empty_panel(sponsor_client, conference):
    html = sponsor_client.get(reverse("proposal-create", args=[conference.slug])).content.decode()
    assert 'id="insights-panel"' in html
    assert f'data-check-url="/insights/check/{conference.slug}/"' in html
    assert "Start with the title, abstract and outline" in html
    assert "does not decide anything" in html


def test_edit_form_shows_the_check_of_the_saved_text_on_load(sponsor_client, member, conference):
    proposal = ProposalFactory(
        conference=conference,
        organisation=member.organisation,
        abstract="Our best-in-class platform detects objects in images.",
    )
    html = sponsor_client.get(reverse("proposal-edit", args=[proposal.pk])).content.decode()
    assert '<mark title="Unmeasured superlative">best-in-class</mark>' in html
    assert "Fit with" in html
    assert "Informative" in html


def test_form_shown_again_with_errors_checks_the_posted_text(sponsor_client, member, conference):
    data = proposal_post_data(
        conference,
        organisation=member.organisation.pk,
        title="",
        abstract="Sign up now for a free trial of our vision platform.",
    )
    response = sponsor_client.post(reverse("proposal-create", args=[conference.slug]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "rule “free trial”" in html
    assert not Proposal.objects.exists()


def test_the_panel_never_blocks_submitting(sponsor_client, member, conference):
    data = proposal_post_data(
        conference,
        organisation=member.organisation.pk,
        abstract="The industry-leading, revolutionary platform. Book a demo today!",
        action="submit",
    )
    response = sponsor_client.post(reverse("proposal-create", args=[conference.slug]), data)
    assert response.status_code == 302
    assert Proposal.objects.get().state == "submitted"


def test_no_panel_when_the_call_is_closed(sponsor_client, member):
    now = timezone.now()
    conference = ConferenceFactory(
        cfp_opens_at=now - dt.timedelta(days=60), cfp_closes_at=now - dt.timedelta(days=1)
    )
    html = sponsor_client.get(reverse("proposal-create", args=[conference.slug])).content.decode()
    assert "insights-panel" not in html


def test_form_page_has_no_inline_script(sponsor_client, conference):
    html = sponsor_client.get(reverse("proposal-create", args=[conference.slug])).content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert '<script src="/static/js/insights.js" defer>' in scripts
    assert all("src=" in tag for tag in scripts)
    assert not re.search(r"<script[^>]*>(?!</script>)", html)
    assert " style=" not in html
