import csv
import io
from decimal import Decimal

import pytest

from expo.security.csv import csv_cell_escape, csv_writer


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("https://evil.example","click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "-",
    ],
)
def test_csv_cell_escape_neutralises_formula_starts(cell):
    assert csv_cell_escape(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["Plain text", "", "a=b", "3 + 4", "-3.5", "-12", "42", 7, -7, 2.5, Decimal("-1.5")]
)
def test_csv_cell_escape_leaves_text_and_numbers_alone(cell):
    assert csv_cell_escape(cell) == cell


def test_csv_cell_escape_leaves_empty_values_alone():
    assert csv_cell_escape(None) is None
    assert csv_cell_escape(True) is True


def test_csv_writer_escapes_every_row_and_reads_back():
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(["title", "score"])
    writer.writerows([["=cmd()", -1], ["Fine, thanks", "@x"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["title", "score"], ["'=cmd()", "-1"], ["Fine, thanks", "'@x"]]
