"""Web latency, query counts and throughput on PostgreSQL with 2,000 proposals.

Runs bench/web_load.py in a separate process against a throwaway database ``expo_bench_web``
on the local PostgreSQL (created and dropped here), so it never touches real data.
"""

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.common import BenchRow

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "expo_bench_web"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def _recreate_database(*, drop_only: bool = False) -> bool:
    import psycopg

    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            if not drop_only:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
    except psycopg.Error:
        return False
    return True


def rows(args: argparse.Namespace) -> Iterator[BenchRow]:
    if not _recreate_database():
        yield BenchRow("web", "PostgreSQL on 127.0.0.1:5432", "unreachable: skipped")
        return
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        CELERY_BROKER_URL="",
        DEBUG="0",
    )
    command = [sys.executable, "-m", "bench.web_load", *(["--quick"] if args.quick else [])]
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
        )
    finally:
        _recreate_database(drop_only=True)
    if result.returncode != 0:
        yield BenchRow("web", "run", f"failed: {result.stderr.strip().splitlines()[-1:]}")
        return
    data = json.loads(result.stdout.strip().splitlines()[-1])
    p50, p95 = data["list_p50_ms"], data["list_p95_ms"]
    yield BenchRow(
        "web",
        f"proposal list, 50 rows of 2,000 (p50, {data['list_samples']} requests)",
        f"{p50:.1f} ms",
        "< 25 ms",
        p50 < 25,
    )
    yield BenchRow("web", "proposal list, 50 rows (p95)", f"{p95:.1f} ms", "< 100 ms", p95 < 100)
    yield BenchRow(
        "web",
        "SQL queries, proposal list at 1 / 50 rows",
        f"{data['queries_1']} / {data['queries_50']}",
        "equal",
        data["queries_1"] == data["queries_50"],
    )
    server = data["server"]
    setup = f"gunicorn {server['workers']} workers × {server['threads']} threads, keep-alive"
    yield BenchRow(
        "web", "public conference page, anonymous (p50)", f"{data['public_p50_ms']:.1f} ms"
    )
    for key, label in (
        ("list", "sponsor's proposal list (50 rows)"),
        ("public", "public conference page"),
    ):
        load = data["loads"][key]
        yield BenchRow(
            "web",
            f"throughput, 8 concurrent clients, {label}; {setup} "
            f"({load['requests']} requests, {load['errors']} errors)",
            f"{load['rps']:.0f} req/s",
            "≥ 100 req/s",
            load["rps"] >= 100 and load["errors"] == 0,
        )
