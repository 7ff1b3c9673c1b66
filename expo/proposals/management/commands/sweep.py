"""`manage.py sweep`: queue background work that was missed — the cron twin of the beat task.

Celery beat needs the broker to run the sweep; after an outage, cron runs this instead:

    */5 * * * *  cd /srv/expo && .venv/bin/python manage.py sweep --quiet-when-idle

Exit status 0 when everything found was queued (or nothing was missing), 1 when the broker
refused work (see docs/operations.md).
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from expo.sweeper import DEFAULT_GRACE, BrokerUnavailable, sweep


def _minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number of minutes") from None
    if not 0 <= minutes <= 7 * 24 * 60:
        raise ValueError(f"{value!r} minutes is not between 0 and one week")
    return minutes


class Command(BaseCommand):
    help = (
        "Queue the work the broker never got or a dead worker lost: submitted proposals "
        "without a current relevance score, e-mails not sent yet, out-of-date fairness reports "
        "and schedule versions waiting for the solver, older than a grace period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-minutes",
            type=str,
            default=str(DEFAULT_GRACE.total_seconds() / 60),
            metavar="MINUTES",
            help="leave work younger than this alone: it is probably still queued "
            f"(default {DEFAULT_GRACE.total_seconds() / 60:g})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what is missing; queue nothing"
        )
        parser.add_argument(
            "--quiet-when-idle",
            action="store_true",
            help="print nothing when nothing is missing (for cron)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            minutes = _minutes(options["grace_minutes"])
        except ValueError as error:
            raise CommandError(f"--grace-minutes: {error}.") from None
        try:
            result = sweep(grace=dt.timedelta(minutes=minutes), dry_run=options["dry_run"])
        except BrokerUnavailable as error:
            raise CommandError(str(error)) from error
        if options["quiet_when_idle"] and not result.found:
            return
        if options["dry_run"]:
            self.stdout.write(f"Missing (nothing queued): {result.summary()}.")
            return
        self.stdout.write(f"Queued {result.published} of {result.found}: {result.summary()}.")
        if result.not_published:
            raise CommandError(
                f"Not handled, left for the next sweep: {', '.join(result.not_published)}."
            )
