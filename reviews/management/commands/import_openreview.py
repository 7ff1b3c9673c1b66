"""Load an OpenReview export (ICLR 2017: submissions.csv + reviews.csv) as a conference with
its real reviews, then print the agreement and normalisation figures it yields.

Mapping (docs/reviews.md §Importing OpenReview):

- each paper → a proposal (talk format) of one placeholder organisation, in the state of its
  decision: oral/poster → accepted, reject → rejected, invited to the workshop track →
  waitlisted; the decision is imported with a rationale naming the original one;
- OpenReview anonymises reviewers per paper, so the same person cannot be followed across
  papers: each review gets its own anonymous, inactive reviewer user
  (``<slug>-p<paper number>-r<slot>@openreview.invalid``, slot = order of the review in the
  file) who chairs the imported conference;
- the conference has a single criterion, the ICLR rating (1–10), and a weighted-score scale
  of 10, so a review's weighted score is its rating; the recommendation is derived from the
  rating (≤3 reject, 4–5 weak reject, 6 weak accept, ≥7 accept, after ICLR 2017's wording).

Bad files (missing columns, duplicate paper ids, ratings or confidences out of range) stop
the import before anything is written. Rows that are incomplete in the real data (a review
without confidence, a review of a paper missing from submissions.csv) are counted and
reported.
"""

import ast
import csv
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from expo.accounts.models import User
from expo.conferences.models import Conference, ConferenceChair, ExpoFormat, Topic
from expo.proposals.models import Proposal, ProposalState
from expo.sponsors.models import CompanySize, Organisation, Region, SponsorTier
from reviews import calibration
from reviews.audit import audit_record
from reviews.models import (
    AuditAction,
    CriterionScore,
    Decision,
    DecisionOutcome,
    Recommendation,
    Review,
    ReviewCriterion,
    ReviewRevision,
    ReviewSettings,
)
from reviews.services import review_setup_ensure, review_summaries_refresh, weighted_score

SUBMISSION_COLUMNS = ("PID", "Decision", "Title", "Abstract", "Keyword")
REVIEW_COLUMNS = ("PID", "Title", "Review", "Rating", "Conf")
# ICLR 2017 decision codes (data/iclr2017/NOTICE.md).
DECISIONS: dict[int, tuple[str, str, str]] = {
    1: (DecisionOutcome.ACCEPT, ProposalState.ACCEPTED, "Accept (oral)"),
    2: (DecisionOutcome.ACCEPT, ProposalState.ACCEPTED, "Accept (poster)"),
    0: (DecisionOutcome.REJECT, ProposalState.REJECTED, "Reject"),
    -1: (DecisionOutcome.WAITLIST, ProposalState.WAITLISTED, "Invited to the workshop track"),
}
RATING_MIN, RATING_MAX = 1, 10


def recommendation_for(rating: int) -> str:
    """ICLR 2017's rating wording: 1–3 (clear) rejection, 4–5 below the threshold,
    6 marginally above it, 7–10 accept."""
    if rating <= 3:
        return Recommendation.REJECT
    if rating <= 5:
        return Recommendation.WEAK_REJECT
    if rating == 6:
        return Recommendation.WEAK_ACCEPT
    return Recommendation.ACCEPT


@dataclass
class Paper:
    pid: str
    decision: int
    title: str
    abstract: str
    keywords: list[str]


@dataclass
class ImportedReview:
    pid: str
    title: str
    text: str
    rating: int
    confidence: int | None


@dataclass
class ParsedData:
    papers: list[Paper]
    reviews: list[ImportedReview]
    skipped: Counter[str] = field(default_factory=Counter)


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise CommandError(f"{path} does not exist.")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(
                    f"{path.name} lacks the column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} (found: {', '.join(reader.fieldnames or []) or 'none'})."
                )
            return list(reader)
    except UnicodeDecodeError as error:
        raise CommandError(f"{path.name} is not UTF-8 text: {error}.") from error
    except csv.Error as error:
        raise CommandError(f"{path.name} is not valid CSV: {error}.") from error


def _int(value: str, *, what: str, line: int, low: int, high: int) -> int:
    try:
        number = float(value)
    except ValueError:
        raise CommandError(f"Line {line}: {what} “{value}” is not a number.") from None
    if number != int(number) or not (low <= number <= high):
        raise CommandError(f"Line {line}: {what} {value} is outside {low}–{high}.")
    return int(number)


