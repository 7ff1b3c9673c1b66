"""Data for the relevance pages' tests: a conference with an active version and a shadow,
its people (cochair, cochair elsewhere, sponsor, admin), and decisions after scoring."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal, ProposalState
from ranking.models import RelevanceModel
from ranking.services import (
    proposal_score,
    relevance_model_promote,
    relevance_model_shadow_start,
    relevance_model_train,
)
from reviews.models import Decision
from tests.factories import (
    AdminFactory,
    ChairFactory,
    ConferenceFactory,
    MembershipFactory,
    ProposalFactory,
)
from tests.ranking.relevance_helpers import abstract, decided_proposals, past_conference

OUTCOME = {ProposalState.ACCEPTED: "accept", ProposalState.REJECTED: "reject"}


@dataclass
class World:
    conference: Conference
    active: RelevanceModel
    admin: User
    chair: User
    other_chair: User
    sponsor: User


def world(*, shadow: bool = True) -> World:
    decided_proposals(past_conference(), n=40)
    conference = ConferenceFactory()
    admin = AdminFactory()
    active = relevance_model_promote(model=relevance_model_train(conference=conference))
    if shadow:
        candidate = relevance_model_train(conference=conference, seed=1)
        relevance_model_shadow_start(model=candidate, by=admin)
    elsewhere = ConferenceFactory()
    return World(
        conference=conference,
        active=active,
        admin=admin,
        chair=ChairFactory(conference=conference).user,
        other_chair=ChairFactory(conference=elsewhere).user,
        sponsor=MembershipFactory().user,
    )


def submitted(conference: Conference, n: int, *, seed: int = 5, **fields: object) -> list[Proposal]:
    rng = np.random.default_rng(seed)
    fields.setdefault("sponsor_tier", "gold")
    fields.setdefault("sponsor_region", "europe")
    fields.setdefault("first_time_sponsor", False)
    return [
        ProposalFactory(
            conference=conference,
            state=ProposalState.SUBMITTED,
            abstract=abstract(rng, accepted=i % 2 == 0),
            speakers=0,
            **fields,
        )
        for i in range(n)
    ]


def scored_and_decided(conference: Conference, n: int, *, seed: int = 5) -> list[Proposal]:
    """``n`` proposals scored by every running version, then decided an hour later (the
    generated text predicts the decision, as in the training data)."""
    proposals = submitted(conference, n, seed=seed)
    for proposal in proposals:
        proposal_score(proposal_id=proposal.pk)
    later = timezone.now() + dt.timedelta(hours=1)
    for i, proposal in enumerate(proposals):
        decide(proposal, ProposalState.ACCEPTED if i % 2 == 0 else ProposalState.REJECTED, at=later)
    return proposals


def decide(proposal: Proposal, state: str, *, at: dt.datetime) -> None:
    proposal.state = state
    proposal.save(update_fields=["state"])
    Decision.objects.create(
        proposal=proposal, outcome=OUTCOME[state], rationale="Thank you.", decided_at=at
    )
