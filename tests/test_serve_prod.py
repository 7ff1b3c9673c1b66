"""`make serve-prod` (bin/serve-prod) brings up gunicorn, a Celery worker and beat with
production settings, against a throwaway PostgreSQL database and a Redis database of its own.

Skips when PostgreSQL or Redis is unreachable, unless EXPO_REQUIRE_SERVICES=1 (CI), where an
unreachable service is a failure.
"""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BROKER = "redis://127.0.0.1:6379/13"
READY_TIMEOUT = 90
TASK_TIMEOUT = 60

pytestmark = pytest.mark.slow


def _unavailable(reason: str) -> None:
    if os.environ.get("EXPO_REQUIRE_SERVICES") == "1":
        pytest.fail(f"EXPO_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        _unavailable(f"Redis at {BROKER} is unreachable ({error})")
    name = f"expo_serveprod_test_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        _unavailable(f"PostgreSQL at 127.0.0.1:5432 is unreachable ({error})")
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def test_serve_prod_serves_pages_static_files_and_runs_tasks(database_url, tmp_path):
    import psycopg

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER,
        # Two web workers are plenty for a test on a shared two-core machine.
        "GUNICORN_WORKERS": "2",
    }
    for leaked in ("DJANGO_SETTINGS_MODULE", "EXPO_ENV", "SECRET_KEY"):
        env.pop(leaked, None)
    log = tmp_path / "serve-prod.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "bin" / "serve-prod")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        status = None
        while time.monotonic() < deadline:
            assert process.poll() is None, f"serve-prod exited early:\n{_tail(log)}"
            try:
                status, _, _ = _get(f"{base}/readyz")
            except OSError:
                status = None
            if status == 200:
                break
            time.sleep(1)
        assert status == 200, f"/readyz never answered 200 (last {status}):\n{_tail(log)}"

        status, headers, body = _get(f"{base}/")
        assert status == 200
        assert "default-src 'self'" in headers.get("Content-Security-Policy", "")
        assert b"<html" in body.lower()

        status, headers, body = _get(f"{base}/static/css/expo.css")
        assert status == 200
        assert headers.get("Content-Type", "").startswith("text/css")
        assert len(body) > 100

        # The worker does real work: a proposal written to this database and a task put on
        # this broker come back as a stored relevance score.
        created = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "python"),
                "manage.py",
                "shell",
                "-c",
                "from tests.factories import ProposalFactory\n"
                "from ranking.tasks import score_proposal\n"
                "p = ProposalFactory(state='submitted')\n"
                "score_proposal.delay(p.pk)\n"
                "print(p.pk)",
            ],
            cwd=ROOT,
            env={k: v for k, v in env.items() if k != "PORT"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert created.returncode == 0, created.stderr
        proposal_id = int(created.stdout.split()[-1])
        dbname = database_url.rsplit("/", 1)[1]
        deadline = time.monotonic() + TASK_TIMEOUT
        scores = 0
        with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={dbname}") as conn:
            while time.monotonic() < deadline and not scores:
                row = conn.execute(
                    "SELECT count(*) FROM ranking_relevancescore WHERE proposal_id = %s",
                    [proposal_id],
                ).fetchone()
                conn.commit()
                scores = row[0] if row else 0
                if not scores:
                    time.sleep(0.5)
        assert scores >= 1, f"The worker stored no score for proposal {proposal_id}:\n{_tail(log)}"
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole process group (bash, gunicorn, worker, beat); SIGKILL what remains."""
    for sig, grace in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
    process.wait(timeout=10)