def parse(directory: Path, *, limit: int | None = None) -> ParsedData:
    """Read and check both files; raise ``CommandError`` on anything malformed."""
    skipped: Counter[str] = Counter()
    papers: list[Paper] = []
    seen: set[str] = set()
    for line, row in enumerate(_read(directory / "submissions.csv", SUBMISSION_COLUMNS), start=2):
        pid = (row["PID"] or "").strip()
        if not pid:
            raise CommandError(f"submissions.csv line {line}: the paper id (PID) is empty.")
        if pid.lower() in seen:
            raise CommandError(f"submissions.csv line {line}: paper id {pid} appears twice.")
        seen.add(pid.lower())
        decision = _int(row["Decision"], what="decision", line=line, low=-1, high=2)
        try:
            keywords = ast.literal_eval(row["Keyword"] or "[]")
        except (ValueError, SyntaxError):
            raise CommandError(
                f"submissions.csv line {line}: keywords {row['Keyword']!r} are not a list."
            ) from None
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise CommandError(f"submissions.csv line {line}: keywords must be a list of text.")
        if not (row["Title"] or "").strip():
            skipped["papers without a title (imported as “untitled”)"] += 1
        if not (row["Abstract"] or "").strip():
            skipped["papers without an abstract (imported with a note)"] += 1
        papers.append(
            Paper(
                pid,
                decision,
                (row["Title"] or "").strip(),
                (row["Abstract"] or "").strip(),
                [k.strip()[:100] for k in keywords if k.strip()],
            )
        )
    if limit is not None:
        papers = papers[:limit]
    known = {p.pid for p in papers}
    reviews: list[ImportedReview] = []
    for line, row in enumerate(_read(directory / "reviews.csv", REVIEW_COLUMNS), start=2):
        pid = (row["PID"] or "").strip()
        rating = _int(row["Rating"], what="rating", line=line, low=RATING_MIN, high=RATING_MAX)
        confidence = None
        if (row["Conf"] or "").strip():
            confidence = _int(row["Conf"], what="confidence", line=line, low=1, high=5)
        if pid not in known:
            if pid.lower() not in seen:
                skipped["reviews of papers missing from submissions.csv"] += 1
            continue
        if confidence is None:
            skipped["reviews without a confidence (imported without one)"] += 1
        reviews.append(
            ImportedReview(
                pid, (row["Title"] or "").strip(), (row["Review"] or "").strip(), rating, confidence
            )
        )
    return ParsedData(papers, reviews, skipped)


@dataclass(frozen=True)
class Figures:
    papers: int
    reviews: int
    papers_with_two: int
    mean_rating: float
    sd_rating: float
    alpha_rating_ordinal: float | None
    alpha_rating_interval: float | None
    alpha_recommendation: float | None
    discuss_first: int
    threshold: float
    reviewers: int
    normalisable_reviewers: int
    auc_mean_rating: float | None
    auc_confidence_weighted: float | None


