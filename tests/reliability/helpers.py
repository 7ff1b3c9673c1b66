"""Helpers for tests that run real Celery workers and ``manage.py`` in child processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.db import connection

from expo.conferences.models import Conference, Track
from expo.conferences.services import conference_create_default_tracks
from expo.proposals.models import ProposalState
from scheduling.models import Room, ScheduleBreak, TrackWindow
from tests.factories import ConferenceFactory, ProposalFactory

BASE_DIR = Path(__file__).resolve().parents[2]
# Short, so that a killed worker's messages come back within the test (production: 3600 s).
VISIBILITY_TIMEOUT = 1
CELERY_QUEUE = "celery"
# Without a redis-server program, the machine's shared Redis, in a database nobody else uses.
SHARED_REDIS_URL = "redis://127.0.0.1:6379/14"


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class RedisServer:
    """A private ``redis-server`` for one test session, so that no other test run on the same
    machine (a colleague's ``make test``) can take or flush this run's messages."""

    def __init__(self, directory: Path) -> None:
        port = closed_port()
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not redis_answers(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(
    predicate: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    log: Worker | None = None,
    interval: float = 0.05,
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``,
    with the end of ``log``'s output then."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = f"\nWorker log:\n{log.log_tail()}" if log is not None else ""
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.{tail}")
        time.sleep(interval)


def requires_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("worker-process tests need PostgreSQL (DATABASE_URL=postgres://…)")


def database_url_for_children() -> str:
    """The URL of the database this test runs in, for child processes."""
    s = connection.settings_dict
    user = urllib.parse.quote(s["USER"] or "")
    password = urllib.parse.quote(s["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{credentials}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """``celery -A expo worker`` in its own process group, so that kill -9 takes its children."""

    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "expo",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=reliability-{uuid.uuid4().hex[:8]}@%h",
                "--queues",
                CELERY_QUEUE,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the whole group: no warm shutdown, no acknowledgement, no cleanup."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def kill_pool_processes(self) -> None:
        """SIGKILL to the worker's pool processes only, as the kernel's OOM killer would."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for pid in children.read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def manage(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` in a child process (as cron would)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def queued_tasks(client: redis.Redis) -> Counter[str]:
    """How many messages wait in the queue, per task name (from the Celery message headers)."""
    return Counter(json.loads(raw)["headers"]["task"] for raw in client.lrange(CELERY_QUEUE, 0, -1))


def wait_for_visibility_timeout(client: redis.Redis) -> None:
    """Wait until every message a dead worker took may be redelivered.

    Redis has no acknowledgements: kombu keeps each delivered message in ``unacked`` with its
    delivery time in ``unacked_index``, and a worker puts it back on the queue once it is older
    than the visibility timeout — at start-up, and every 100 s after.
    """
    delivered = client.zrange("unacked_index", 0, -1, withscores=True)
    if delivered:
        latest = max(score for _, score in delivered)
        pause = latest + VISIBILITY_TIMEOUT + 0.2 - time.time()
        if pause > 0:
            time.sleep(pause)


class DatabaseLock:
    """A lock held by a second connection to the test database, so that a worker process stops
    at a known statement until ``release``; ``wait_until_blocking`` returns once it does.

    Build it in the test's thread (it reads the test database's settings); ``take``, the wait
    and ``release`` may run in another (the SMTP sink's).
    """

    def __init__(self) -> None:
        url = database_url_for_children()
        self._holder = psycopg.connect(url)  # not autocommit: the lock lasts until release
        self._watcher = psycopg.connect(url, autocommit=True)

    def take(self, statement: str, params: tuple[Any, ...] = ()) -> None:
        self._holder.execute(statement, params)

    def blocked(self) -> int:
        """How many other sessions wait for this lock now."""
        row = self._watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            (self._holder.info.backend_pid,),
        ).fetchone()
        return int(row[0]) if row else 0

    def wait_until_blocking(self, *, what: str, log: Worker | None = None) -> None:
        wait_until(lambda: self.blocked() > 0, timeout=60, what=what, log=log, interval=0.01)

    def release(self) -> None:
        self._holder.rollback()

    def close(self) -> None:
        self._holder.close()
        self._watcher.close()


def solve_results(worker: Worker) -> list[str]:
    """What each ``solve_schedule`` run by ``worker`` returned, as logged ("True", "False")."""
    marker = "scheduling.tasks.solve_schedule["
    return sorted(
        line.rsplit(": ", 1)[1].strip()
        for line in worker.log_path.read_text(errors="replace").splitlines()
        if marker in line and "] succeeded in " in line
    )


def venue_add(conference: Conference) -> list[Track]:
    """The default three tracks, one room each open 09:00–18:00 on the first day, lunch
    13:00–14:00 (as in tests/scheduling); returns the tracks."""

    def at(hour: int) -> dt.datetime:
        return dt.datetime.combine(conference.starts_on, dt.time(hour), conference.tzinfo)

    tracks = conference_create_default_tracks(conference=conference)
    for position, track in enumerate(tracks):
        room = Room.objects.create(conference=conference, name=f"Room {position + 1}")
        TrackWindow.objects.create(track=track, room=room, starts_at=at(9), ends_at=at(18))
    ScheduleBreak.objects.create(
        conference=conference, title="Lunch", starts_at=at(13), ends_at=at(14)
    )
    return tracks


def schedulable_conference(*, accepted: int) -> Conference:
    """A conference with a venue and ``accepted`` accepted proposals sorted into its talk track."""
    conference = ConferenceFactory()
    talks = venue_add(conference)[0]
    for _ in range(accepted):
        ProposalFactory(
            conference=conference, state=ProposalState.ACCEPTED, track=talks, format=talks.format
        )
    return conference
