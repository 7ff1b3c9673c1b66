"""The review dashboard: query count, filters, search, sorting, progress, bad input."""

import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expo.conferences.models import Track
from reviews import selectors
from reviews.models import Review, ReviewSettings, ReviewSummary
from tests.factories import ConferenceFactory, ProposalFactory, UserFactory
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
    # Session, user, conference (with its settings and the chair check), tracks and topics
    # (filter form), conflicts, summary (with the ids to sort when unfiltered), rows, the rows'
    # topics: 9; filtered, the COUNT of the matching rows too.
    assert one == (9, 10)


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


def test_rows_show_their_track(client, conference, mixed, chair1):
    client.force_login(chair1)
    body = client.get(reverse("reviews:dashboard", args=[conference.slug])).content.decode()
    in_track = _row_cells(body, mixed["a"].pk)
    assert '<span class="muted">Talks &amp; demos</span>' in in_track
    assert "Talks &amp; demos</span>" not in _row_cells(body, mixed["b"].pk)


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


def _row_cells(body: str, pk: int) -> str:
    """The HTML of the dashboard row of proposal ``pk``."""
    start = body.index(f'name="proposals" value="{pk}"')
    return body[start : body.index("</tr>", start)]


def test_revising_a_review_updates_score_spread_and_normalised_score_at_once(
    client, conference, chair1, chair2
):
    """The dashboard's figures come from ReviewSummary and a cache of the normalised scores;
    a revision must show on the very next page load, for every chair."""
    first, second, third = (submitted_proposal(conference) for _ in range(3))
    for proposal, (a, b) in zip((first, second, third), ((2, 4), (3, 3), (4, 2)), strict=True):
        submit_review(chair1, proposal, a)
        submit_review(chair2, proposal, b)
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])
    before = _row_cells(client.get(url).content.decode(), first.pk)
    assert "3.00" in before  # mean of 2 and 4
    assert "2.0" in before  # spread

    submit_review(chair2, first, 5)  # revised: 4 → 5

    body = client.get(url).content.decode()
    after = _row_cells(body, first.pk)
    assert "3.50" in after  # mean of 2 and 5
    assert "3.0" in after  # spread
    chair1_z = -1.0  # chair 1 gave 2, 3, 4
    chair2_z = (5 - (5 + 3 + 2) / 3) / 1.5275252316519468  # 5, 3, 2: mean 3.33, sd 1.53
    grand = [2, 3, 4, 5, 3, 2]
    mean, sd = sum(grand) / 6, statistics.stdev(grand)
    expected = mean + (chair1_z + chair2_z) / 2 * sd
    assert f"{expected:.2f}" in after
    assert before != after


def test_review_summary_matches_the_reviews_after_submits_revisions_and_bulk_writes(
    conference, chair1, chair2
):
    proposals = [submitted_proposal(conference) for _ in range(4)]
    submit_review(chair1, proposals[0], 2)
    submit_review(chair2, proposals[0], 5)
    submit_review(chair1, proposals[0], 3)  # revision
    submit_review(chair1, proposals[1], 4)
    bulk_reviews(proposals[2:3], [chair1, chair2], [1, 3])
    for proposal in proposals:
        reviews = Review.objects.filter(proposal=proposal, version__gt=0)
        scores = [r.weighted_score for r in reviews]
        summary = ReviewSummary.objects.filter(proposal=proposal).first()
        if not scores:
            assert summary is None
            continue
        assert summary is not None
        assert summary.submitted_reviews == len(scores)
        assert summary.mean_score == pytest.approx(sum(scores) / len(scores))
        assert (summary.min_score, summary.max_score) == (min(scores), max(scores))


def test_rows_escape_what_sponsors_typed(client, conference, chair1):
    """The rows are a Jinja2 partial inside a Django template: both must escape."""
    proposal = submitted_proposal(conference, title='<img src=x onerror="alert(1)"> & co')
    proposal.organisation.name = "<b>Org</b>"
    proposal.organisation.save()
    client.force_login(chair1)
    body = client.get(reverse("reviews:dashboard", args=[conference.slug])).content.decode()
    row = _row_cells(body, proposal.pk)
    assert "<img" not in body
    assert "<b>Org</b>" not in body
    assert "&lt;img src=x onerror=" in row
    assert "&lt;b&gt;Org&lt;/b&gt;" in row


