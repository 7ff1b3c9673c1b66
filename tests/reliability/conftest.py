"""Fixtures for tests that run real Celery workers against Redis and the test database.

The workers are separate processes: they see the test's rows only once committed, so these
tests use ``django_db(transaction=True)`` and give the workers the *test* database's URL.
Every worker is killed in a finalizer, whatever the test did.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import kombu.pools
import pytest
import redis
from django.conf import settings as django_settings

from expo.celery import app as celery_app
from tests.reliability.helpers import (
    SHARED_REDIS_URL,
    VISIBILITY_TIMEOUT,
    RedisServer,
    Worker,
    database_url_for_children,
    redis_answers,
    requires_postgres,
)
from tests.reliability.smtp_sink import SmtpSink


@pytest.fixture(scope="session")
def broker_server(tmp_path_factory) -> Iterator[str]:
    """The URL of this session's broker: a private redis-server when the program is installed,
    else database 14 of the shared one on 127.0.0.1:6379."""
    if shutil.which("redis-server") is None:
        if not redis_answers(SHARED_REDIS_URL):
            pytest.skip(f"worker-process tests need redis-server or Redis at {SHARED_REDIS_URL}")
        yield SHARED_REDIS_URL
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


@pytest.fixture
def broker_url(broker_server) -> str:
    requires_postgres()
    return broker_server


@pytest.fixture
def broker_redis(broker_url) -> Iterator[redis.Redis]:
    """The broker's Redis database, empty at the start and end of the test."""
    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def _drop_celery_connections() -> None:
    # Celery keeps one connection pool per process, made from the broker URL of the first
    # publish; a test that moves this process to another broker must close and drop it.
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def publish_to(settings) -> Iterator[Callable[[str], None]]:
    """``publish_to(url)``: this process (web requests, services) queues tasks on ``url``.

    Set on Celery's own configuration too: another test may have left an explicit
    ``task_always_eager`` there (monkeypatch restores by setting), which outranks settings.
    """
    keys = ("broker_url", "task_always_eager")
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in keys if key in changes}

    def switch(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        celery_app.conf.broker_url = url
        celery_app.conf.task_always_eager = False
        _drop_celery_connections()

    yield switch
    for key in keys:
        changes.pop(key, None)
    changes.update(saved)
    _drop_celery_connections()


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run in this process when queued (the local default with no broker)."""
    keys = ("task_always_eager", "task_eager_propagates")
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in keys if key in changes}
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    for key in keys:
        changes.pop(key, None)
    changes.update(saved)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def child_env(broker_url) -> dict[str, str]:
    """Environment for worker and ``manage.py`` processes: the test database and broker."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "CELERY_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="expo.settings",
        DATABASE_URL=database_url_for_children(),
        CELERY_BROKER_URL=broker_url,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        MEDIA_ROOT=str(django_settings.MEDIA_ROOT),
        RELEVANCE_MODEL_DIR=str(getattr(django_settings, "RELEVANCE_MODEL_DIR", "")),
        EMAIL_URL="consolemail://",
        DEFAULT_FROM_EMAIL=django_settings.DEFAULT_FROM_EMAIL,
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start workers with ``start_worker(env, concurrency=…)``; all are killed at the end."""
    workers: list[Worker] = []

    def start(env: dict[str, str], *, concurrency: int = 2) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(workers) + 1}.log", concurrency)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
