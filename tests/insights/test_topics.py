"""Relevance to the conference: topics the text matches, and ticks it does not support."""

from insights.check import (
    SUPPORT_MIN_SIMILARITY,
    ProposalText,
    TopicText,
    related_terms,
    stem,
    topic_matches,
)

TOPICS = [
    TopicText(1, "Reinforcement learning", "Sequential decision making, control, planning."),
    TopicText(2, "Computer vision", "Recognition and detection in images and video."),
    TopicText(3, "Theory", "Generalisation, expressivity and statistical foundations."),
]
VISION = ProposalText(
    title="Detecting damaged parcels in warehouse images",
    abstract="We train a detector on 40,000 labelled images from warehouse cameras and report "
    "recognition accuracy per damage type, including video from night shifts.",
    outline="1. Data\n2. Detection model\n3. Results and a live demo on video",
    ticked_topic_ids=(2, 3),
)


def by_id(matches):
    return {m.topic.id: m for m in matches}


def test_topics_ranked_by_shared_words_with_explanation():
    matches = topic_matches(VISION, TOPICS)
    assert matches[0].topic.name == "Computer vision"
    words = {t.word for t in matches[0].matched_terms}
    assert {"images", "video"} <= words
    assert matches[0].similarity > matches[1].similarity


def test_ticked_topic_without_support_is_reported():
    matches = by_id(topic_matches(VISION, TOPICS))
    assert matches[2].ticked
    assert matches[2].supported
    assert matches[3].ticked
    assert not matches[3].supported
    assert matches[3].similarity < SUPPORT_MIN_SIMILARITY or not matches[3].matched_terms
    assert not matches[1].ticked


def test_topic_matches_through_related_research_words():
    # No word of the topic's name or description, but the vocabulary of RL abstracts.
    text = ProposalText(
        abstract="An agent learns a policy that maximises reward in a simulated environment.",
        ticked_topic_ids=(1,),
    )
    assert {"policy", "reward", "agent"} <= set(related_terms("Reinforcement learning"))
    match = by_id(topic_matches(text, TOPICS))[1]
    assert match.supported
    assert all(term.related for term in match.matched_terms)


def test_british_and_american_spellings_meet():
    assert stem("generalisation") == stem("generalization")
    assert stem("images") == stem("image")
    text = ProposalText(abstract="We prove a generalization bound with statistical arguments.")
    assert by_id(topic_matches(text, TOPICS))[3].supported


def test_topic_matches_of_empty_text_and_no_topics():
    empty = topic_matches(ProposalText(ticked_topic_ids=(1,)), TOPICS)
    assert all(m.similarity == 0 and not m.supported for m in empty)
    assert topic_matches(VISION, []) == []


def test_topic_without_description_or_words():
    topics = [TopicText(7, "—", ""), TopicText(8, "Vision", "")]
    matches = by_id(topic_matches(ProposalText(abstract="Vision for robots."), topics))
    assert matches[7].similarity == 0
    assert matches[8].supported
