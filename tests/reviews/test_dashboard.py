"""The review dashboard: query count, filters, search, sorting, progress, bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expo.conferences.models import Track
from reviews import selectors
from reviews.models import ReviewSettings
from tests.factories import ConferenceFactory, ProposalFactory
from tests.reviews.factories import bulk_reviews, chair, decide, submit_review, submitted_proposal

pytestmark = pytest.mark.django_db


def dashboard_queries(client, count):
    conference = ConferenceFactory()
    viewer, other = chair(conference), chair(conference)
    proposals = [
        ProposalFactory(conference=conference, state="submitted", speakers=2) for _ in range(count)
    ]
    bulk_reviews(proposals, [viewer, other], [2, 5])
    ReviewSettings.objects.filter(conference=conference).update(required_reviews=2)
    decide(viewer, proposals[0], "accept")
    client.force_login(viewer)
    url = reverse("reviews:dashboard", args=[conference.slug])
    client.get(url)  # warm the session and caches alike for both sizes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"sort": "-normalised"})
    assert response.status_code == 200
    body = response.content.decode()
    shown = min(count, selectors.PAGE_SIZE)  # the first page
    assert body.count("data-row ") == shown
    assert body.count("⚑") == shown, "every proposal has a 3-point spread"
    with CaptureQueriesContext(connection) as plain:
        client.get(url, {"sort": "-score", "q": "rank", "disagree": "on"})
    return len(queries), len(plain)


def test_dashboard_query_count_is_the_same_at_1_and_200_proposals(client):
    one = dashboard_queries(client, 1)
    many = dashboard_queries(client, 200)
    assert one == many
    assert one[0] <= 25


def test_progress_counts_my_reviews(client, conference, proposal, chair1, chair2):
    second = submitted_proposal(conference)
    submit_review(chair1, proposal)
    client.force_login(chair1)
    body = client.get(reverse("reviews:dashboard", args=[conference.slug])).content.decode()
    assert "<strong>1 of 2</strong> reviewed by you" in body
    assert 'value="1"' in body
    assert 'max="2"' in body
    del second


@pytest.fixture
def mixed(conference, chair1, chair2):
    talk_track = Track.objects.get(conference=conference, name="Talks & demos")
    vision = conference.topics.get(name="Vision")
    theory = conference.topics.get(name="Theory")
    a = submitted_proposal(
        conference, title="Vision talk in a track", format="talk", topics=[vision]
    )
    a.track = talk_track
    a.save()
    b = submitted_proposal(conference, title="Theory workshop", format="workshop", topics=[theory])
    c = submitted_proposal(conference, title="Contested demo", topics=[vision])
    submit_review(chair1, c, 1)
    submit_review(chair2, c, 5)
    submit_review(chair2, b, 3)
    return {"a": a, "b": b, "c": c, "track": talk_track, "vision": vision, "theory": theory}


def titles(client, conference, **params):
    body = client.get(reverse("reviews:dashboard", args=[conference.slug]), params).content.decode()
    return {t for t in ("Vision talk in a track", "Theory workshop", "Contested demo") if t in body}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Vision talk in a track", "Theory workshop", "Contested demo"}),
        ({"format": "workshop"}, {"Theory workshop"}),
        ({"track": "none"}, {"Theory workshop", "Contested demo"}),
        ({"mine": "missing"}, {"Vision talk in a track", "Theory workshop"}),
        ({"mine": "submitted"}, {"Contested demo"}),
        ({"disagree": "on"}, {"Contested demo"}),
        ({"q": "workshop"}, {"Theory workshop"}),
        ({"q": "contested DEMO"}, {"Contested demo"}),
        ({"state": "under_review"}, {"Theory workshop", "Contested demo"}),
    ],
)
def test_filters(client, conference, mixed, chair1, params, expected):
    client.force_login(chair1)
    assert titles(client, conference, **params) == expected


def test_filter_by_track_and_topic(client, conference, mixed, chair1):
    client.force_login(chair1)
    assert titles(client, conference, track=mixed["track"].pk) == {"Vision talk in a track"}
    assert titles(client, conference, topic=mixed["theory"].pk) == {"Theory workshop"}


def test_ready_filter_lists_proposals_with_enough_reviews(client, conference, mixed, chair1):
    client.force_login(chair1)
    assert titles(client, conference, ready="on") == {"Contested demo"}


def test_search_finds_speaker_names(client, conference, mixed, chair1):
    speaker = mixed["b"].speakers.first()
    speaker.name = "Ada Lovelace"
    speaker.save()
    client.force_login(chair1)
    assert titles(client, conference, q="lovelace") == {"Theory workshop"}


def test_sort_by_title_both_ways(client, conference, mixed, chair1):
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])
    up = client.get(url, {"sort": "title"}).content.decode()
    down = client.get(url, {"sort": "-title"}).content.decode()
    assert up.index("Contested demo") < up.index("Theory workshop") < up.index("Vision talk")
    assert down.index("Vision talk") < down.index("Theory workshop") < down.index("Contested demo")


def test_invalid_filters_are_reported_and_ignored(client, conference, mixed, chair1):
    client.force_login(chair1)
    response = client.get(
        reverse("reviews:dashboard", args=[conference.slug]),
        {"track": "99999", "sort": "; DROP TABLE", "topic": "x"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "not valid and are ignored" in body
    assert "Contested demo" in body
    assert "Theory workshop" in body


def test_dashboard_pages_through_many_proposals(client, conference, chair1):
    from reviews import selectors

    proposals = [submitted_proposal(conference) for _ in range(selectors.PAGE_SIZE + 3)]
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert first.count("data-row ") == selectors.PAGE_SIZE
    assert second.count("data-row ") == 3
    assert "Page 2 of 2" in second
    del proposals


def test_export_lists_visible_proposals_with_scores_after_own_review(
    client, conference, mixed, chair1
):
    import csv
    import io

    client.force_login(chair1)
    response = client.get(reverse("reviews:export", args=[conference.slug]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) == {"Vision talk in a track", "Theory workshop", "Contested demo"}
    assert by_title["Contested demo"][8] == "3.00"
    assert by_title["Theory workshop"][8] == "", "not reviewed by me: hidden"
