"""The "what worked" page: aggregates of earlier editions' decisions, groups of 5 or more only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportion_confint

from expo.proposals.models import ProposalState
from insights.what_worked import ProposalRecord, what_worked
from tests.factories import ConferenceFactory, OrganisationFactory, ProposalFactory

DEMO = "We present a method and show a live demo."
PLAIN = "We present a method."


def records(accepted_with, accepted_without, rejected_with, rejected_without, topics=("A",)):
    make = lambda accepted, text: ProposalRecord(accepted, "talk", topics, text, "1. Intro")  # noqa: E731
    return (
        [make(True, DEMO)] * accepted_with
        + [make(True, PLAIN)] * accepted_without
        + [make(False, DEMO)] * rejected_with
        + [make(False, PLAIN)] * rejected_without
    )


def demo_row(report):
    return next(r for r in report.features if r.label == "Mentions demo or hands-on")


def test_what_worked_needs_five_accepted_and_five_rejected():
    report = what_worked(records(2, 2, 10, 10))
    assert not report.enough
    assert report.features == report.topics == report.formats == []
    assert what_worked(records(3, 2, 3, 2)).enough


def test_what_worked_shares_intervals_and_test_match_statsmodels_and_scipy():
    report = what_worked(records(8, 2, 1, 5))
    row = demo_row(report)
    assert (row.accepted.count, row.accepted.total) == (8, 10)
    assert (row.rejected.count, row.rejected.total) == (1, 6)
    low, high = proportion_confint(8, 10, alpha=0.05, method="wilson")
    assert (row.accepted.low, row.accepted.high) == pytest.approx((low, high))
    assert row.p_value == pytest.approx(fisher_exact([[8, 2], [1, 5]])[1])
    assert row.p_value == pytest.approx(0.0350, abs=5e-4)  # two-sided, the textbook 2×2 example
    assert row.verdict == "more common among accepted"
    flipped = demo_row(what_worked(records(1, 9, 5, 1)))
    assert flipped.verdict == "more common among rejected"
    assert demo_row(what_worked(records(5, 5, 5, 5))).verdict == "no clear difference"


def test_what_worked_leaves_out_small_topic_groups():
    data = records(5, 0, 5, 0, topics=("Big",))
    data += [ProposalRecord(True, "workshop", ("Small",), PLAIN, "x")] * 4
    report = what_worked(data)
    assert [row.label for row in report.topics] == ["Big"]
    assert report.topics_left_out == 1
    assert [row.label for row in report.formats] == ["Talk"]  # 4 workshops are too few


def past(days_ago=400):
    now = timezone.now()
    return ConferenceFactory(
        starts_on=(now - dt.timedelta(days=days_ago)).date(),
        cfp_opens_at=now - dt.timedelta(days=days_ago + 90),
        cfp_closes_at=now - dt.timedelta(days=days_ago + 30),
        topic_names=["Vision", "Theory"],
    )


def decided(conference, n, state, **kwargs):
    organisation = OrganisationFactory(name=f"Secret Sponsor {state} {conference.pk}")
    return [
        ProposalFactory(
            conference=conference,
            organisation=organisation,
            state=state,
            title=f"Hidden title {state} {i} {conference.pk}",
            **kwargs,
        )
        for i in range(n)
    ]


def test_what_worked_page_shows_only_aggregates_of_earlier_editions(sponsor_client, conference):
    earlier = past()
    decided(earlier, 6, ProposalState.ACCEPTED, abstract=DEMO)
    decided(earlier, 7, ProposalState.REJECTED, abstract=PLAIN)
    decided(earlier, 3, ProposalState.WITHDRAWN)
    decided(conference, 9, ProposalState.ACCEPTED)  # this edition: not "earlier"
    response = sponsor_client.get(reverse("insights:what-worked", args=[conference.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Based on <strong>6</strong> accepted and <strong>7</strong> rejected" in html
    assert earlier.name in html
    assert "Hidden title" not in html
    assert "Secret Sponsor" not in html
    assert "Speaker 0" not in html
    assert '100% <span class="muted">(6 of 6;' in html  # demo among accepted
    assert '0% <span class="muted">(0 of 7;' in html  # demo among rejected


def test_what_worked_page_with_too_few_decisions(sponsor_client, conference):
    earlier = past()
    decided(earlier, 4, ProposalState.ACCEPTED)
    decided(earlier, 9, ProposalState.REJECTED)
    html = sponsor_client.get(reverse("insights:what-worked", args=[conference.slug])).content
    assert b"Not enough decided proposals" in html
    assert b"Hidden title" not in html


def test_what_worked_page_needs_login(client, conference):
    response = client.get(reverse("insights:what-worked", args=[conference.slug]))
    assert response.status_code == 302


@pytest.mark.parametrize("per_side", [5, 25])
def test_what_worked_page_query_count_does_not_grow(
    sponsor_client, conference, django_assert_num_queries, per_side
):
    earlier = past()
    decided(earlier, per_side, ProposalState.ACCEPTED)
    decided(earlier, per_side, ProposalState.REJECTED)
    url = reverse("insights:what-worked", args=[conference.slug])
    sponsor_client.get(reverse("dashboard"))  # the session exists
    # session, user, conference, fingerprint, proposals, their topics, edition names, and the
    # navigation's "is this user a chair" check
    with django_assert_num_queries(8):
        assert sponsor_client.get(url).status_code == 200
    with django_assert_num_queries(5):  # cached: the past proposals are not read again
        assert sponsor_client.get(url).status_code == 200


def test_what_worked_page_follows_changed_decisions(sponsor_client, conference):
    earlier = past()
    decided(earlier, 5, ProposalState.ACCEPTED)
    rejected = decided(earlier, 6, ProposalState.REJECTED)
    url = reverse("insights:what-worked", args=[conference.slug])
    assert b"<strong>5</strong> accepted" in sponsor_client.get(url).content
    rejected[0].state = ProposalState.ACCEPTED
    rejected[0].save()
    assert b"<strong>6</strong> accepted" in sponsor_client.get(url).content


def test_panel_links_to_what_worked(sponsor_client, conference):
    html = sponsor_client.post(f"/insights/check/{conference.slug}/", {"title": "x"}).content
    assert reverse("insights:what-worked", args=[conference.slug]).encode() in html
