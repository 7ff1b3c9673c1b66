"""`manage.py slice_report`: acceptance rates and bias flags per slice of a CSV of decisions.

The statistics live in ranking/slices.py; this command parses flags, reads the file and prints.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from expo.security.csv import csv_cell_escape
from ranking.slices import (
    DEFAULT_MIN_N,
    DEFAULT_SCORE_BINS,
    SliceInputError,
    slice_report,
    slice_table_read_csv,
)


class Command(BaseCommand):
    help = (
        "Per slice of a decisions CSV: n, positives, rate with a Wilson 95% interval, odds ratio "
        "against the rest (Mantel-Haenszel when stratified), p-value, Benjamini-Hochberg q-value "
        "and level (alert q<=0.05, watch q<=0.20, ok, too_small, untestable). Cells are read "
        'literally: "NA" and "None" are values, only an empty cell is "(missing)".'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, metavar="FILE.csv", help="UTF-8 CSV file")
        parser.add_argument("--outcome", required=True, metavar="COL", help="0/1 decision column")
        parser.add_argument(
            "--slice",
            dest="slices",
            action="append",
            required=True,
            metavar="COL",
            help="slice attribute column (repeat for several)",
        )
        parser.add_argument(
            "--stratify",
            dest="strata",
            action="append",
            default=[],
            metavar="COL",
            help="compare within strata of this column (repeat for several), e.g. format",
        )
        parser.add_argument(
            "--score",
            metavar="COL",
            help="numeric quality score: compare within score quantile bins as well",
        )
        parser.add_argument(
            "--score-bins",
            type=int,
            default=DEFAULT_SCORE_BINS,
            metavar="K",
            help=f"number of score quantile bins (default {DEFAULT_SCORE_BINS})",
        )
        parser.add_argument(
            "--min-n",
            type=int,
            default=DEFAULT_MIN_N,
            metavar="N",
            help=f"slices (or their rest) under N rows are reported, never flagged "
            f"(default {DEFAULT_MIN_N})",
        )
        parser.add_argument(
            "--edition",
            metavar="COL",
            help="conference edition column: report the current edition, with history and a "
            "test of whether each gap is new",
        )
        parser.add_argument(
            "--current", metavar="VALUE", help="the current edition (default: the latest)"
        )
        parser.add_argument(
            "--format", choices=["json", "csv", "text"], default="json", help="output format"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["current"] is not None and not options["edition"]:
            raise CommandError("--current needs --edition")
        score = options["score"]
        edition = options["edition"]
        try:
            table = slice_table_read_csv(
                options["input"],
                binary=[options["outcome"]],
                categorical=[
                    *options["slices"],
                    *options["strata"],
                    *([edition] if edition else []),
                ],
                numeric=[score] if score else [],
            )
            report = slice_report(
                table,
                outcome=options["outcome"],
                slices=options["slices"],
                strata=options["strata"],
                score=score,
                edition=edition,
                current=options["current"],
                min_n=options["min_n"],
                score_bins=options["score_bins"],
            )
        except SliceInputError as error:
            raise CommandError(str(error)) from error
        output = {
            "json": report.to_json,
            "csv": lambda: report.to_csv(escape=csv_cell_escape),
            "text": report.to_text,
        }
        text = output[options["format"]]()
        self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