def test_column_headers_and_pages_link_to_a_query_the_page_understands(client, conference, chair1):
    """``{% querystring %}`` includes the "?" itself; a second one made "??sort=…", a parameter
    named "?sort" that the dashboard ignored."""
    for _ in range(selectors.PAGE_SIZE + 1):
        submitted_proposal(conference)
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])
    body = client.get(url).content.decode()
    assert "??" not in body
    assert 'href="?sort=-spread"' in body
    assert 'rel="next" href="?page=2"' in body
    sorted_body = client.get(url + "?sort=-spread").content.decode()
    assert 'aria-label="Spread, sorted descending; sort ascending"' in sorted_body
    assert 'href="?sort=spread"' in sorted_body
    by_title = client.get(url, {"sort": "title", "q": "rank", "page": "2"}).content.decode()
    assert (
        '<a href="?sort=-title&amp;q=rank" aria-label="Proposal, sorted ascending; sort '
        'descending">Proposal <span class="rv-sorted" aria-hidden="true">↑</span></a>'
    ) in by_title, "the other filters stay, the page goes"
    assert '<a href="?sort=-score&amp;q=rank">Score</a>' in by_title


def _reference_counts(user, conference):
    """The summary counted from ``annotate_reviews``'s annotations, row by row."""
    from reviews.models import REVIEWABLE_STATES

    settings = selectors.review_settings_or_default(conference=conference)
    threshold = selectors._threshold(settings.disagreement_points)
    counts = dict.fromkeys(
        ("total", "reviewed_by_me", "decided", "ready", "disagree", "missing_mine"), 0
    )
    rows = selectors._visible(user=user, conference=conference).annotated.values(
        "state", "my_submitted", "is_decided", "submitted_reviews", "visible_spread"
    )
    for row in rows:
        if row["state"] == "withdrawn":
            continue
        reviewable = row["state"] in REVIEWABLE_STATES
        counts["total"] += 1
        counts["reviewed_by_me"] += row["my_submitted"] > 0
        counts["decided"] += row["is_decided"]
        counts["ready"] += (
            row["submitted_reviews"] >= settings.required_reviews
            and not row["is_decided"]
            and reviewable
        )
        counts["disagree"] += (row["visible_spread"] or 0) >= threshold
        counts["missing_mine"] += row["my_submitted"] == 0 and reviewable
    return counts


def test_summary_counts_agree_with_the_row_annotations(conference, chair1, chair2, admin):
    """The summary's plain SQL and the ORM annotations that the rows use must count alike:
    drafts and withdrawn proposals left out, conflicts hidden, the blind rule on spreads."""
    from reviews import services
    from tests.reviews.factories import conflicted_chair

    ReviewSettings.objects.filter(conference=conference).update(required_reviews=2)
    contested = submitted_proposal(conference)  # both chairs, 1 vs 5: disagree
    submit_review(chair1, contested, 1)
    submit_review(chair2, contested, 5)
    third = chair(conference)
    others_only = submitted_proposal(conference)  # 1 vs 5, hidden from chair1 (blind rule)
    submit_review(chair2, others_only, 1)
    submit_review(third, others_only, 5)
    decided = submitted_proposal(conference, state="under_review")
    submit_review(chair2, decided, 1)
    submit_review(third, decided, 5)
    decide(chair2, decided, "reject")
    withdrawn = submitted_proposal(conference)
    submit_review(chair1, withdrawn, 3)
    withdrawn.refresh_from_db()
    withdrawn.state = "withdrawn"
    withdrawn.save(update_fields=["state"])
    submitted_proposal(conference, state="draft")
    drafted = submitted_proposal(conference)
    services.review_autosave(
        reviewer=chair1,
        proposal=drafted,
        data=services.ReviewData(recommendation="accept", confidence=3, rationale="", scores={}),
        expected_draft_version=0,
    )
    insider = conflicted_chair(conference, contested)

    seen = set()
    for user in (chair1, chair2, insider, admin):
        counts, candidates = selectors._summary_counts(
            user=user,
            conference=conference,
            hidden=selectors._visible(user=user, conference=conference).hidden,
            required_reviews=2,
            threshold=selectors._threshold(
                selectors.review_settings_or_default(conference=conference).disagreement_points
            ),
            with_candidates=True,
        )
        assert counts == _reference_counts(user, conference), user.email
        unfiltered = selectors._filtered(
            selectors._visible(user=user, conference=conference).annotated,
            filters=selectors.DashboardFilters(),
            review_settings=selectors.review_settings_or_default(conference=conference),
        )
        assert sorted(candidates) == sorted(
            selectors._score_candidates(user=user, queryset=unfiltered)
        ), user.email
        seen.add(tuple(counts.values()))
    assert len(seen) == 4, "the four users see different summaries"
    nobody = selectors._summary_counts(
        user=UserFactory(), conference=conference, hidden=None, required_reviews=2, threshold=2.0
    )
    assert nobody == (dict.fromkeys(selectors._SUMMARY_NAMES, 0), [])


