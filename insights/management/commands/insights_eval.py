"""`manage.py insights_eval`: the figures behind the proposal check's settings.

Prints the sales-copy sentence model's cross-validated precision and recall and how often it
and the lexicon flag held-out ICLR 2017 abstract sentences, for the chosen C and threshold (or
a grid); and how well topic matching finds the ICLR authors' own keywords among the demo
conference's topics, on held-out papers. docs/insights.md quotes its output.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from expo.proposals.demo_data import TOPICS, papers
from insights import sentence_model
from insights.check import TopicText
from insights.evaluation import Paper, evaluate_topics
from insights.sentence_model import iclr_part


class Command(BaseCommand):
    help = "Evaluate the proposal check's sentence model and topic matching."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--c", type=float, action="append", help="regularisation C (repeat)")
        parser.add_argument(
            "--threshold", type=float, action="append", help="flag threshold (repeat)"
        )
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--skip-topics", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        cs = options["c"] or [sentence_model.C]
        thresholds = options["threshold"] or [sentence_model.THRESHOLD]
        if any(c <= 0 for c in cs):
            raise CommandError("--c must be positive.")
        if any(not 0 < t < 1 for t in thresholds):
            raise CommandError("--threshold must be between 0 and 1.")
        if not 2 <= options["folds"] <= 20:
            raise CommandError("--folds must be between 2 and 20.")
        try:
            self._sentences(cs, thresholds, options["folds"])
        except sentence_model.DataError as error:
            raise CommandError(str(error)) from error
        if not options["skip_topics"]:
            self._topics()

    def _sentences(self, cs: list[float], thresholds: list[float], folds: int) -> None:
        self.stdout.write(
            "| C | threshold | CV AUC | CV precision | CV recall | CV recall, model or lexicon "
            "| held-out ICLR sentences flagged: model | lexicon | either |"
        )
        self.stdout.write("|---|---|---|---|---|---|---|---|---|")
        for c in cs:
            for threshold in thresholds:
                e = sentence_model.evaluate(c=c, threshold=threshold, folds=folds)
                n = e.heldout_sentences
                self.stdout.write(
                    f"| {c:g} | {threshold:.2f} | {e.cv_auc:.3f} | {e.cv_precision:.3f} "
                    f"| {e.cv_recall:.3f} | {e.cv_recall_either:.3f} "
                    f"| {e.heldout_flagged_by_model}/{n} | {e.heldout_flagged_by_lexicon}/{n} "
                    f"| {e.heldout_flagged_by_either}/{n} ({e.heldout_either_rate:.2%}) |"
                )
        self.stdout.write(
            f"Training data: {e.n_sales} sales sentences, {e.n_research} research sentences; "
            f"the lexicon alone matches {e.sales_caught_by_lexicon:.0%} of the sales sentences."
        )

    def _topics(self) -> None:
        topics = [TopicText(i, name, description) for i, (name, description) in enumerate(TOPICS)]
        heldout = [
            Paper(p.title, p.abstract, frozenset(p.topics))
            for p in papers()
            if iclr_part(p.pid) == "heldout"
        ]
        result = evaluate_topics(heldout, topics)
        self.stdout.write(
            f"Topic matching on {result.papers} held-out ICLR 2017 papers, demo topics: the "
            f"closest topic is an authors' keyword for {result.top1_is_authors_topic:.1%}; "
            f"a topic counts as supported for {result.authors_topics_supported:.1%} of the "
            f"authors' topics and {result.other_topics_supported:.1%} of the others."
        )
