"""The sales-copy lexicon: each category fires on sales copy and stays quiet on research."""

import re
import time

import pytest

from insights.lexicon import CATEGORIES, RULES, lexicon_hits
from tests.insights.examples import RESEARCH_CLAIMS, heldout_iclr_sentences


def rules_fired(sentence):
    return {hit.rule for hit in lexicon_hits(sentence)}


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Acme is the industry-leading platform for labelling.", "industry-leading"),
        ("A best-in-class feature store.", "best-in-class"),
        ("The world's first self-driving database.", "world's first"),
        ("Our revolutionary engine ships next week.", "revolutionary"),
        ("It integrates seamlessly with every cloud.", "seamless"),
        ("Pricing starts at $49 per seat.", "price amount"),
        ("Pricing starts at $49 per seat.", "pricing plan"),
        ("Start your free trial in minutes.", "free trial"),
        ("Contact us for a quote.", "contact us"),
        ("Book a demo at the Expo.", "book a demo"),
        ("Visit our booth to see it live.", "visit our booth"),
        ("Our customers love the dashboards.", "our product or customers"),
        ("Trusted by over 500 enterprises.", "trusted by"),
        ("It will boost revenue for your business.", "your business"),
        ("It will boost revenue for your business.", "business value"),
        ("Don't miss the launch.", "don't miss"),
    ],
)
def test_lexicon_rule_fires_on_sales_phrase(sentence, rule):
    assert rule in rules_fired(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Our method achieves state-of-the-art results on ImageNet and COCO.",
        "We are close to the state of the art on three of four tasks.",
        "The model outperforms all baselines by 2.3 points of BLEU.",
        "Accuracy is significantly better than with dropout (p < 0.01).",
        "A L-RNN module can be seamlessly inserted into any convolutional layer.",
        "Neural GPUs fail at $2 \\times 2$ multiplication with long carries.",
        "The bound is $1/\\sqrt{n}$ for $2$-layer networks.",
        "We describe our product search, a two-tower retrieval model.",
        "Our platform team measured retraining costs against accuracy gains.",
        "We learn a pricing policy for electricity markets from logged bids.",
        "Adversarial noise disrupts the classifier's predictions.",
        "Prerequisites: Python, NumPy and basic probability; bring a laptop.",
    ],
)
def test_lexicon_is_quiet_on_research_language(sentence):
    assert rules_fired(sentence) == set()


def test_lexicon_is_quiet_on_real_abstract_sentences_with_research_claims():
    claims = [s for s in heldout_iclr_sentences() if any(c in s.lower() for c in RESEARCH_CLAIMS)]
    assert len(claims) > 50
    assert [s for s in claims if lexicon_hits(s)] == []


def test_lexicon_flags_few_real_abstract_sentences():
    sentences = heldout_iclr_sentences()
    flagged = [s for s in sentences if lexicon_hits(s)]
    assert len(flagged) / len(sentences) < 0.005


def test_lexicon_hit_positions_quote_the_phrase():
    sentence = "Meet Acme: the best-in-class, industry-leading suite."
    hits = lexicon_hits(sentence)
    assert [sentence[h.start : h.end] for h in hits] == ["best-in-class", "industry-leading"]
    assert [h.phrase for h in hits] == ["best-in-class", "industry-leading"]


def test_lexicon_every_rule_has_an_explained_category():
    assert len({rule.key for rule in RULES}) == len(RULES)
    for rule in RULES:
        category = CATEGORIES[rule.category]
        assert category.label
        assert len(category.why) > 40
        assert category.instead


def test_lexicon_is_case_insensitive():
    assert "book a demo" in rules_fired("BOOK A DEMO TODAY")


def test_lexicon_runs_in_linear_time_on_hostile_input():
    hostile = ("best " * 2000) + ("$1,000," * 2000) + ("our " * 2000) + "x" * 20000
    started = time.perf_counter()
    lexicon_hits(hostile)
    # Catastrophic backtracking would take minutes; linear matching takes milliseconds.
    assert time.perf_counter() - started < 1.0
    assert all(isinstance(rule.pattern, re.Pattern) for rule in RULES)
