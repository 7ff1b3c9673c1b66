"""manage.py import_openreview: mapping, figures, and bad input that changes nothing."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from reviews.models import Decision, Review, ReviewCriterion, ReviewSettings

pytestmark = pytest.mark.django_db

SUBMISSIONS = [
    ["PID", "Decision", "Title", "Abstract", "Keyword"],
    ["pA", "2", "Paper A", "Abstract A", "['Deep learning']"],
    ["pB", "0", "Paper B", "Abstract B", "['Deep learning', 'Theory']"],
    ["pC", "-1", "Paper C", "", "[]"],
]
REVIEWS = [
    ["PID", "Title", "Review", "Rating", "Conf"],
    ["pA", "Good", "Convincing experiments.", "8", "4"],
    ["pA", "Fine", "Solid but incremental.", "6", "3"],
    ["pB", "Weak", "Not novel.", "3", "5"],
    ["pB", "Okay", "Some merit.", "6", ""],
    ["pC", "Hm", "Workshop material.", "5", "2"],
    ["pC", "Hm", "Agree.", "5", "2"],
    ["ghost", "Lost", "Review of a paper not in the file.", "7", "4"],
]


def write(folder: Path, submissions=SUBMISSIONS, reviews=REVIEWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("submissions.csv", submissions), ("reviews.csv", reviews)):
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return folder


def run(path, *args):
    out = StringIO()
    call_command("import_openreview", "--path", str(path), "--slug", "orx", *args, stdout=out)
    return out.getvalue()


def test_import_maps_papers_reviews_and_decisions(tmp_path):
    output = run(write(tmp_path))
    conference = Conference.objects.get(slug="orx")
    states = dict(Proposal.objects.filter(conference=conference).values_list("title", "state"))
    assert states == {"Paper A": "accepted", "Paper B": "rejected", "Paper C": "waitlisted"}
    assert Decision.objects.filter(proposal__conference=conference).count() == 3
    assert [c.name for c in ReviewCriterion.objects.filter(conference=conference)] == ["Rating"]
    assert ReviewSettings.objects.get(conference=conference).score_scale_max == 10
    reviews = Review.objects.filter(proposal__conference=conference)
    assert reviews.count() == 6
    assert sorted(reviews.values_list("weighted_score", flat=True)) == [3, 5, 5, 6, 6, 8]
    assert reviews.get(rationale__contains="Not novel").recommendation == "reject"
    assert reviews.get(rationale__contains="Convincing").recommendation == "accept"
    assert reviews.get(rationale__contains="Some merit").confidence is None
    # One anonymous, inactive reviewer per review.
    reviewers = {r.reviewer for r in reviews}
    assert len(reviewers) == 6
    assert not any(u.is_active or u.has_usable_password() for u in reviewers)
    assert "1 reviews of papers missing from submissions.csv" in output
    assert "1 reviews without a confidence" in output
    assert "Krippendorff's alpha, rating, ordinal" in output
    assert "0 of 6" in output  # no reviewer can be normalised
    assert Proposal.objects.get(title="Paper C").abstract.startswith("(The OpenReview record")


def test_import_refuses_an_existing_slug_and_changes_nothing(tmp_path):
    run(write(tmp_path))
    before = Review.objects.count()
    with pytest.raises(CommandError, match="exists already"):
        run(tmp_path)
    assert Review.objects.count() == before


@pytest.mark.parametrize(
    ("submissions", "reviews", "message"),
    [
        ([["PID", "Title"], ["x", "y"]], REVIEWS, "lacks the columns Decision, Abstract, Keyword"),
        (SUBMISSIONS, [*REVIEWS[:2], ["pA", "t", "r", "11", "3"]], "outside 1–10"),
        (SUBMISSIONS, [*REVIEWS[:2], ["pA", "t", "r", "seven", "3"]], "not a number"),
        (SUBMISSIONS, [*REVIEWS[:2], ["pA", "t", "r", "7", "9"]], "confidence 9 is outside"),
        ([*SUBMISSIONS, ["pA", "1", "Again", "x", "[]"]], REVIEWS, "appears twice"),
        ([*SUBMISSIONS, ["pD", "3", "Odd", "x", "[]"]], REVIEWS, "decision 3 is outside"),
        ([*SUBMISSIONS, ["pD", "1", "Odd", "x", "oops"]], REVIEWS, "not a list"),
    ],
)
def test_bad_files_are_refused_before_writing(tmp_path, submissions, reviews, message):
    with pytest.raises(CommandError, match=message):
        run(write(tmp_path, submissions, reviews))
    assert not Conference.objects.filter(slug="orx").exists()
    assert not Review.objects.exists()


def test_missing_folder_and_bad_limit_are_refused(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "nowhere")
    with pytest.raises(CommandError, match="--limit"):
        run(write(tmp_path), "--limit", "0")


def test_import_of_the_real_iclr_2017_data(tmp_path):
    folder = Path(settings.BASE_DIR) / "data" / "iclr2017"
    output = run(folder)
    conference = Conference.objects.get(slug="orx")
    assert Proposal.objects.filter(conference=conference).count() == 490
    assert Review.objects.filter(proposal__conference=conference).count() == 1511
    assert "33 reviews of papers missing" in output
    line = next(row for row in output.splitlines() if "rating, ordinal" in row)
    assert 0.4 < float(line.rsplit(" ", 1)[-1]) < 0.7
