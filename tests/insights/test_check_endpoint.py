"""POST /insights/check/<slug>/: permissions, privacy, escaping, bad input, rate and speed."""

import datetime as dt
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from expo.proposals.models import Proposal
from insights.check import FIELD_LIMITS
from insights.views import CHECKS_PER_MINUTE
from ranking.models import RelevanceScore, ScoreKind
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    TopicFactory,
    UserFactory,
)
from tests.insights.examples import heldout_iclr_abstract_with_claims

SALESY = {
    "title": "Acme Vision: the industry-leading platform",
    "abstract": "Our revolutionary platform detects objects in images. Book a demo at our booth!",
    "outline": "1. Product tour\n2. Pricing\n3. Questions",
    "format": "talk",
}


def url(conference):
    return f"/insights/check/{conference.slug}/"


def body(response):
    return response.content.decode()


def test_check_anonymous_is_sent_to_login(client, conference):
    response = client.post(url(conference), SALESY)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_check_needs_post(sponsor_client, conference):
    assert sponsor_client.get(url(conference)).status_code == 405


def test_check_unknown_conference_is_404(sponsor_client, db):
    assert sponsor_client.post("/insights/check/no-such-conference/", SALESY).status_code == 404


@pytest.mark.parametrize("days", [-1, 40])
def test_check_refused_when_the_call_is_not_open(sponsor_client, days):
    now = timezone.now()
    if days < 0:  # closed yesterday
        opens, closes = now - dt.timedelta(days=60), now + dt.timedelta(days=days)
    else:  # opens in the future
        opens, closes = now + dt.timedelta(days=days), now + dt.timedelta(days=days + 30)
    conference = ConferenceFactory(cfp_opens_at=opens, cfp_closes_at=closes)
    response = sponsor_client.post(url(conference), SALESY)
    assert response.status_code == 403
    assert "only available while" in body(response)
    assert "industry-leading" not in body(response)


def test_check_open_to_any_logged_in_user(client, conference):
    # Documented choice: the check reads only the posted text and the public topics.
    client.force_login(UserFactory())
    response = client.post(url(conference), SALESY)
    assert response.status_code == 200
    assert "industry-leading" in body(response)


