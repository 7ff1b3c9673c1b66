"""`manage.py insights_eval`: refuses bad flags; prints the evaluation table."""

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize(
    "flags",
    [["--threshold", "1.5"], ["--threshold", "0"], ["--c", "-1"], ["--folds", "1"]],
)
def test_insights_eval_refuses_bad_flags(flags, capsys):
    with pytest.raises(CommandError):
        call_command("insights_eval", *flags, "--skip-topics")
    assert capsys.readouterr().out == ""


def test_insights_eval_prints_cross_validation_and_heldout_rates(capsys):
    call_command("insights_eval", "--folds", "2", "--skip-topics")
    out = capsys.readouterr().out
    assert "| C | threshold | CV AUC |" in out
    row = next(line for line in out.splitlines() if line.startswith("| 10 | 0.60 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert 0.5 < float(cells[2]) <= 1  # cross-validated AUC
    flagged, heldout = (int(n) for n in cells[6].split("/"))  # by the model / held-out
    assert heldout > 1500
    assert flagged / heldout < 0.01
    assert "sales sentences" in out
