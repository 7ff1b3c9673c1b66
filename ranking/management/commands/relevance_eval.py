"""`manage.py relevance_eval`: train the project's relevance model on one CSV, evaluate on another.

A contract other tools rely on (issue 5)::

    manage.py relevance_eval --train A.csv --test B.csv --text-columns title,abstract \
        --label-column accepted --format json

prints one JSON object with at least auc, auc_ci_low, auc_ci_high, brier, n_train, n_test and
seconds. Bad input (missing file or column, a label that is not 0/1, one class only) is an
error on stderr with a non-zero exit and no output on stdout.
"""

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ranking.evaluation import DataError, LabelledTexts, evaluate_scores, read_labelled_csv
from ranking.model import build_relevance_classifier


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = (
        "Train the project's relevance model on --train and report ROC AUC (with a bootstrap "
        "95%% interval), Brier score and a calibration table on --test."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", required=True, metavar="A.csv", help="training CSV")
        parser.add_argument("--test", required=True, metavar="B.csv", help="test CSV")
        parser.add_argument(
            "--text-columns",
            required=True,
            metavar="COL,COL",
            help="comma-separated text columns, joined in this order",
        )
        parser.add_argument(
            "--label-column", required=True, metavar="COL", help="0/1 outcome column"
        )
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--resamples",
            type=int,
            default=2000,
            help="bootstrap resamples for the AUC interval (default 2000)",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of model and bootstrap")

    def handle(self, *args: Any, **options: Any) -> None:
        columns = [c.strip() for c in options["text_columns"].split(",") if c.strip()]
        if not columns:
            raise CommandError("--text-columns needs at least one column name.")
        if options["resamples"] < 100:
            raise CommandError("--resamples must be at least 100.")
        label = options["label_column"].strip()
        start = time.perf_counter()
        train = self._read(options["train"], columns, label, "--train")
        test = self._read(options["test"], columns, label, "--test")
        model = build_relevance_classifier(random_state=options["seed"])
        try:
            model.fit(train.documents, train.labels)
        except ValueError as error:
            raise CommandError(f"Cannot train on {options['train']}: {error}") from error
        probability = model.predict_proba(test.documents)[:, 1]
        report = evaluate_scores(
            test.labels, probability, n_resamples=options["resamples"], seed=options["seed"]
        )
        seconds = time.perf_counter() - start
        result = {
            "auc": report.auc,
            "auc_ci_low": report.auc_ci_low,
            "auc_ci_high": report.auc_ci_high,
            "brier": report.brier,
            "n_train": len(train.labels),
            "n_test": report.n,
            "n_train_positive": sum(train.labels),
            "n_test_positive": report.n_positive,
            "seconds": round(seconds, 3),
            "confidence_level": 0.95,
            "calibration": report.calibration,
            "model": {
                "C": model.C_,
                "n_features": int(model.n_features_),
                "calibration_slope": model.slope_,
            },
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"Trained on {result['n_train']} rows ({result['n_train_positive']} positive), "
            f"tested on {result['n_test']} rows ({result['n_test_positive']} positive).\n"
            f"ROC AUC {_fmt(report.auc)} "
            f"(95% CI {_fmt(report.auc_ci_low)}–{_fmt(report.auc_ci_high)})\n"
            f"Brier score {report.brier:.4f}\n"
            f"Time {seconds:.2f} s\n"
            "Calibration (predicted → observed, n):"
        )
        for row in report.calibration:
            self.stdout.write(
                f"  {row['bin_low']:.1f}–{row['bin_high']:.1f}: "
                f"{row['mean_predicted']:.3f} → {row['fraction_positive']:.3f}  "
                f"(n={row['count']})"
            )

    def _read(self, path: str, columns: list[str], label: str, flag: str) -> LabelledTexts:
        try:
            data = read_labelled_csv(path, text_columns=columns, label_column=label)
        except DataError as error:
            raise CommandError(f"{flag}: {error}") from error
        positives = sum(data.labels)
        if positives in (0, len(data.labels)):
            only = "1" if positives else "0"
            raise CommandError(
                f"{flag}: {path} has only one class (every {label!r} is {only}); "
                "both 0 and 1 are needed."
            )
        return data
