"""Template tags of the relevance model: the review page panel and number formatting."""

from typing import Any

from django import template

from expo.proposals.models import Proposal
from ranking.selectors import review_panel

register = template.Library()


@register.inclusion_tag("ranking/includes/_review_panel.html", takes_context=True)
def relevance_review_panel(context: template.Context, proposal: Proposal) -> dict[str, Any]:
    """The relevance panel for the page's user; renders nothing for those who may not see it."""
    user = context.get("user")
    if user is None and context.get("request") is not None:
        user = context["request"].user
    return {"panel": review_panel(proposal=proposal, user=user) if user is not None else None}


@register.filter
def signed(value: float | None, digits: int = 3) -> str:
    """``+0.031`` / ``−0.012`` (a real minus sign); an em dash for no value."""
    if value is None:
        return "—"
    text = f"{float(value):+.{int(digits)}f}"
    return text.replace("-", "−")
