"""Review dashboard time at 2,000 proposals and 4,000 reviews on PostgreSQL.

Creates a throwaway database (``expo_bench_reviews``), migrates it and fills it in a child
process whose ``DATABASE_URL`` points there (so the settings of this process are untouched),
times the cochair's dashboard with Django's test client, and drops the database again.
Run alone with ``python bench/run.py --only bench_reviews [--quick]``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.common import BenchRow

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "expo_bench_reviews"
PROPOSALS = 2000
REVIEWERS = 2  # 2 reviews per proposal: 4,000 reviews
# Issue 9's targets for the review dashboard.
TARGET_P50_SECONDS = 0.025
TARGET_P95_SECONDS = 0.100


def _admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def rows(args: argparse.Namespace) -> Iterable[BenchRow]:
    repeat = 5 if getattr(args, "quick", False) else 25
    try:
        _admin_sql(f"DROP DATABASE IF EXISTS {DATABASE}")
        _admin_sql(f"CREATE DATABASE {DATABASE}")
    except Exception as error:  # no server: say so in the table instead of failing the run
        yield BenchRow("reviews", "dashboard (PostgreSQL)", f"skipped: {error}".split("\n")[0])
        return
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"{SERVER}/{DATABASE}",
            "DJANGO_SETTINGS_MODULE": "expo.settings",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_reviews", "--worker", str(repeat)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench worker failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _admin_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    size = f"{result['proposals']:,} proposals, {result['reviews']:,} reviews"
    for label, key in (("default order", "default"), ("sorted by normalised score", "normalised")):
        timings = result[key]
        p50 = statistics.median(timings)
        p95 = _percentile(timings, 95)
        yield BenchRow(
            "reviews",
            f"dashboard p50, {label} ({size})",
            f"{p50 * 1000:.0f} ms",
            target=f"< {TARGET_P50_SECONDS * 1000:.0f} ms",
            met=p50 < TARGET_P50_SECONDS,
        )
        cpu = statistics.median(result[f"{key}_cpu"])
        yield BenchRow(
            "reviews",
            f"dashboard CPU time of the Django process, median, {label}",
            f"{cpu * 1000:.0f} ms",
        )
        yield BenchRow(
            "reviews",
            f"dashboard p95, {label} ({size}, n={len(timings)})",
            f"{p95 * 1000:.0f} ms",
            target=f"< {TARGET_P95_SECONDS * 1000:.0f} ms",
            met=p95 < TARGET_P95_SECONDS,
        )
    yield BenchRow("reviews", "dashboard SQL queries", str(result["queries"]))


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]  # nearest-rank percentile


def _worker(repeat: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # No setup_test_environment(): its template instrumentation would double the render time.
    call_command("migrate", verbosity=0)
    conference, chair = _fill()
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum would gather them after a bulk load: without them
        # PostgreSQL guesses 5 rows per table and picks nested loops over 2,000 proposals.
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(chair)
    url = f"/review/{conference.slug}/"
    result: dict[str, Any] = {"proposals": PROPOSALS, "reviews": PROPOSALS * REVIEWERS}
    for key, params in (("default", {}), ("normalised", {"sort": "-normalised"})):
        client.get(url, params)  # warm-up
        samples = []
        cpu = []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200
        result[key] = samples
        result[f"{key}_cpu"] = cpu
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    result["queries"] = len(queries)
    return result


def _fill() -> tuple[Any, Any]:
    """2,000 submitted proposals of 40 sponsors, each reviewed by both chairs."""
    import datetime as dt
    import random

    from django.utils import timezone

    from expo.accounts.models import User
    from expo.conferences.models import Conference, ConferenceChair
    from expo.proposals.models import Proposal, Speaker
    from expo.sponsors.models import Organisation
    from reviews.models import CriterionScore, Review, ReviewCriterion
    from reviews.services import review_summaries_refresh

    rng = random.Random(2027)
    now = timezone.now()
    conference = Conference.objects.create(
        name="Bench conference",
        slug="bench",
        starts_on=now.date() + dt.timedelta(days=100),
        ends_on=now.date() + dt.timedelta(days=103),
        cfp_opens_at=now - dt.timedelta(days=60),
        cfp_closes_at=now - dt.timedelta(days=1),
    )
    topics = [conference.topics.create(name=f"Topic {i}", position=i) for i in range(8)]
    chairs = [
        User.objects.create_user(email=f"chair{i}@bench.example", full_name=f"Chair {i}")
        for i in range(REVIEWERS)
    ]
    for chair in chairs:
        ConferenceChair.objects.create(conference=conference, user=chair)
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench sponsor {i}",
            slug=f"bench-sponsor-{i}",
            domains=[f"sponsor{i}.bench.example"],
            tier="gold",
            size="1000-9999",
            region="europe",
        )
        for i in range(40)
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(
            conference=conference,
            organisation=organisations[i % len(organisations)],
            title=f"Bench proposal {i}: learning to rank under shift",
            abstract="We study a method and report results on public benchmarks. " * 8,
            outline="1. Problem\n2. Method\n3. Results\n4. Demo",
            format="talk" if i % 5 else "workshop",
            state="under_review",
            submitted_at=now - dt.timedelta(minutes=i),
        )
        for i in range(PROPOSALS)
    )
    Speaker.objects.bulk_create(
        Speaker(proposal=p, name=f"Speaker {p.pk}", email=f"s{p.pk}@speakers.bench.example")
        for p in proposals
    )
    Proposal.topics.through.objects.bulk_create(
        Proposal.topics.through(proposal_id=p.pk, topic_id=topic.pk)
        for p in proposals
        for topic in rng.sample(topics, 2)
    )
    criteria = list(ReviewCriterion.objects.filter(conference=conference))
    reviews = Review.objects.bulk_create(
        Review(
            proposal=p,
            reviewer=chair,
            recommendation="weak_accept",
            confidence=3,
            rationale="A bench review with a rationale of ordinary length for the sponsor.",
            weighted_score=float(rng.randint(1, 5)),
            version=1,
            submitted_at=now,
            revised_at=now,
        )
        for p in proposals
        for chair in chairs
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(review=r, criterion=c, score=int(r.weighted_score or 1))
        for r in reviews
        for c in criteria
    )
    review_summaries_refresh(proposal_ids=[p.pk for p in proposals])
    return conference, chairs[0]


if __name__ == "__main__" and "--worker" in sys.argv:
    print(json.dumps(_worker(int(sys.argv[sys.argv.index("--worker") + 1]))))
