"""Sentence splitting with positions, and the English test."""

from insights.sentences import looks_english, split_sentences


def test_sentences_keep_positions_into_the_field():
    text = "We propose Xnet.  It works!\n\n1. Problem\n2. Method, e.g. a GAN. Fig. 2 shows it."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "We propose Xnet.",
        "It works!",
        "1. Problem",
        "2. Method, e.g. a GAN.",
        "Fig. 2 shows it.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_sentences_do_not_split_decimals_or_initials():
    text = "Accuracy rose from 91.2 to 93.4 percent. J. Smith ran it."
    assert [s.text for s in split_sentences(text)] == [
        "Accuracy rose from 91.2 to 93.4 percent.",
        "J. Smith ran it.",
    ]


def test_sentences_of_empty_and_blank_text():
    assert split_sentences("") == []
    assert split_sentences(" \n\n\t ") == []


def test_english_text_is_recognised():
    text = (
        "We present a method for evaluating recommendation policies offline and report "
        "results on three public datasets, where it has lower variance than earlier estimators."
    )
    assert looks_english(text) is True


def test_non_english_text_is_recognised():
    german = (
        "Wir stellen eine Methode zur Bewertung von Empfehlungssystemen vor, die ohne "
        "Online-Experimente auskommt, und zeigen Ergebnisse auf drei öffentlichen Datensätzen."
    )
    french = (
        "Nous présentons une méthode pour évaluer des systèmes de recommandation sans "
        "expériences en ligne, avec des résultats sur trois jeux de données publics."
    )
    chinese = (
        "我们介绍了一种新的离线评估方法，并在三个公开数据集上进行了实验，结果表明该方法的方差更小。"
        * 2
    )
    assert looks_english(german) is False
    assert looks_english(french) is False
    assert looks_english(chinese) is False


def test_short_text_is_not_judged():
    assert looks_english("Hallo Welt") is None
    assert looks_english("") is None
