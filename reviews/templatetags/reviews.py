"""Template tags for other apps' pages: ``{% load reviews %}{% sponsor_feedback proposal %}``."""

from typing import Any

from django import template

from expo.proposals.models import Proposal
from reviews.selectors import public_feedback_for_sponsor

register = template.Library()


@register.inclusion_tag("reviews/includes/sponsor_feedback.html")
def sponsor_feedback(proposal: Proposal) -> dict[str, Any]:
    """The decision and public rationales for the sponsor's proposal page (nothing while
    undecided). The caller must already have checked that the user is the proposal's sponsor."""
    return {"feedback": public_feedback_for_sponsor(proposal=proposal)}