def test_page_count_and_pages_match_the_list_with_and_without_filters(client, conference, chair1):
    """Unfiltered, the number of rows comes from the summary (no COUNT query); filtered, from
    a count of the filtered rows. Both must say what the pages then hold."""
    proposals = [submitted_proposal(conference, format="talk") for _ in range(53)]
    proposals += [submitted_proposal(conference, format="workshop") for _ in range(2)]
    for gone in proposals[:3]:
        gone.state = "withdrawn"
        gone.save(update_fields=["state"])
    submitted_proposal(conference, state="draft")
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])

    body = client.get(url).content.decode()
    assert "52 proposals, page 1 of 2" in body
    assert "<strong>0 of 52</strong> reviewed by you" in body
    assert client.get(url, {"page": 2}).content.decode().count("data-row ") == 2
    last = client.get(url, {"page": 99}).content.decode()  # past the end: the last page
    assert "page 2 of 2" in last
    assert last.count("data-row ") == 2

    talks = client.get(url, {"format": "talk", "sort": "title"}).content.decode()
    assert "50 proposals" in talks
    assert "page 1 of" not in talks
    assert talks.count("data-row ") == 50
    everything = client.get(url, {"state": "all"}).content.decode()
    assert "55 proposals, page 1 of 2" in everything


def test_normalised_order_hides_unseen_scores_with_and_without_filters(
    client, conference, chair1, chair2
):
    """Sorted by normalised score: the proposals whose scores the chair may see (own review
    submitted) by score, then the rest by id — scores of the others must not order them. The
    unfiltered list reads its order from the summary query, a filtered one from a query of its
    own; both must agree."""
    import re

    talks = [submitted_proposal(conference, format="talk") for _ in range(4)]
    workshop = submitted_proposal(conference, format="workshop")
    for proposal, mine, theirs in ((talks[0], 5, 4), (talks[1], 1, 2), (workshop, 3, 3)):
        submit_review(chair1, proposal, mine)
        submit_review(chair2, proposal, theirs)
    submit_review(chair2, talks[2], 1)  # scored, but chair1 has not reviewed it
    submit_review(chair2, talks[3], 5)
    client.force_login(chair1)
    url = reverse("reviews:dashboard", args=[conference.slug])

    def order(**params):
        body = client.get(url, {"sort": "-normalised", **params}).content.decode()
        return [int(pk) for pk in re.findall(r'name="proposals" value="(\d+)"', body)]

    unseen = sorted([talks[2].pk, talks[3].pk])
    assert order() == [talks[0].pk, workshop.pk, talks[1].pk, *unseen]
    assert order(format="talk") == [talks[0].pk, talks[1].pk, *unseen]
    ascending = client.get(url, {"sort": "normalised"}).content.decode()
    assert [int(pk) for pk in re.findall(r'name="proposals" value="(\d+)"', ascending)] == [
        talks[1].pk,
        workshop.pk,
        talks[0].pk,
        *unseen,
    ]
