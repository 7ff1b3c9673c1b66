"""Proposal check latency: one panel update, for a normal proposal and for 100 KB per field.

Two levels, each as p50/p95 over repeated updates after a warm-up:

- the pure check (insights.check.check_proposal): lexicon, sentence model, topic matching and
  hints, with the demo conference's 12 topics;
- the whole request, POST /insights/check/<slug>/ through Django's test client (middleware,
  session, permission, two queries, template), in a child process on an in-memory SQLite
  database that is created and thrown away there.

Also the one-off cost of the first check in a process, which trains the sentence model and
reads the ICLR abstracts behind the topics' related words.
Target: < 200 ms per update (issue 10).
"""

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BenchRow  # noqa: E402

TARGET_MS = 200.0


def _percentiles(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``function`` over ``repeat`` runs after one warm-up."""
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * len(samples)))]


def _inputs() -> tuple[dict[str, str], dict[str, str], list[tuple[str, str]]]:
    """A normal workshop proposal (a real ICLR abstract, agenda from its sentences), the same
    padded to 100 KB per text field with real abstract text, and the demo topics."""
    import csv

    from insights.sentence_model import ICLR_SUBMISSIONS

    with ICLR_SUBMISSIONS.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if len(r["Abstract"] or "") > 1200]
    row = rows[0]
    abstract = " ".join(row["Abstract"].split())
    outline = "\n".join(
        [
            "1. Prerequisites: Python and basic deep learning; bring a laptop (10 min)",
            "2. Problem and motivation (30 min)",
            "3. Method, with a live demo in a notebook (60 min)",
            "4. Hands-on: reproduce the main result (90 min)",
            "5. Results and open questions (40 min)",
            "6. Discussion: what attendees will take away (10 min)",
        ]
    )
    normal = {"title": row["Title"], "abstract": abstract, "outline": outline, "format": "workshop"}
    corpus = " ".join(" ".join((r["Abstract"] or "").split()) for r in rows)
    big = {
        "title": corpus[:100_000],
        "abstract": corpus[:100_000],
        "outline": "\n".join(corpus[i : i + 200] for i in range(0, 100_000, 200)),
        "format": "workshop",
    }
    from expo.proposals.demo_data import TOPICS

    return normal, big, list(TOPICS)


def _pure(repeat: int) -> dict[str, float]:
    from insights.check import ProposalText, TopicText, check_proposal

    normal, big, topic_rows = _inputs()
    topics = [TopicText(i, name, description) for i, (name, description) in enumerate(topic_rows)]
    ticked = (0, 3)
    first = ProposalText(**normal, ticked_topic_ids=ticked)
    started = time.perf_counter()
    check_proposal(first, topics)  # trains the model, reads the background abstracts
    result = {"first_ms": (time.perf_counter() - started) * 1000}
    for label, fields in (("normal", normal), ("big", big)):
        text = ProposalText(
            title=fields["title"],
            abstract=fields["abstract"],
            outline=fields["outline"],
            format=fields["format"],
            ticked_topic_ids=ticked,
        )
        p50, p95 = _percentiles(functools.partial(check_proposal, text, topics), repeat)
        result[f"pure_{label}_p50"], result[f"pure_{label}_p95"] = p50, p95
    result["what_worked_s"] = _what_worked_seconds(quick=repeat < 50)
    return result


def _what_worked_seconds(*, quick: bool) -> float:
    """Median time of the "what worked" aggregates over 2,000 decided proposals (real ICLR
    abstracts, the demo's generated outlines, repeated to reach 2,000)."""
    from expo.proposals.demo_data import outline_from_abstract, papers
    from insights.what_worked import ProposalRecord, what_worked

    records = [
        ProposalRecord(
            accepted=paper.accepted,
            format="workshop" if i % 3 == 0 else "talk",
            topics=paper.topics,
            abstract=paper.abstract,
            outline=outline_from_abstract(paper.abstract, workshop=i % 3 == 0),
        )
        for i, paper in enumerate(papers())
    ]
    records = (records * (2000 // len(records) + 1))[:2000]
    samples = []
    for _ in range(1 if quick else 3):
        started = time.perf_counter()
        what_worked(records)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _http(repeat: int) -> dict[str, float]:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from expo.accounts.models import User
    from expo.conferences.models import Conference, Topic

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    normal, big, topic_rows = _inputs()
    now = timezone.now()
    conference = Conference.objects.create(
        name="Bench conference",
        slug="bench-insights",
        starts_on=(now + dt.timedelta(days=90)).date(),
        ends_on=(now + dt.timedelta(days=93)).date(),
        cfp_opens_at=now - dt.timedelta(days=1),
        cfp_closes_at=now + dt.timedelta(days=30),
    )
    topic_ids = [
        Topic.objects.create(
            conference=conference, name=name, description=description, position=i
        ).pk
        for i, (name, description) in enumerate(topic_rows)
    ]
    user = User.objects.create_user(email="bench@example.org", password="bench-password-1")
    client = Client()
    client.force_login(user)
    url = f"/insights/check/{conference.slug}/"
    result: dict[str, float] = {}
    for label, fields in (("normal", normal), ("big", big)):
        data: dict[str, object] = {**fields, "topics": [str(topic_ids[0]), str(topic_ids[3])]}
        p50, p95 = _percentiles(functools.partial(_post, client, url, data), repeat)
        result[f"http_{label}_p50"], result[f"http_{label}_p95"] = p50, p95
    return result


def _post(client: Any, url: str, data: dict[str, object]) -> None:
    from django.core.cache import cache

    cache.clear()  # the rate limit is not what is measured here
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code


def _worker(quick: bool) -> None:
    repeat = 20 if quick else 100
    result = _pure(repeat)
    result.update(_http(repeat))
    print(json.dumps(result))


def rows(args: argparse.Namespace) -> Iterator[BenchRow]:
    env = dict(
        os.environ,
        DATABASE_URL="sqlite:///:memory:",
        DJANGO_SETTINGS_MODULE="expo.settings",
        CELERY_BROKER_URL="",
        DEBUG="0",
    )
    command = [sys.executable, "-m", "bench.bench_insights", "--worker"]
    if args.quick:
        command.append("--quick")
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        yield BenchRow("insights", "run", f"failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    data = json.loads(done.stdout.strip().splitlines()[-1])
    runs = 20 if args.quick else 100
    for level, what in (("pure", "check_proposal()"), ("http", "POST /insights/check/")):
        for label, size in (("normal", "normal workshop proposal"), ("big", "100 KB per field")):
            p50, p95 = data[f"{level}_{label}_p50"], data[f"{level}_{label}_p95"]
            yield BenchRow(
                "insights",
                f"{what}, {size} (p50 / p95 of {runs})",
                f"{p50:.1f} / {p95:.1f} ms",
                f"< {TARGET_MS:.0f} ms",
                p95 < TARGET_MS,
            )
    yield BenchRow(
        "insights",
        '"what worked" aggregates over 2,000 decided proposals (uncached; then cached)',
        f"{data['what_worked_s']:.1f} s",
    )
    yield BenchRow(
        "insights",
        "first check in a process (trains the sentence model, reads the topic background)",
        f"{data['first_ms']:.0f} ms",
        "< 1000 ms",
        data["first_ms"] < 1000,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", action="store_true", help="run the measurements here")
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    if options.worker:
        _worker(options.quick)
    else:
        for row in rows(options):
            print(row.markdown())