def figures_for(*, conference: Conference) -> Figures:
    """Agreement and normalisation figures of a conference's submitted reviews."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    review_settings = ReviewSettings.objects.get(conference=conference)
    rows = list(
        Review.objects.filter(proposal__conference=conference, version__gt=0)
        .order_by("proposal_id", "pk")
        .values_list("proposal_id", "reviewer_id", "weighted_score", "recommendation", "confidence")
    )
    ratings: dict[int, list[float]] = defaultdict(list)
    recommendations: dict[int, list[int]] = defaultdict(list)
    weighted: dict[int, list[tuple[float, int]]] = defaultdict(list)
    scored = []
    from reviews.models import RECOMMENDATION_POINTS

    for proposal_id, reviewer_id, score, recommendation, confidence in rows:
        value = float(score or 0)  # imported reviews always have a score
        ratings[proposal_id].append(value)
        recommendations[proposal_id].append(RECOMMENDATION_POINTS[recommendation])
        # Reviews without a confidence weigh like the scale's middle (3).
        weighted[proposal_id].append((value, confidence or 3))
        scored.append(calibration.ScoredReview(reviewer_id, proposal_id, value))
    stats = calibration.reviewer_stats(scored)
    accepted = dict(Proposal.objects.filter(conference=conference).values_list("pk", "state"))
    units = [pk for pk in ratings if accepted.get(pk) != ProposalState.WITHDRAWN]
    labels = [1 if accepted[pk] == ProposalState.ACCEPTED else 0 for pk in units]
    auc = auc_weighted = None
    if len(set(labels)) == 2:
        auc = float(roc_auc_score(labels, [np.mean(ratings[pk]) for pk in units]))
        auc_weighted = float(
            roc_auc_score(
                labels,
                [
                    np.average([s for s, _ in weighted[pk]], weights=[c for _, c in weighted[pk]])
                    for pk in units
                ],
            )
        )
    all_ratings = np.asarray([s.score for s in scored], dtype=float)
    threshold = float(review_settings.disagreement_points)
    return Figures(
        papers=len(ratings),
        reviews=len(scored),
        papers_with_two=sum(1 for v in ratings.values() if len(v) >= 2),
        mean_rating=float(all_ratings.mean()) if len(all_ratings) else float("nan"),
        sd_rating=float(all_ratings.std(ddof=1)) if len(all_ratings) > 1 else float("nan"),
        alpha_rating_ordinal=calibration.krippendorff_alpha(
            ratings, value_domain=list(range(RATING_MIN, RATING_MAX + 1))
        ),
        alpha_rating_interval=calibration.krippendorff_alpha(ratings, level="interval"),
        alpha_recommendation=calibration.krippendorff_alpha(
            recommendations, value_domain=[1, 2, 3, 4]
        ),
        discuss_first=len(calibration.disagreements(ratings, threshold=threshold)),
        threshold=threshold,
        reviewers=len(stats),
        normalisable_reviewers=sum(1 for s in stats.values() if s.can_normalise),
        auc_mean_rating=auc,
        auc_confidence_weighted=auc_weighted,
    )


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Import an OpenReview export (submissions.csv, reviews.csv) as a conference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--path",
            type=Path,
            default=Path(settings.BASE_DIR) / "data" / "iclr2017",
            help="Folder with submissions.csv and reviews.csv (default: data/iclr2017).",
        )
        parser.add_argument("--slug", default="iclr2017", help="Slug of the new conference.")
        parser.add_argument("--name", default="ICLR 2017 (OpenReview import)")
        parser.add_argument(
            "--limit", type=int, default=None, help="Import only the first N papers."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["slug"]
        limit: int | None = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        if slugify(slug) != slug:
            raise CommandError(f"“{slug}” is not a valid slug (lowercase letters, digits, -).")
        if Conference.objects.filter(slug=slug).exists():
            raise CommandError(
                f"A conference with slug “{slug}” exists already; choose another --slug."
            )
        data = parse(options["path"], limit=limit)
        if not data.papers:
            raise CommandError("submissions.csv has no papers.")
        conference = self._import(data, slug=slug, name=options["name"])
        figures = figures_for(conference=conference)
        write = self.stdout.write
        write(
            f"Imported {len(data.papers)} papers and {len(data.reviews)} reviews as "
            f"“{conference.name}” (/review/{conference.slug}/)."
        )
        for reason, count in sorted(data.skipped.items()):
            write(f"  note: {count} {reason}")
        write("")
        write("Agreement and normalisation")
        write(
            f"  reviews per paper: {figures.reviews / max(figures.papers, 1):.2f} "
            f"({figures.papers_with_two} papers with two or more)"
        )
        write(f"  rating mean {figures.mean_rating:.2f}, SD {figures.sd_rating:.2f} (scale 1–10)")
        write(f"  Krippendorff's alpha, rating, ordinal:      {_fmt(figures.alpha_rating_ordinal)}")
        write(
            f"  Krippendorff's alpha, rating, interval:     {_fmt(figures.alpha_rating_interval)}"
        )
        write(f"  Krippendorff's alpha, recommendation, ord.: {_fmt(figures.alpha_recommendation)}")
        write(
            f"  discuss first (ratings differ by ≥ {figures.threshold:g}): "
            f"{figures.discuss_first} of {figures.papers_with_two} papers"
        )
        write(
            f"  reviewers that can be normalised (≥ 2 reviews, not all equal): "
            f"{figures.normalisable_reviewers} of {figures.reviewers} — OpenReview anonymises "
            "reviewers per paper, so per-reviewer z-scores are undefined for this data"
        )
        write(
            f"  AUC of the mean rating for the accept decision: {_fmt(figures.auc_mean_rating)}; "
            f"confidence-weighted mean: {_fmt(figures.auc_confidence_weighted)}"
        )

    @transaction.atomic
    def _import(self, data: ParsedData, *, slug: str, name: str) -> Conference:
        # ICLR 2017: Toulon, 24–26 April 2017; submissions closed 4 November 2016.
        conference = Conference.objects.create(
            name=name,
            slug=slug,
            timezone="Europe/Paris",
            starts_on=dt.date(2017, 4, 24),
            ends_on=dt.date(2017, 4, 26),
            cfp_opens_at=dt.datetime(2016, 9, 1, tzinfo=dt.UTC),
            cfp_closes_at=dt.datetime(2016, 11, 4, 23, 59, tzinfo=dt.UTC),
            call_text="Papers and reviews of ICLR 2017 from OpenReview, imported to try the "
            "review workspace on real reviews. Not a real Expo.",
        )
        review_setup_ensure(conference=conference)
        ReviewCriterion.objects.filter(conference=conference).delete()
        criterion = ReviewCriterion.objects.create(
            conference=conference,
            name="Rating",
            guidance="ICLR 2017 rating: 1 trivial or wrong … 5 marginally below the acceptance "
            "threshold, 6 marginally above … 10 top 5% of accepted papers.",
            scale_min=RATING_MIN,
            scale_max=RATING_MAX,
        )
        ReviewSettings.objects.filter(conference=conference).update(
            score_scale_max=RATING_MAX, required_reviews=2
        )
        organisation, _ = Organisation.objects.get_or_create(
            slug=f"openreview-{slug}-authors",
            defaults={
                "name": f"OpenReview authors ({name})",
                "domains": [],
                # Not known for papers; the required fields get their first choice. Slice
                # metrics must not be read for imported conferences.
                "tier": SponsorTier.choices[0][0],
                "size": CompanySize.choices[0][0],
                "region": Region.choices[0][0],
                "description": "Placeholder organisation of imported OpenReview papers; its "
                "tier, size and region are not real.",
            },
        )
        topics: dict[str, Topic] = {}
        for paper in data.papers:
            for keyword in paper.keywords:
                if keyword.casefold() not in topics:
                    topics[keyword.casefold()] = Topic.objects.create(
                        conference=conference, name=keyword, position=len(topics)
                    )
        submitted_at = conference.cfp_closes_at
        proposals = Proposal.objects.bulk_create(
            Proposal(
                conference=conference,
                organisation=organisation,
                title=(paper.title or f"Untitled OpenReview paper {paper.pid}")[
                    : Proposal.TITLE_MAX
                ],
                abstract=paper.abstract or "(The OpenReview record has no abstract.)",
                outline=f"OpenReview paper {paper.pid}: https://openreview.net/forum?id={paper.pid}",
                format=ExpoFormat.TALK,
                state=DECISIONS[paper.decision][1],
                submitted_at=submitted_at,
            )
            for paper in data.papers
        )
        by_pid = {
            paper.pid: proposal for paper, proposal in zip(data.papers, proposals, strict=True)
        }
        Proposal.topics.through.objects.bulk_create(
            Proposal.topics.through(
                proposal_id=by_pid[paper.pid].pk, topic_id=topics[k.casefold()].pk
            )
            for paper in data.papers
            for k in dict.fromkeys(paper.keywords)
        )
        Decision.objects.bulk_create(
            Decision(
                proposal=by_pid[paper.pid],
                outcome=DECISIONS[paper.decision][0],
                rationale=f"Imported ICLR 2017 decision: {DECISIONS[paper.decision][2]}.",
                decided_at=submitted_at,
            )
            for paper in data.papers
        )
        paper_number = {paper.pid: i for i, paper in enumerate(data.papers, start=1)}
        slots: Counter[str] = Counter()
        unusable = make_password(None)
        users = []
        for review in data.reviews:
            slots[review.pid] += 1
            users.append(
                User(
                    email=f"{slug}-p{paper_number[review.pid]:04d}-r{slots[review.pid]}"
                    "@openreview.invalid",
                    full_name=f"Anonymous reviewer {slots[review.pid]} of {review.pid}",
                    password=unusable,
                    is_active=False,
                )
            )
        users = User.objects.bulk_create(users)
        ConferenceChair.objects.bulk_create(
            ConferenceChair(conference=conference, user=user) for user in users
        )
        reviews = Review.objects.bulk_create(
            Review(
                proposal=by_pid[item.pid],
                reviewer=user,
                recommendation=recommendation_for(item.rating),
                confidence=item.confidence,
                rationale=f"{item.title}\n\n{item.text}".strip(),
                weighted_score=weighted_score(
                    scores={criterion.pk: item.rating}, criteria=[criterion], scale_max=RATING_MAX
                ),
                version=1,
                submitted_at=submitted_at,
                revised_at=submitted_at,
            )
            for item, user in zip(data.reviews, users, strict=True)
        )
        CriterionScore.objects.bulk_create(
            CriterionScore(review=review, criterion=criterion, score=item.rating)
            for review, item in zip(reviews, data.reviews, strict=True)
        )
        ReviewRevision.objects.bulk_create(
            ReviewRevision(
                review=review,
                version=1,
                scores=[
                    {"criterion_id": criterion.pk, "name": criterion.name, "score": item.rating}
                ],
                recommendation=review.recommendation,
                confidence=review.confidence,
                rationale=review.rationale,
                weighted_score=review.weighted_score or 0.0,
                submitted_at=submitted_at,
            )
            for review, item in zip(reviews, data.reviews, strict=True)
        )
        review_summaries_refresh(proposal_ids=[p.pk for p in proposals])
        audit_record(
            action=AuditAction.IMPORTED,
            actor=None,
            summary=(
                f"Imported {len(data.papers)} OpenReview papers and {len(data.reviews)} reviews"
            ),
            object_type="conference",
            object_id=conference.pk,
            conference=conference,
            after={"papers": len(data.papers), "reviews": len(data.reviews), **data.skipped},
        )
        return conference
