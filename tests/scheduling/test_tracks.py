"""Sorting proposals into tracks: themes, balance, chairs' choices, reasons."""

import random

import pytest

from scheduling.tracks import ProposalInfo, TrackInfo, proposals_assign_tracks

TRACKS = (
    TrackInfo("talks", "Talks & demos", "talk"),
    TrackInfo("ws-a", "Workshops A", "workshop"),
    TrackInfo("ws-b", "Workshops B", "workshop"),
)

VISION = [
    ("Depth from a single camera", "Monocular depth estimation for robots with a camera."),
    ("Segmenting images at scale", "Image segmentation with vision transformers on camera data."),
    ("Camera calibration by learning", "Learned camera calibration and image rectification."),
    ("Video understanding hands-on", "Action recognition in video frames and camera streams."),
]
LANGUAGE = [
    ("Serving language models", "Efficient inference for large language models and tokens."),
    ("Retrieval for question answering", "Retrieval-augmented language models answer questions."),
    ("Evaluating chat assistants", "Benchmarks for language model assistants and dialogue."),
    ("Fine-tuning with little text", "Parameter-efficient fine-tuning of language models on text."),
]


def workshop(pid: str, title: str, text: str, topics: set[str], **kw) -> ProposalInfo:
    return ProposalInfo(pid, title, "workshop", text, frozenset(topics), **kw)


def themed_workshops() -> list[ProposalInfo]:
    items = [workshop(f"v{n}", t, x, {"Vision"}) for n, (t, x) in enumerate(VISION)]
    items += [workshop(f"l{n}", t, x, {"Language"}) for n, (t, x) in enumerate(LANGUAGE)]
    random.Random(7).shuffle(items)  # themes must be found, not read off the input order
    return items


def tracks_by_proposal(assignments) -> dict[str, str | None]:
    return {a.proposal: a.track for a in assignments}


def test_workshops_split_into_two_coherent_themes_of_equal_size():
    result = tracks_by_proposal(proposals_assign_tracks(themed_workshops(), TRACKS))
    vision = {result[f"v{n}"] for n in range(4)}
    language = {result[f"l{n}"] for n in range(4)}
    assert len(vision) == 1
    assert len(language) == 1
    assert vision | language == {"ws-a", "ws-b"}


def test_text_alone_separates_themes_when_topics_are_missing():
    items = [workshop(p.id, p.title, p.text, set()) for p in themed_workshops()]  # no topics at all
    result = tracks_by_proposal(proposals_assign_tracks(items, TRACKS))
    assert len({result[f"v{n}"] for n in range(4)}) == 1
    assert len({result[f"l{n}"] for n in range(4)}) == 1


def test_one_theme_is_still_split_evenly():
    items = [workshop(f"v{n}", t, x, {"Vision"}) for n, (t, x) in enumerate(VISION)]
    items.append(workshop("v9", "More vision", "Camera images again.", {"Vision"}))
    counts = list(tracks_by_proposal(proposals_assign_tracks(items, TRACKS)).values())
    assert sorted([counts.count("ws-a"), counts.count("ws-b")]) == [2, 3]


def test_load_follows_track_capacity():
    tracks = (
        TrackInfo("ws-a", "Workshops A", "workshop", capacity=6),
        TrackInfo("ws-b", "Workshops B", "workshop", capacity=2),
    )
    counts = list(tracks_by_proposal(proposals_assign_tracks(themed_workshops(), tracks)).values())
    assert counts.count("ws-a") == 6
    assert counts.count("ws-b") == 2


def test_chairs_choice_is_kept_and_counts_towards_the_load():
    items = themed_workshops()
    items = [
        workshop(p.id, p.title, p.text, set(p.topics), fixed_track="ws-b")
        if p.id in {"v0", "l0"}
        else p
        for p in items
    ]
    assignments = proposals_assign_tracks(items, TRACKS)
    result = tracks_by_proposal(assignments)
    assert result["v0"] == "ws-b"
    assert result["l0"] == "ws-b"
    assert list(result.values()).count("ws-b") == 4
    chosen = [a for a in assignments if a.proposal in {"v0", "l0"}]
    assert all(not a.automatic and a.reason == "Chosen by a chair." for a in chosen)


def test_talks_go_to_the_talk_track_with_a_reason():
    talk = ProposalInfo("t1", "A demo", "talk", "We show a demo.", frozenset({"Vision"}))
    (assignment,) = proposals_assign_tracks([talk], TRACKS)
    assert assignment.track == "talks"
    assert assignment.automatic
    assert assignment.reason == "All talks and demos go to Talks & demos, the only track for them."


def test_reason_names_the_theme_and_the_comparison():
    assignments = proposals_assign_tracks(themed_workshops(), TRACKS)
    reason = next(a.reason for a in assignments if a.proposal == "v0")
    assert reason.startswith("Grouped with 3 other workshops in Workshops ")
    assert "whose theme is Vision" in reason
    assert "it shares the topic Vision" in reason
    assert "“camera”" in reason
    assert "more similar to them" in reason


def test_reason_says_when_balance_overrode_similarity():
    items = [workshop(f"v{n}", t, x, {"Vision"}) for n, (t, x) in enumerate(VISION)]
    items += [workshop("l0", LANGUAGE[0][0], LANGUAGE[0][1], {"Language"})]
    reasons = [a.reason for a in proposals_assign_tracks(items, TRACKS)]
    assert any("to balance the load" in r for r in reasons)


def test_assignment_does_not_depend_on_input_order():
    items = themed_workshops()
    first = tracks_by_proposal(proposals_assign_tracks(items, TRACKS))
    second = tracks_by_proposal(proposals_assign_tracks(list(reversed(items)), TRACKS))
    assert first == second


def test_result_keeps_the_input_order():
    items = themed_workshops()
    assert [a.proposal for a in proposals_assign_tracks(items, TRACKS)] == [p.id for p in items]


def test_missing_workshop_track_is_said_not_guessed():
    tracks = (TRACKS[0],)
    (assignment,) = proposals_assign_tracks(themed_workshops()[:1], tracks)
    assert assignment.track is None
    assert "No track takes workshops yet" in assignment.reason


def test_texts_of_only_stop_words_do_not_break_the_split():
    items = [workshop(f"w{n}", "The", "and the of", set()) for n in range(4)]
    counts = list(tracks_by_proposal(proposals_assign_tracks(items, TRACKS)).values())
    assert sorted(counts) == ["ws-a", "ws-a", "ws-b", "ws-b"]


def test_fixed_to_unknown_track_is_rejected():
    item = workshop("w", "T", "x", set(), fixed_track="nope")
    with pytest.raises(ValueError, match="unknown track"):
        proposals_assign_tracks([item], TRACKS)
