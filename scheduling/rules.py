"""Scheduling permissions: one table that the pages, the grid's partial updates and the
sponsor's availability page all ask.

Admins (superusers) run the schedule: rooms, tracks, solving, editing, publishing. Cochairs of
the conference may look at every scheduling page, and move a proposal they are not conflicted
with to another track (with a reason); otherwise they change nothing. Sponsors state their
speakers' unavailability and their timing wishes for their own organisation's proposals.
The public schedule needs no permission: it shows only published versions.
"""

from typing import Any

import rules

from expo.proposals.models import Proposal, ProposalState
from expo.rules import is_admin, is_conference_chair, is_proposal_sponsor

# ``may`` asks the rules table itself (``user.has_perm`` says yes to anything for a superuser);
# one implementation for reviews and scheduling.
from reviews.rules import chairs_proposal_conference, is_conflicted
from reviews.rules import may as may

# A sponsor may still state availability while the proposal can end up on the schedule.
AVAILABILITY_STATES = frozenset(
    {
        ProposalState.DRAFT,
        ProposalState.SUBMITTED,
        ProposalState.UNDER_REVIEW,
        ProposalState.WAITLISTED,
        ProposalState.ACCEPTED,
    }
)


@rules.predicate
def proposal_may_be_scheduled(_user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.state in AVAILABILITY_STATES


# The object is the conference.
rules.add_perm("scheduling.view_schedule_admin", is_admin | is_conference_chair)
rules.add_perm("scheduling.manage_schedule", is_admin)
# The object is the proposal.
rules.add_perm("scheduling.assign_track", is_admin | (chairs_proposal_conference & ~is_conflicted))
rules.add_perm("scheduling.view_availability", is_proposal_sponsor | is_admin)
rules.add_perm(
    "scheduling.change_availability",
    (is_proposal_sponsor | is_admin) & proposal_may_be_scheduled,
)
