"""Who may see and change the relevance model (docs/roles.md, docs/relevance.md).

- The monitoring, version, comparison and analysis pages: the conference's cochairs and admins.
- Changing which version is active or in shadow: admins only.
- A proposal's review-page panel: whoever may open the proposal as a reviewer (not conflicted
  cochairs, admins). The *score* in it additionally waits until the cochair has submitted their
  own review — unless the proposal is decided, the conference shows scores before the review
  (``RankingSettings``), or the user is an admin who does not chair the conference (admins do
  not review, so nothing can be anchored).
Sponsors never pass any of these.
"""

from typing import Any

import rules

from expo.proposals.models import Proposal
from expo.rules import is_admin
from ranking.models import RankingSettings
from reviews.rules import (
    can_view_proposal,
    chairs_conference,
    chairs_proposal_conference,
    has_submitted_own_review,
    is_decided,
)


@rules.predicate
def scores_shown_before_review(_user: Any, proposal: Proposal | None) -> bool:
    if proposal is None:
        return False
    return RankingSettings.objects.filter(
        conference_id=proposal.conference_id, show_scores_before_own_review=True
    ).exists()


rules.add_perm("ranking.view_monitoring", chairs_conference | is_admin)
rules.add_perm("ranking.manage_models", is_admin)
rules.add_perm("ranking.view_panel", can_view_proposal)
rules.add_perm(
    "ranking.view_score",
    can_view_proposal
    & (
        (is_admin & ~chairs_proposal_conference)
        | has_submitted_own_review
        | is_decided
        | scores_shown_before_review
    ),
)