def test_check_requires_the_csrf_token(member, conference):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.post(url(conference), SALESY).status_code == 403
    client.get(f"/{conference.slug}/proposals/new/")
    token = client.cookies["csrftoken"].value
    response = client.post(url(conference), SALESY, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_check_explains_which_rule_and_model_fired(sponsor_client, conference):
    response = sponsor_client.post(url(conference), SALESY)
    html = body(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert '<mark title="Unmeasured superlative">industry-leading</mark>' in html
    assert "rule “industry-leading”" in html
    assert "rule “book a demo”" in html
    assert re.search(r"Sentence model</span> p = 0\.\d\d that this is sales copy", html)
    assert "does not decide anything" in html


def test_check_does_not_flag_a_real_abstract_with_research_claims(sponsor_client, conference):
    abstract = heldout_iclr_abstract_with_claims()
    response = sponsor_client.post(
        url(conference),
        {"title": "Neural architecture search", "abstract": abstract, "format": "talk"},
    )
    html = body(response)
    assert "state-of-the-art" in abstract
    assert "No sentence reads like sales copy" in html
    assert "<mark" not in html


def test_check_escapes_what_the_sponsor_typed(sponsor_client, conference):
    response = sponsor_client.post(
        url(conference),
        {
            "title": '<script>alert("t")</script>',
            "abstract": 'Book a demo <script>alert("x")</script> at <b onmouseover="x()">our</b> '
            "booth, the industry-leading <img src=x onerror=alert(1)> platform.",
            "outline": "<iframe src=//evil.example></iframe>",
            "format": '"><script>alert(1)</script>',
            "topics": ['"><script>'],
        },
    )
    html = body(response)
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "<img" not in html
    assert "<b " not in html


def test_check_shows_no_scores_decisions_or_other_sponsors(sponsor_client, member, conference):
    own = ProposalFactory(conference=conference, organisation=member.organisation)
    RelevanceScore.objects.create(
        proposal=own, kind=ScoreKind.TOPICAL, text_hash="x" * 64, score=0.87315
    )
    other = ProposalFactory(
        conference=conference,
        title="Zanzibar secret vision proposal",
        abstract="Unique zanzibar detection of objects in images and video.",
        state="accepted",
    )
    other.topics.set(conference.topics.all())
    response = sponsor_client.post(
        url(conference),
        {
            "title": own.title,
            "abstract": own.abstract + " We detect objects in images and video.",
            "outline": own.outline,
            "format": own.format,
            "topics": [t.pk for t in conference.topics.all()],
        },
    )
    html = body(response).lower()
    assert response.status_code == 200
    assert "zanzibar" not in html
    assert "0.873" not in html
    for word in ("accept", "reject", "probabilit", "score", "rating", "reviewer", "rank"):
        assert word not in html, word


def test_check_ignores_topics_of_other_conferences(sponsor_client, conference):
    elsewhere = TopicFactory(name="Quantum knitting", description="Quantum knitting.")
    response = sponsor_client.post(
        url(conference),
        {**SALESY, "abstract": "Quantum knitting explained.", "topics": [elsewhere.pk, "x", ""]},
    )
    html = body(response)
    assert response.status_code == 200
    assert "Quantum knitting" not in html.replace("Quantum knitting explained", "")
    assert "Tick at least one topic" in html


def test_check_reports_ticked_topics_the_text_does_not_support(sponsor_client, conference):
    theory = conference.topics.get(name="Theory")
    vision = conference.topics.get(name="Computer vision")
    response = sponsor_client.post(
        url(conference),
        {
            "title": "Detecting parcels in warehouse images",
            "abstract": "Our vision system detects damaged parcels in warehouse camera images.",
            "format": "talk",
            "topics": [theory.pk, vision.pk],
        },
    )
    html = body(response)
    assert re.search(r"You ticked <strong>Theory</strong>.*shares no words with it", html)
    assert "You ticked <strong>Computer vision</strong>" not in html
    assert '<strong>Computer vision</strong> <span class="insights-ticked">ticked</span>' in html


def test_check_of_empty_form(sponsor_client, conference):
    response = sponsor_client.post(url(conference), {})
    assert response.status_code == 200
    assert "Start with the title, abstract and outline" in body(response)


def test_check_of_non_english_text(sponsor_client, conference):
    response = sponsor_client.post(
        url(conference),
        {
            "title": "Bewertung von Empfehlungssystemen",
            "abstract": "Wir stellen eine Methode zur Bewertung von Empfehlungssystemen vor, die "
            "ohne Online-Experimente auskommt, und zeigen Ergebnisse auf drei Datensätzen.",
            "format": "talk",
        },
    )
    html = body(response)
    assert response.status_code == 200
    assert "does not look like English" in html


def test_check_of_oversized_fields_says_by_how_much_to_shorten(sponsor_client, conference):
    response = sponsor_client.post(
        url(conference),
        {"title": "t" * 500, "abstract": "Our platform is great. " * 4500, "format": "talk"},
    )
    html = body(response)
    assert response.status_code == 200
    assert "Abstract: 103,500 characters; the form accepts at most 3,000" in html
    assert "shorten it by 100,500" in html
    assert "Title: 500 characters" in html


def test_check_field_limits_match_the_proposal_form():
    assert FIELD_LIMITS == {
        "title": Proposal.TITLE_MAX,
        "abstract": Proposal.ABSTRACT_MAX,
        "outline": Proposal.OUTLINE_MAX,
    }


def test_check_is_rate_limited_per_user(sponsor_client, conference, client):
    # The limit counts per clock minute: start early in one, so that the 61 checks (a few
    # seconds on a slow machine) do not straddle two windows and reset half-way.
    if time.time() % 60 > 40:
        time.sleep(60.5 - time.time() % 60)
    for _ in range(CHECKS_PER_MINUTE):
        assert sponsor_client.post(url(conference), {"title": "x"}).status_code == 200
    limited = sponsor_client.post(url(conference), {"title": "x"})
    assert limited.status_code == 429
    assert limited["Retry-After"] == "60"
    assert "Paused" in body(limited)
    client.force_login(UserFactory())  # someone else is not affected
    assert client.post(url(conference), {"title": "x"}).status_code == 200


@pytest.mark.parametrize("topics", [1, 30])
def test_check_query_count_does_not_grow_with_topics(
    sponsor_client, django_assert_num_queries, topics
):
    conference = ConferenceFactory(topic_names=[f"Topic number {i}" for i in range(topics)])
    data = {**SALESY, "topics": [t.pk for t in conference.topics.all()]}
    sponsor_client.post(url(conference), data)  # warm the session and the model
    with django_assert_num_queries(4):  # session, user, conference, topics
        assert sponsor_client.post(url(conference), data).status_code == 200


def test_check_of_a_100_kb_input_is_fast(sponsor_client, conference):
    data = {
        "title": "T" * 1000,
        "abstract": ("We revolutionise search. " * 4000)[:100_000],
        "outline": "1. x\n" * 20_000,
        "format": "workshop",
        "topics": [t.pk for t in conference.topics.all()],
    }
    sponsor_client.post(url(conference), data)  # the model trains on first use
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        response = sponsor_client.post(url(conference), data)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    # The fastest of five: the machine is shared, and the bench (bench_insights) reports
    # p50/p95; what this test guards is that 100 KB cannot make one update slow.
    assert min(samples) < 0.2
