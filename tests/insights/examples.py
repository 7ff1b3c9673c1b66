"""Sentences for the insights tests, kept apart from the training data in insights/data.

SALES: hand-written for these tests (never trained on; a test checks they are not in the
training files). RESEARCH_CLAIMS: phrases a real abstract uses that must not count as sales
copy; the real sentences come from the held-out part of data/iclr2017 at test time.
"""

import csv

from insights.sentence_model import ICLR_SUBMISSIONS, iclr_part
from insights.sentences import split_sentences

SALES = [
    "Kite Analytics is the market-leading observability suite for machine learning teams.",
    "Grab a free trial of our labelling tool at the booth and keep your models honest.",
    "Our clients cut their annotation budget in half within a quarter.",
    "Call us today to find out how Lumo can transform your supply chain.",
    "The Lumo engine is simply the smartest way to run inference at scale.",
    "Packages start at 199 dollars a month for small teams.",
    "Thousands of developers already build on Kite, and you can too.",
    "Don't miss this chance to see the future of search before anyone else.",
    "Our unparalleled customer support team is ready around the clock.",
    "With Lumo, your business gets answers instead of dashboards.",
    "Kite is trusted by top insurers to automate claims end to end.",
    "Request a personalised demo and discover what Lumo can do for your company.",
    "This talk unveils the exciting features of the new Kite release.",
    "Our award-winning assistant makes every analyst ten times more productive.",
    "Stop wasting time on manual reports and let Kite do the work for you.",
    "Lumo offers an effortless onboarding experience for busy teams.",
]

RESEARCH_CLAIMS = ("state-of-the-art", "state of the art", "outperform", "significantly better")


def heldout_iclr_sentences() -> list[str]:
    with ICLR_SUBMISSIONS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        sentence.text
        for row in rows
        if row["PID"] and iclr_part(row["PID"]) == "heldout"
        for sentence in split_sentences(row["Abstract"] or "")
        if len(sentence.text) >= 20
    ]


def heldout_iclr_abstract_with_claims() -> str:
    """The first held-out real abstract that says both "state-of-the-art" and "outperform"."""
    with ICLR_SUBMISSIONS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            abstract = row["Abstract"] or ""
            if (
                iclr_part(row["PID"]) == "heldout"
                and "state-of-the-art" in abstract
                and "outperform" in abstract
                and len(abstract) < 3000
            ):
                return abstract.strip()
    raise AssertionError("no such abstract")
