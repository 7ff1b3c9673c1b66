"""Test data for the relevance model: a past conference whose decisions follow its words.

Accepted proposals tend to use one set of words, rejected and waitlisted ones another, with
noise — generated, not real, so that the tests know what a model should learn.
"""

import datetime as dt

import numpy as np
from django.utils import timezone

from expo.conferences.models import Conference
from expo.proposals.models import Proposal, ProposalState
from expo.sponsors.models import Region, SponsorTier
from tests.factories import ConferenceFactory, OrganisationFactory, ProposalFactory

NEUTRAL = [
    "model",
    "data",
    "learning",
    "method",
    "results",
    "training",
    "network",
    "system",
    "approach",
    "evaluation",
    "experiments",
    "dataset",
    "performance",
    "task",
    "algorithm",
]
GOOD = ["benchmark", "reproducible", "ablation", "theorem", "convergence", "baselines"]
BAD = ["synergy", "leverage", "disruptive", "marketing", "revolutionary", "seamless"]


def past_conference(*, years_ago: int = 1, slug: str | None = None) -> Conference:
    starts = timezone.now().date() - dt.timedelta(days=365 * years_ago)
    kwargs = {"starts_on": starts}
    if slug:
        kwargs["slug"] = slug
    return ConferenceFactory(**kwargs)


def abstract(rng: np.random.Generator, accepted: bool) -> str:
    words = list(rng.choice(NEUTRAL, size=20))
    own, other = (GOOD, BAD) if accepted else (BAD, GOOD)
    words += [w for w in own if rng.random() < 0.6]
    words += [w for w in other if rng.random() < 0.1]
    rng.shuffle(words)
    return " ".join(words)


def decided_proposals(conference: Conference, n: int = 40, seed: int = 0) -> list[Proposal]:
    """``n`` decided proposals: about 40% accepted, the rest rejected or waitlisted."""
    rng = np.random.default_rng(seed)
    organisations = [
        OrganisationFactory(tier=SponsorTier.GOLD, region=Region.EUROPE),
        OrganisationFactory(tier=SponsorTier.STARTUP, region=Region.ASIA),
    ]
    proposals = []
    for i in range(n):
        accepted = i % 5 in (0, 1)
        state = (
            ProposalState.ACCEPTED
            if accepted
            else (ProposalState.WAITLISTED if i % 5 == 2 else ProposalState.REJECTED)
        )
        proposals.append(
            ProposalFactory(
                conference=conference,
                organisation=organisations[i % 2],
                sponsor_tier=organisations[i % 2].tier,
                sponsor_size=organisations[i % 2].size,
                sponsor_region=organisations[i % 2].region,
                first_time_sponsor=i % 2 == 0,
                abstract=abstract(rng, accepted),
                state=state,
                speakers=0,
            )
        )
    return proposals
