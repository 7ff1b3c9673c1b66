"""`manage.py relevance_eval`: the JSON contract other tools rely on, and its errors."""

import csv
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
GOOD = ["benchmark", "reproducible", "ablation", "theorem", "convergence"]
BAD = ["synergy", "leverage", "disruptive", "marketing", "seamless"]
NEUTRAL = ["model", "data", "learning", "method", "results", "training", "network", "system"]


def write_csv(path: Path, n: int, seed: int, *, header=("title", "abstract", "accepted")) -> Path:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(n):
            label = i % 3 == 0
            words = list(rng.choice(NEUTRAL, size=12))
            words += [w for w in (GOOD if label else BAD) if rng.random() < 0.6]
            title = "" if i % 7 == 0 else f"Talk {i} — “naïve” ✓"  # missing and odd text
            writer.writerow([title, " ".join(words), int(label)])
    return path


@pytest.fixture
def files(tmp_path):
    return write_csv(tmp_path / "a.csv", 150, seed=1), write_csv(tmp_path / "b.csv", 90, seed=2)


def run(*args: str) -> str:
    out = StringIO()
    call_command("relevance_eval", *args, stdout=out)
    return out.getvalue()


def test_relevance_eval_prints_one_json_object_with_the_contract_fields(files):
    train, test = files
    output = run(
        "--train", str(train), "--test", str(test),
        "--text-columns", "title,abstract", "--label-column", "accepted",
        "--format", "json", "--resamples", "500",
    )  # fmt: skip
    result = json.loads(output)
    for key in ("auc", "auc_ci_low", "auc_ci_high", "brier", "n_train", "n_test", "seconds"):
        assert key in result
    assert result["n_train"] == 150
    assert result["n_test"] == 90
    assert result["auc"] > 0.9  # the signal words separate the classes
    assert result["auc_ci_low"] <= result["auc"] <= result["auc_ci_high"]
    assert 0 <= result["brier"] < 0.25
    assert result["seconds"] > 0


def test_relevance_eval_text_format_is_readable(files):
    train, test = files
    output = run(
        "--train", str(train), "--test", str(test), "--text-columns", "title,abstract",
        "--label-column", "accepted", "--format", "text", "--resamples", "200",
    )  # fmt: skip
    assert "ROC AUC" in output
    assert "95% CI" in output
    assert "Brier score" in output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text_columns": "title,summary"}, "no column 'summary'"),
        ({"label_column": "decision"}, "no column 'decision'"),
        ({"train_labels": ["yes", "no"]}, "must be 0 or 1, found 'yes'"),
        ({"train_labels": ["1", "1"]}, "only one class"),
        ({"test_labels": ["0", "0"]}, "only one class"),
        ({"train": "missing.csv"}, "Cannot read"),
        ({"text_columns": " , "}, "at least one column"),
    ],
)
def test_relevance_eval_explains_bad_input(tmp_path, files, change, message):
    train, test = files

    def relabel(path: Path, labels: list[str]) -> Path:
        rows = list(csv.reader(path.open(encoding="utf-8")))
        for i, row in enumerate(rows[1:]):
            row[2] = labels[i % len(labels)]
        target = tmp_path / f"relabelled-{path.name}"
        with target.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        return target

    if "train_labels" in change:
        train = relabel(train, change["train_labels"])
    if "test_labels" in change:
        test = relabel(test, change["test_labels"])
    if "train" in change:
        train = tmp_path / change["train"]
    with pytest.raises(CommandError, match=message):
        run(
            "--train", str(train), "--test", str(test),
            "--text-columns", change.get("text_columns", "title,abstract"),
            "--label-column", change.get("label_column", "accepted"),
        )  # fmt: skip


def test_relevance_eval_exits_non_zero_with_the_error_on_stderr_only(tmp_path, files):
    train, _ = files
    single = write_csv(tmp_path / "single.csv", 10, seed=3)
    rows = list(csv.reader(single.open(encoding="utf-8")))
    with single.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([rows[0]] + [[*r[:2], "1"] for r in rows[1:]])
    completed = subprocess.run(
        [
            sys.executable, "manage.py", "relevance_eval", "--train", str(train),
            "--test", str(single), "--text-columns", "title,abstract",
            "--label-column", "accepted", "--format", "json",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert completed.stdout == ""
    assert "only one class" in completed.stderr
