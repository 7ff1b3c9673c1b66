"""`manage.py slice_report`: the JSON contract, the other formats and the errors."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]


def _decisions_csv(tmp_path: Path) -> Path:
    rows = ["accepted,region,tier,format,score"]
    # 60 proposals from "NA" (North America) and 60 from "None" (a company literally so named)
    # and 20 with an empty region; "NA" accepted far less.
    for i in range(60):
        rows.append(f"{1 if i % 6 == 0 else 0},NA,gold,{'talk' if i % 2 else 'demo'},{i / 60:.3f}")
        rows.append(f"{1 if i % 2 == 0 else 0},None,startup,{'talk' if i % 2 else 'demo'},0.5")
    for i in range(20):
        rows.append(f"{i % 2},,gold,talk,0.25")
    path = tmp_path / "decisions.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("slice_report", *args, stdout=out)
    return out.getvalue()


def test_slice_report_json_follows_the_contract(tmp_path):
    path = _decisions_csv(tmp_path)
    output = _run("--input", str(path), "--outcome", "accepted", "--slice", "region", "--format",
                  "json")  # fmt: skip

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    payload = json.loads(output, parse_constant=refuse)
    assert payload["overall"]["n"] == 140
    assert payload["overall"]["positives"] == 10 + 30 + 10
    assert payload["overall"]["rate"] == pytest.approx(50 / 140)
    by_value = {s["value"]: s for s in payload["slices"]}
    assert set(by_value) == {"NA", "None", "(missing)"}
    na = by_value["NA"]
    assert na["attribute"] == "region"
    assert (na["n"], na["positives"]) == (60, 10)
    assert na["rate"] == pytest.approx(10 / 60)
    assert na["ci_low"] < na["rate"] < na["ci_high"]
    assert na["odds_ratio"] < 1
    assert na["or_ci_low"] < na["odds_ratio"] < na["or_ci_high"]
    assert 0 <= na["p_value"] <= na["q_value"] <= 1
    assert na["level"] == "alert"
    assert na["flagged"] is True
    assert by_value["(missing)"]["n"] == 20


def test_slice_report_stratified_json_uses_mantel_haenszel(tmp_path):
    rng = np.random.default_rng(0)
    n = 800
    fmt = rng.choice(["talk", "workshop"], n)
    score = rng.random(n)
    region = rng.choice(["NA", "EU", "APAC"], n)
    accepted = rng.random(n) < np.where(fmt == "talk", 0.5, 0.2) + 0.3 * (score - 0.5)
    path = tmp_path / "decisions.csv"
    lines = ["accepted,region,format,score"] + [
        f"{int(a)},{r},{f},{s:.4f}" for a, r, f, s in zip(accepted, region, fmt, score, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = _run("--input", str(path), "--outcome", "accepted", "--slice", "region",
                  "--stratify", "format", "--score", "score")  # fmt: skip
    payload = json.loads(output)
    assert {s["method"] for s in payload["slices"]} == {"cmh"}
    # Two formats x five score quintiles.
    assert {s["strata_used"] for s in payload["slices"]} == {10}
    assert payload["settings"]["strata"] == ["format"]
    assert payload["settings"]["score"] == "score"


def test_slice_report_csv_has_the_contract_columns(tmp_path):
    path = _decisions_csv(tmp_path)
    output = _run("--input", str(path), "--outcome", "accepted", "--slice", "region", "--format",
                  "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [r["value"] for r in rows] == ["NA", "None", "(missing)"]
    assert rows[0]["flagged"] == "true"
    assert rows[0]["n"] == "60"


def test_slice_report_text_names_the_flag(tmp_path):
    path = _decisions_csv(tmp_path)
    output = _run("--input", str(path), "--outcome", "accepted", "--slice", "region", "--format",
                  "text")  # fmt: skip
    assert output.startswith("Overall: 50 of 140 accepted")
    assert "[alert] region = NA: 17% accepted (n = 60)" in output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("accepted,region\n1,EU\n", ["--slice", "tier"], "missing column(s): 'tier'"),
        ("accepted,region\n1,EU\n", ["--slice", "region", "--stratify", "format"],
         "missing column(s): 'format'"),
        ("accepted,region\nyes,EU\n", ["--slice", "region"], "must hold 0 or 1; found 'yes'"),
        ("accepted,region\n2,EU\n", ["--slice", "region"], "must hold 0 or 1; found '2'"),
        ("", ["--slice", "region"], "the file is empty"),
        ("accepted,region\n", ["--slice", "region"], "header but no rows"),
        ("accepted,region,score\n1,EU,high\n", ["--slice", "region", "--score", "score"],
         "column 'score' must be numeric; found 'high'"),
        ("accepted,region\n1,EU\n", ["--slice", "region", "--current", "2025"],
         "--current needs --edition"),
        ("accepted,region\n1,EU\n", ["--slice", "accepted"], "cannot also be a slice"),
    ],
)  # fmt: skip
def test_slice_report_bad_input_is_a_command_error(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("slice_report", "--input", str(path), "--outcome", "accepted", *args,
                     stdout=out)  # fmt: skip
    assert message in str(error.value)
    assert out.getvalue() == ""


def test_slice_report_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _run("--input", str(tmp_path / "absent.csv"), "--outcome", "accepted", "--slice", "r")


def test_slice_report_from_the_shell_exits_non_zero_with_message_on_stderr(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("accepted,region\nmaybe,EU\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "manage.py", "slice_report", "--input", str(path), "--outcome",
         "accepted", "--slice", "region"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert completed.stdout == ""
    assert "column 'accepted' must hold 0 or 1; found 'maybe'" in completed.stderr


def test_slice_report_csv_escapes_values_a_spreadsheet_would_run(tmp_path):
    rows = ["accepted,sponsor"]
    for i in range(40):
        rows.append(f'{i % 2},=HYPERLINK("http://evil.example")')
        rows.append(f"{i % 3 == 0:d},Plain Labs")
    path = tmp_path / "formula.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    output = _run("--input", str(path), "--outcome", "accepted", "--slice", "sponsor", "--format",
                  "csv")  # fmt: skip
    values = [r["value"] for r in csv.DictReader(io.StringIO(output))]
    assert '\'=HYPERLINK("http://evil.example")' in values
    assert "Plain Labs" in values
    # JSON keeps the value exactly as read: escaping is for spreadsheets only.
    data = json.loads(_run("--input", str(path), "--outcome", "accepted", "--slice", "sponsor"))
    assert '=HYPERLINK("http://evil.example")' in [s["value"] for s in data["slices"]]
