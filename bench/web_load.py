"""The web benchmark's body, run in its own process against a throwaway PostgreSQL database.

``python -m bench.web_load`` (with DATABASE_URL set by bench_web) migrates, generates 2,000
proposals, measures the sponsor proposal list and the public conference page in-process
(Django's test client, no network), then the throughput of gunicorn with 8 concurrent clients
on each, and prints one JSON object.
"""

import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from expo.accounts.models import User  # noqa: E402
from expo.conferences.models import Conference, ExpoFormat, Topic  # noqa: E402
from expo.proposals.models import Proposal, ProposalState, Speaker  # noqa: E402
from expo.sponsors.models import Membership, Organisation  # noqa: E402

PROPOSALS = 2000
ORGANISATIONS = 40
LIST_ROWS = 50


def generate() -> tuple[User, User]:
    """2,000 proposals over 40 organisations; returns (sponsor with 50 rows, sponsor with 1)."""
    now = timezone.now()
    conference = Conference.objects.create(
        name="Bench Conference",
        slug="bench",
        timezone="Europe/Vienna",
        starts_on=(now + dt.timedelta(days=90)).date(),
        ends_on=(now + dt.timedelta(days=94)).date(),
        cfp_opens_at=now - dt.timedelta(days=10),
        cfp_closes_at=now + dt.timedelta(days=10),
    )
    topics = Topic.objects.bulk_create(
        Topic(conference=conference, name=f"Topic {i}", position=i) for i in range(12)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Org {i}",
            slug=f"bench-org-{i}",
            domains=[f"org{i}.example"],
            tier="gold",
            size="250-999",
            region="europe",
        )
        for i in range(ORGANISATIONS)
    )
    # Organisation 0 gets exactly LIST_ROWS proposals, organisation 1 exactly one; the rest
    # share the remainder, so that the page measured is a realistic 50-row list.
    owners = (
        [0] * LIST_ROWS
        + [1]
        + [2 + i % (ORGANISATIONS - 2) for i in range(PROPOSALS - LIST_ROWS - 1)]
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(
            conference=conference,
            organisation=organisations[owner],
            title=f"Proposal {i}: learning systems at scale",
            abstract="We present a method and results. " * 20,
            outline="1. Problem\n2. Method\n3. Results",
            format=ExpoFormat.TALK if i % 3 else ExpoFormat.WORKSHOP,
            state=ProposalState.SUBMITTED,
            submitted_at=now,
        )
        for i, owner in enumerate(owners)
    )
    through = Proposal.topics.through
    through.objects.bulk_create(
        through(proposal_id=p.pk, topic_id=topics[i % 12].pk) for i, p in enumerate(proposals)
    )
    Speaker.objects.bulk_create(
        Speaker(proposal=p, name=f"Speaker {i}", email=f"s{i}@example.org")
        for i, p in enumerate(proposals)
    )
    many = User.objects.create_user("many@example.org", "bench-password-123", full_name="Many")
    one = User.objects.create_user("one@example.org", "bench-password-123", full_name="One")
    Membership.objects.create(organisation=organisations[0], user=many, role="owner")
    Membership.objects.create(organisation=organisations[1], user=one, role="owner")
    return many, one


def latencies(client: Client, url: str, repeat: int) -> list[float]:
    for _ in range(5):
        client.get(url)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return sorted(samples)


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def throughput(
    paths: list[tuple[str, str]], *, clients: int, seconds: float, workers: int, threads: int
) -> dict[str, Any]:
    """Requests per second that gunicorn (docker/gunicorn.conf.py) serves to ``clients``
    concurrent clients, each cycling through ``paths`` ((path, cookie) pairs) on a kept-alive
    connection as a browser does. The clients are threads of this process, on the same two
    CPUs as the server: what they spend is not available to gunicorn."""
    port = free_port()
    env = dict(
        os.environ,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_THREADS=str(threads),
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "expo.wsgi:application",
            "--config",
            str(ROOT / "docker" / "gunicorn.conf.py"),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port)
        counts = [0] * clients
        errors = [0] * clients
        window: dict[str, float] = {}

        def open_window() -> None:  # runs once, before the barrier releases anyone
            window["start"] = time.monotonic()
            window["stop"] = window["start"] + seconds

        start_line = threading.Barrier(clients + 1, action=open_window)

        def client(index: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            # Warm-up: every worker process imports, connects and fills its caches.
            for path, cookie in paths * 3:
                _get(conn, path, cookie)
            start_line.wait()
            turn = index
            while time.monotonic() < window["stop"]:
                path, cookie = paths[turn % len(paths)]
                turn += 1
                try:
                    status = _get(conn, path, cookie)
                except (OSError, http.client.HTTPException):
                    errors[index] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                if status == 200:
                    counts[index] += 1
                else:
                    errors[index] += 1
            conn.close()

        pool = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in pool:
            thread.start()
        start_line.wait()  # measured from here: all clients warmed up
        for thread in pool:
            thread.join()
        elapsed = time.monotonic() - window["start"]
        return {"rps": sum(counts) / elapsed, "errors": sum(errors), "requests": sum(counts)}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> int:
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    return response.status


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            if _get(conn, "/healthz", "") == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def main() -> None:
    quick = "--quick" in sys.argv
    call_command("migrate", verbosity=0)
    many, one = generate()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum gathers them after a load
    client = Client()
    client.force_login(many)
    samples = latencies(client, "/dashboard/", repeat=60 if quick else 300)
    public = latencies(Client(), "/bench/", repeat=60 if quick else 300)
    queries_many = query_count(client, "/dashboard/")
    client.force_login(one)
    queries_one = query_count(client, "/dashboard/")
    seconds = 8 if quick else 20
    cookie = session_cookie(many)
    # gunicorn as docker/gunicorn.conf.py runs it on two CPUs: 2 × CPUs + 1 workers, 2 threads.
    server = {"workers": 5, "threads": 2}
    loads = {
        "list": throughput([("/dashboard/", cookie)], clients=8, seconds=seconds, **server),
        "public": throughput([("/bench/", "")], clients=8, seconds=seconds, **server),
    }
    print(
        json.dumps(
            {
                "list_p50_ms": percentile(samples, 50),
                "list_p95_ms": percentile(samples, 95),
                "list_samples": len(samples),
                "public_p50_ms": percentile(public, 50),
                "queries_1": queries_one,
                "queries_50": queries_many,
                "loads": loads,
                "server": server,
            }
        )
    )


if __name__ == "__main__":
    main()
