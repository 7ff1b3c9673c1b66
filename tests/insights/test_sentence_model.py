"""The sentence model: flags sales copy it was not trained on, not real research sentences."""

import subprocess
import sys
from pathlib import Path

from insights.lexicon import lexicon_hits
from insights.sentence_model import (
    MARKETING_SENTENCES,
    RESEARCH_SENTENCES,
    iclr_part,
    normalise,
    read_hand_written,
    sales_copy_model,
    training_sentences,
)
from tests.insights.examples import (
    RESEARCH_CLAIMS,
    SALES,
    heldout_iclr_sentences,
)


def test_sentence_model_test_examples_are_not_training_data():
    trained = {s.text.lower() for s in training_sentences()}
    assert not {s.lower() for s in SALES} & trained
    assert not set(heldout_iclr_sentences()) & {s.text for s in training_sentences()}


def test_sentence_model_flags_unseen_sales_copy():
    verdicts = sales_copy_model().model.verdicts(SALES)
    by_model = [s for s, v in zip(SALES, verdicts, strict=True) if v.fired]
    by_either = [s for s, v in zip(SALES, verdicts, strict=True) if v.fired or lexicon_hits(s)]
    assert len(by_model) >= 10
    assert len(by_either) >= 14
    # The model is there for what the lexicon has no rule for.
    assert [s for s in by_model if not lexicon_hits(s)]


def test_sentence_model_does_not_flag_real_sentences_with_research_claims():
    claims = [s for s in heldout_iclr_sentences() if any(c in s.lower() for c in RESEARCH_CLAIMS)]
    verdicts = sales_copy_model().model.verdicts(claims)
    assert [s for s, v in zip(claims, verdicts, strict=True) if v.fired] == []


def test_sentence_model_flags_under_half_a_percent_of_real_abstract_sentences():
    sentences = heldout_iclr_sentences()
    verdicts = sales_copy_model().model.verdicts(sentences)
    assert len(sentences) > 1500
    assert sum(v.fired for v in verdicts) / len(sentences) < 0.005


def test_sentence_model_explains_with_words_of_the_sentence():
    sentence = "Book a personalised demo with our sales team and save 30% on your first year."
    (verdict,) = sales_copy_model().model.verdicts([sentence])
    assert verdict.fired
    assert verdict.p >= sales_copy_model().model.threshold
    assert verdict.terms
    words = normalise(sentence)
    for term in verdict.terms:
        assert term in words


def test_sentence_model_leaves_short_sentences_to_the_lexicon():
    (verdict,) = sales_copy_model().model.verdicts(["Our platform."])
    assert not verdict.fired
    assert not verdict.applies


def test_sentence_model_training_data_is_labelled_and_sourced():
    sales = read_hand_written(MARKETING_SENTENCES, label=1)
    research = read_hand_written(RESEARCH_SENTENCES, label=0)
    assert len(sales) >= 150
    assert len(research) >= 100
    assert all(s.source.startswith("hand-written") for s in sales + research)
    iclr = [s for s in training_sentences() if s.source.startswith("iclr2017")]
    assert iclr
    assert all(s.label == 0 for s in iclr)
    assert all(iclr_part(s.source.split()[1]) == "train" for s in iclr)


def test_sentence_model_split_puts_each_paper_on_one_side():
    parts = {iclr_part(pid) for pid in ("HJWHIKqgl", "SyK00v5xx")}
    assert parts <= {"train", "heldout"}
    assert iclr_part("HJWHIKqgl") == iclr_part("HJWHIKqgl")


def test_check_imports_without_django():
    code = (
        "import sys; import insights.check; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=root)
