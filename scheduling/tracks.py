"""Sort accepted proposals into tracks (pure: no Django).

Talks and demos go to the talk track. Workshops are split between the workshop tracks so that
each track has a coherent theme and a fair share of the load: proposals are compared by their
topics and by the wording of their title and text (TF-IDF cosine similarity), and the split
maximises the total similarity within tracks while each track gets a fixed number of
workshops, proportional to its capacity. Every automatic assignment comes with a sentence
saying why, so a chair can judge it and override it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

FORMAT_NAMES = {"talk": "talks and demos", "workshop": "workshops"}
FORMAT_NAME = {"talk": "talk or demo", "workshop": "workshop"}


@dataclasses.dataclass(frozen=True)
class TrackInfo:
    id: str
    name: str
    format: str
    capacity: int | None = None  # sessions it can hold, from its rooms' time windows


@dataclasses.dataclass(frozen=True)
class ProposalInfo:
    id: str
    title: str
    format: str
    text: str  # abstract and outline
    topics: frozenset[str] = frozenset()
    fixed_track: str | None = None  # set by a chair: kept, and counted in the track's load


@dataclasses.dataclass(frozen=True)
class TrackAssignment:
    proposal: str
    track: str | None
    reason: str
    automatic: bool


def proposals_assign_tracks(
    proposals: Sequence[ProposalInfo],
    tracks: Sequence[TrackInfo],
    *,
    topic_weight: float = 0.5,
) -> list[TrackAssignment]:
    """One assignment per proposal, in the order given.

    ``topic_weight`` is the share of the similarity that comes from shared topics; the rest
    comes from the text.
    """
    if not 0 <= topic_weight <= 1:
        raise ValueError("topic_weight must lie between 0 and 1.")
    track_ids = {t.id for t in tracks}
    for proposal in proposals:
        if proposal.fixed_track is not None and proposal.fixed_track not in track_ids:
            raise ValueError(f"“{proposal.title}” is fixed to an unknown track.")
    result: dict[str, TrackAssignment] = {}
    for expo_format in sorted({p.format for p in proposals}):
        group = sorted((p for p in proposals if p.format == expo_format), key=lambda p: p.id)
        candidates = [t for t in tracks if t.format == expo_format]
        for assignment in _assign_format(group, candidates, expo_format, topic_weight):
            result[assignment.proposal] = assignment
    return [result[p.id] for p in proposals]


def _assign_format(
    group: list[ProposalInfo],
    tracks: list[TrackInfo],
    expo_format: str,
    topic_weight: float,
) -> list[TrackAssignment]:
    label = FORMAT_NAMES.get(expo_format, expo_format)
    fixed = [
        TrackAssignment(p.id, p.fixed_track, "Chosen by a chair.", automatic=False)
        for p in group
        if p.fixed_track is not None
    ]
    free = [p for p in group if p.fixed_track is None]
    if not tracks:
        return fixed + [
            TrackAssignment(
                p.id, None, f"No track takes {label} yet: create one first.", automatic=True
            )
            for p in free
        ]
    if len(tracks) == 1:
        only = tracks[0]
        reason = f"All {label} go to {only.name}, the only track for them."
        return fixed + [TrackAssignment(p.id, only.id, reason, automatic=True) for p in free]
    if not free:
        return fixed

    similarity, vectorizer_terms, tfidf = _similarity(group, topic_weight)
    position = {t.id: k for k, t in enumerate(tracks)}
    targets = _targets(group, tracks)
    members: list[list[int]] = [[] for _ in tracks]
    is_free = [p.fixed_track is None for p in group]
    for i, proposal in enumerate(group):
        if proposal.fixed_track is not None:
            members[position[proposal.fixed_track]].append(i)
    _greedy(members, targets, is_free, similarity)
    _improve_by_swaps(members, is_free, similarity)

    track_of = {i: k for k, ms in enumerate(members) for i in ms}
    themes = [_theme(group, ms, vectorizer_terms, tfidf) for ms in members]
    assignments = list(fixed)
    for i, proposal in enumerate(group):
        if not is_free[i]:
            continue
        k = track_of[i]
        assignments.append(
            TrackAssignment(
                proposal.id,
                tracks[k].id,
                _reason(i, k, group, tracks, members, targets, themes, similarity, label),
                automatic=True,
            )
        )
    return assignments


def _similarity(
    group: list[ProposalInfo], topic_weight: float
) -> tuple[NDArray[np.float64], list[str], NDArray[np.float64]]:
    """Pairwise similarity in [0, 1]: weighted topic cosine plus TF-IDF text cosine."""
    n = len(group)
    topics = sorted({t for p in group for t in p.topics})
    topic_matrix = np.zeros((n, len(topics)))
    for i, proposal in enumerate(group):
        for topic in proposal.topics:
            topic_matrix[i, topics.index(topic)] = 1.0
    topic_sim = _cosine(topic_matrix)
    documents = [f"{p.title}. {p.title}. {p.text}" for p in group]  # the title counts double
    try:
        vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
        tfidf = np.asarray(vectorizer.fit_transform(documents).todense())
        terms = list(vectorizer.get_feature_names_out())
    except ValueError:  # no words left after removing stop words
        tfidf, terms = np.zeros((n, 0)), []
    text_sim = _cosine(tfidf)
    similarity = topic_weight * topic_sim + (1 - topic_weight) * text_sim
    np.fill_diagonal(similarity, 0.0)
    return similarity, terms, tfidf


def _cosine(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    norms = np.linalg.norm(matrix, axis=1)
    norms[norms == 0] = 1.0
    unit = matrix / norms[:, None]
    return np.asarray(unit @ unit.T, dtype=np.float64)


def _targets(group: list[ProposalInfo], tracks: list[TrackInfo]) -> list[int]:
    """How many proposals each track gets: proportional to capacity (largest remainder),
    equal when a capacity is unknown, and never fewer than the chairs fixed there."""
    n = len(group)
    capacities = [t.capacity for t in tracks]
    if all(c is not None and c > 0 for c in capacities):
        weights = [float(c) for c in capacities if c is not None]
    else:
        weights = [1.0] * len(tracks)
    shares = [n * w / sum(weights) for w in weights]
    targets = [int(s) for s in shares]
    by_remainder = sorted(range(len(tracks)), key=lambda k: (-(shares[k] - targets[k]), k))
    for k in by_remainder[: n - sum(targets)]:
        targets[k] += 1
    fixed = Counter(p.fixed_track for p in group if p.fixed_track is not None)
    minimum = [fixed.get(t.id, 0) for t in tracks]
    # Raise tracks below their fixed count, taking the difference from tracks with room.
    for k in range(len(tracks)):
        while targets[k] < minimum[k]:
            donor = max(
                (j for j in range(len(tracks)) if targets[j] > minimum[j]),
                key=lambda j: (targets[j] - minimum[j], -j),
            )
            targets[donor] -= 1
            targets[k] += 1
    return targets


def _affinity(i: int, members: list[int], similarity: NDArray[np.float64]) -> float:
    others = [m for m in members if m != i]
    return float(similarity[i, others].mean()) if others else 0.0


def _greedy(
    members: list[list[int]],
    targets: list[int],
    is_free: list[bool],
    similarity: NDArray[np.float64],
) -> None:
    """Seed empty tracks with mutually dissimilar proposals, then place the most clear-cut
    proposals first, each in the track it resembles most that still has room."""
    unplaced = [i for i, free in enumerate(is_free) if free]
    for k in range(len(members)):
        if members[k] or targets[k] == 0 or not unplaced:
            continue
        seeded = [i for ms in members for i in ms]
        if seeded:
            seed = min(unplaced, key=lambda i: (float(similarity[i, seeded].max()), i))
        else:
            seed = max(unplaced, key=lambda i: (float(similarity[i].sum()), -i))
        members[k].append(seed)
        unplaced.remove(seed)
    while unplaced:
        open_tracks = [k for k in range(len(members)) if len(members[k]) < targets[k]]

        def decisiveness(i: int, open_tracks: list[int] = open_tracks) -> tuple[float, int]:
            scores = sorted(
                (_affinity(i, members[k], similarity) for k in open_tracks), reverse=True
            )
            margin = scores[0] - scores[1] if len(scores) > 1 else scores[0]
            return (margin, -i)

        i = max(unplaced, key=decisiveness)
        k = max(open_tracks, key=lambda k: (_affinity(i, members[k], similarity), -k))
        members[k].append(i)
        unplaced.remove(i)


def _improve_by_swaps(
    members: list[list[int]], is_free: list[bool], similarity: NDArray[np.float64]
) -> None:
    """Swap pairs of free proposals between tracks while that raises the total similarity
    within tracks (Kernighan–Lin style, best swap first); swaps keep every track's load."""
    n = len(is_free)
    for _ in range(n * n):
        track_of = {i: k for k, ms in enumerate(members) for i in ms}
        sums = np.zeros((n, len(members)))
        for k, ms in enumerate(members):
            if ms:
                sums[:, k] = similarity[:, ms].sum(axis=1)
        best_gain, best = 1e-12, None
        for i in range(n):
            if not is_free[i]:
                continue
            a = track_of[i]
            for j in range(i + 1, n):
                b = track_of[j]
                if not is_free[j] or a == b:
                    continue
                gain = sums[i, b] - sums[i, a] + sums[j, a] - sums[j, b] - 2 * similarity[i, j]
                if gain > best_gain:
                    best_gain, best = gain, (i, j, a, b)
        if best is None:
            return
        i, j, a, b = best
        members[a].remove(i)
        members[b].remove(j)
        members[a].append(j)
        members[b].append(i)


