"""bin/backup and bin/restore: a dump restored into a fresh database holds everything."""

import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from reviews.models import Decision, Review
from tests.factories import ChairFactory, ConferenceFactory
from tests.reliability.helpers import BASE_DIR, database_url_for_children
from tests.reviews.factories import decide, sponsor_with_proposal, submit_review

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def run(*args):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )


def rows(url, table):
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def table_counts(url):
    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.fixture
def fresh_database_url():
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump archives: they need PostgreSQL")
    source = database_url_for_children()
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield source.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(source.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restored_backup_has_every_proposal_review_and_decision(tmp_path, fresh_database_url):
    conference = ConferenceFactory()
    chairs = [ChairFactory(conference=conference).user for _ in range(2)]
    proposals = [sponsor_with_proposal(conference)[1] for _ in range(3)]
    for proposal in proposals:
        for chair in chairs:
            submit_review(chair, proposal, 4)
    decide(chairs[0], proposals[0], "accept", "A strong demo.")
    decide(chairs[0], proposals[1], "reject", "Out of scope for the Expo.")
    source = database_url_for_children()
    dump = tmp_path / "expo.dump"

    backed_up = run("bin/backup", f"--database-url={source}", f"--output={dump}")
    assert backed_up.returncode == 0, backed_up.stderr
    restored = run("bin/restore", str(dump), f"--database-url={fresh_database_url}")
    assert restored.returncode == 0, restored.stderr
    assert "3 proposals, 6 reviews, 2 decisions" in restored.stdout

    assert Review.objects.count() == 6
    assert Decision.objects.count() == 2
    for table in ("proposals_proposal", "reviews_review", "reviews_decision"):
        assert rows(fresh_database_url, table) == rows(source, table), table
    assert table_counts(fresh_database_url) == table_counts(source)
    # The audit trail's append-only trigger came back with the data.
    with (
        psycopg.connect(fresh_database_url) as conn,
        pytest.raises(psycopg.Error, match=r"audit events are append-only \(UPDATE refused\)"),
    ):
        conn.execute("UPDATE reviews_auditevent SET summary = 'rewritten'")


def test_restore_refuses_a_database_that_is_not_empty_and_bad_dumps(tmp_path, fresh_database_url):
    ConferenceFactory()
    source = database_url_for_children()
    before = table_counts(source)
    dump = tmp_path / "expo.dump"
    assert run("bin/backup", f"--database-url={source}", f"--output={dump}").returncode == 0

    into_live = run("bin/restore", str(dump), f"--database-url={source}")
    assert into_live.returncode == 1
    assert "is not empty" in into_live.stderr
    assert table_counts(source) == before

    not_a_dump = tmp_path / "notes.txt"
    not_a_dump.write_text("not a dump")
    refused = run("bin/restore", str(not_a_dump), f"--database-url={fresh_database_url}")
    assert refused.returncode == 1
    assert "is not a pg_dump archive" in refused.stderr

    again = run("bin/backup", f"--database-url={source}", f"--output={dump}")
    assert again.returncode == 1
    assert "exists" in again.stderr
