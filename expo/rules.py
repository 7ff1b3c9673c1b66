"""The permission table: every page, API endpoint, template and export asks these rules.

Roles (docs/roles.md): an *admin* is a superuser; a *cochair* chairs a given conference
(``ConferenceChair``); a *sponsor member* belongs to an organisation (``Membership``).
Conflict-of-interest and blind-review rules for cochairs join this table in ``reviews.rules``.
"""

from typing import Any

import rules

from expo.conferences.models import Conference, ConferenceChair
from expo.proposals.models import EDITABLE_STATES, WITHDRAWABLE_STATES, Proposal
from expo.sponsors.models import Membership, Organisation


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


@rules.predicate
def is_organisation_member(user: Any, organisation: Organisation | None) -> bool:
    if organisation is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(organisation=organisation, user=user).exists()


@rules.predicate
def is_organisation_owner(user: Any, organisation: Organisation | None) -> bool:
    if organisation is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        organisation=organisation, user=user, role=Membership.Role.OWNER
    ).exists()


@rules.predicate
def is_proposal_sponsor(user: Any, proposal: Proposal | None) -> bool:
    if proposal is None or proposal.organisation_id is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(organisation_id=proposal.organisation_id, user=user).exists()


@rules.predicate
def is_conference_chair(user: Any, conference: Conference | None) -> bool:
    if conference is None or not user.is_authenticated:
        return False
    return ConferenceChair.objects.filter(conference=conference, user=user).exists()


@rules.predicate
def proposal_text_is_editable(_user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.state in EDITABLE_STATES


@rules.predicate
def proposal_is_withdrawable(_user: Any, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.state in WITHDRAWABLE_STATES


is_authenticated = rules.is_authenticated

rules.add_perm("sponsors.add_organisation", is_authenticated)
rules.add_perm("sponsors.view_organisation", is_organisation_member | is_admin)
rules.add_perm("sponsors.invite_member", is_organisation_member | is_admin)
rules.add_perm("sponsors.change_organisation", is_organisation_owner | is_admin)
# Creating a proposal *for* an organisation: the object is the organisation.
rules.add_perm("proposals.add_proposal", is_organisation_member)
rules.add_perm("proposals.view_proposal", is_proposal_sponsor | is_admin)
# The CfP window is checked by the services, which explain the deadline to the user.
rules.add_perm("proposals.change_proposal", is_proposal_sponsor & proposal_text_is_editable)
rules.add_perm("proposals.withdraw_proposal", is_proposal_sponsor & proposal_is_withdrawable)
rules.add_perm("conferences.chair_conference", is_conference_chair | is_admin)
