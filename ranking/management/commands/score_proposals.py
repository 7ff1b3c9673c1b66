"""`manage.py score_proposals`: score a conference's proposals (or some) now, or queue the work."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from expo.conferences.models import Conference
from expo.proposals.models import Proposal
from ranking.services import ArtefactIntegrityError, conference_proposal_ids, proposal_score
from ranking.tasks import score_proposal


class Command(BaseCommand):
    help = (
        "Score the submitted and decided proposals of a conference with its active relevance "
        "model (topical similarity if none is active). Scores already stored for the same text "
        "and model are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conference", required=True, metavar="SLUG")
        parser.add_argument(
            "--proposal", type=int, action="append", default=[], metavar="ID", help="only these"
        )
        parser.add_argument(
            "--queue", action="store_true", help="queue Celery tasks instead of scoring here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        conference = Conference.objects.filter(slug=options["conference"]).first()
        if conference is None:
            raise CommandError(f"No conference with slug {options['conference']!r}.")
        ids = options["proposal"]
        if ids:
            found = set(
                Proposal.objects.filter(conference=conference, pk__in=ids).values_list(
                    "pk", flat=True
                )
            )
            missing = sorted(set(ids) - found)
            if missing:
                raise CommandError(
                    f"{conference} has no proposal with id {', '.join(map(str, missing))}."
                )
        else:
            ids = conference_proposal_ids(conference.pk)
        if options["queue"]:
            for proposal_id in ids:
                score_proposal.delay(proposal_id)
            self.stdout.write(f"Queued {len(ids)} proposals.")
            return
        counts = {"learned": 0, "topical": 0}
        for proposal_id in ids:
            try:
                score = proposal_score(proposal_id=proposal_id)
            except ArtefactIntegrityError as error:
                raise CommandError(str(error)) from error
            if score is not None:
                counts[score.kind] += 1
        self.stdout.write(
            f"Scored {sum(counts.values())} proposals of {conference}: "
            f"{counts['learned']} by the learned model, {counts['topical']} topically."
        )
