"""Completeness and length hints."""

from insights.check import ProposalText, completeness_hints, outline_items, outline_minutes

ABSTRACT = (
    "We present a method for offline evaluation of recommendation policies from logged data. "
    "Counterfactual estimators suffer from high variance when the new policy differs from the "
    "logging policy; we combine a learned reward model with importance weights and bound the "
    "weights adaptively. On three public datasets of user logs the estimator has lower error "
    "than inverse propensity scoring and the doubly robust estimator, and its confidence "
    "intervals keep their coverage. We release the code and show when the method fails, for "
    "example when the logging policy never shows some items. Attendees will learn how to "
    "choose an estimator for their own logs."
)


def hints(**fields):
    return {h.key: h for h in completeness_hints(ProposalText(**fields), english=True)}


def test_complete_talk_has_no_open_hints():
    result = hints(
        title="Offline evaluation of recommendation policies",
        abstract=ABSTRACT,
        outline="1. Problem and data (10 min)\n2. Estimators and their variance (15 min)\n"
        "3. Results on three public logs (15 min)\n4. Live demo in a notebook (10 min)\n"
        "5. Questions (10 min)",
        format="talk",
    )
    assert {k: h.ok for k, h in result.items()} == {
        "learn": True,
        "shown": True,
        "title_length": True,
        "abstract_length": True,
        "outline_length": True,
        "timings": True,
    }
    assert result["timings"].message == "60 of 60 minutes are planned."


def test_missing_learning_outcome_and_demo_are_hinted():
    result = hints(
        title="Offline evaluation",
        abstract="We present a method. Results on public data improve over baselines.",
        outline="Method\nResults",
        format="talk",
    )
    assert not result["learn"].ok
    assert not result["shown"].ok
    assert "Demo" not in result["shown"].message.split("Missing")[0]
    assert "see running" in result["shown"].message


def test_workshop_needs_prerequisites_and_timings():
    outline = "\n".join(f"Part {i}: exercise on the dataset" for i in range(1, 7))
    result = hints(
        title="Hands-on causal inference", abstract=ABSTRACT, outline=outline, format="workshop"
    )
    assert not result["prerequisites"].ok
    assert not result["timings"].ok
    assert "240" in result["timings"].message
    fixed = hints(
        title="Hands-on causal inference",
        abstract=ABSTRACT,
        outline="Prerequisites: Python and basic statistics; bring a laptop.\n" + outline,
        format="workshop",
    )
    assert fixed["prerequisites"].ok


def test_timings_over_the_slot_are_hinted():
    outline = "1. Intro (30 min)\n2. Lab (2 h)\n3. Lab (1.5 h)\n4. Wrap-up (15 min)\n5. Q&A"
    result = hints(
        title="A long day of labs", abstract=ABSTRACT, outline=outline, format="workshop"
    )
    assert outline_minutes(outline) == 30 + 120 + 90 + 15
    assert result["timings"].message == (
        "The outline's timings add up to 255 minutes; the slot is 240."
    )


def test_lengths_against_the_format_norms():
    result = hints(title="AI", abstract="Short.", outline="One line only.", format="talk")
    assert not result["title_length"].ok
    assert "1 words" in result["title_length"].message
    assert not result["abstract_length"].ok
    assert "80–300" in result["abstract_length"].message
    assert not result["outline_length"].ok
    long = hints(title="x", abstract="word " * 400, outline="", format="talk")
    assert "Consider cutting" in long["abstract_length"].message
    assert long["outline_length"].message == "The outline is empty."


def test_outline_item_count_for_a_workshop():
    outline = "We start with theory, then code together for most of the afternoon. " * 8
    result = hints(
        title="Graph learning lab", abstract=ABSTRACT, outline=outline, format="workshop"
    )
    assert outline_items(outline) == 8
    two = "A long first part about everything we know, with many words. " * 5
    two_items = two + "\n" + two
    assert outline_items(two_items) == 2
    result = hints(
        title="Graph learning lab", abstract=ABSTRACT, outline=two_items, format="workshop"
    )
    assert not result["outline_length"].ok
    assert "2 items" in result["outline_length"].message


def test_missing_format_is_hinted():
    result = hints(title="Offline evaluation of policies", abstract=ABSTRACT, outline="x")
    assert not result["format"].ok


def test_content_hints_are_off_for_non_english_text():
    result = {
        h.key: h
        for h in completeness_hints(
            ProposalText(title="Titel", abstract="Wir zeigen", format="talk"), english=False
        )
    }
    assert "learn" not in result
    assert not result["content"].ok
    assert "English" in result["content"].message