@dataclasses.dataclass(frozen=True)
class _Theme:
    topics: tuple[str, ...]
    terms: tuple[str, ...]

    def text(self) -> str:
        words = ", ".join(f"“{t}”" for t in self.terms)
        if self.topics:
            return f"whose theme is {' and '.join(self.topics)}" + (f" ({words})" if words else "")
        if words:
            return f"whose most telling words are {words}"
        return "which has no common theme yet"


def _theme(
    group: list[ProposalInfo],
    members: list[int],
    terms: list[str],
    tfidf: NDArray[np.float64],
) -> _Theme:
    counts = Counter(t for i in members for t in group[i].topics)
    top_topics = tuple(
        t for t, c in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))[:2] if c > 1
    )
    top_terms: tuple[str, ...] = ()
    if members and terms:
        centroid = tfidf[members].mean(axis=0)
        order = np.argsort(-centroid, kind="stable")[:3]
        top_terms = tuple(terms[k] for k in order if centroid[k] > 0)
    return _Theme(top_topics, top_terms)


def _reason(
    i: int,
    k: int,
    group: list[ProposalInfo],
    tracks: list[TrackInfo],
    members: list[list[int]],
    targets: list[int],
    themes: list[_Theme],
    similarity: NDArray[np.float64],
    label: str,
) -> str:
    here = _affinity(i, members[k], similarity)
    others = [(_affinity(i, members[j], similarity), j) for j in range(len(tracks)) if j != k]
    best_other, j = max(others, key=lambda sj: (sj[0], -sj[1]))
    shared = sorted(set(group[i].topics) & set(themes[k].topics))
    companions = len(members[k]) - 1
    one = FORMAT_NAME.get(group[i].format, group[i].format)
    if max(here, best_other) < 0.01:
        return (
            f"Shares no topic and hardly any wording with the other {label}; placed in "
            f"{tracks[k].name} to balance the load."
        )
    if here > best_other + 0.005:
        others_text = f"{companions} other {one if companions == 1 else label}"
        shares = f"it shares the topic {' and '.join(shared)}, and " if shared else ""
        return (
            f"Grouped with {others_text} in {tracks[k].name}, {themes[k].text()}: {shares}"
            f"it is more similar to them ({here:.2f}) than to {tracks[j].name} "
            f"({best_other:.2f})."
        )
    if best_other > here + 0.005:
        return (
            f"Closer to {tracks[j].name} ({best_other:.2f}) than to {tracks[k].name} "
            f"({here:.2f}), but {tracks[j].name} already has its share of {targets[j]} "
            f"{label}; placed in {tracks[k].name} to balance the load."
        )
    return (
        f"About as close to {tracks[k].name} ({here:.2f}) as to {tracks[j].name} "
        f"({best_other:.2f}); placed in {tracks[k].name} to balance the load."
    )
