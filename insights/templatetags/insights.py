"""``{% insights_panel form conference %}``: the proposal check panel, rendered on page load.

The panel works without JavaScript: the form page shows the check of the text it was opened
(or re-displayed) with; static/js/insights.js then keeps it up to date while the sponsor types.
"""

from typing import Any

from django import forms, template
from django.template.context import Context

from expo.conferences.models import Conference
from insights.check import check_proposal
from insights.inputs import proposal_text_from_form
from insights.selectors import topics_for_check

register = template.Library()


@register.inclusion_tag("insights/panel.html", takes_context=True)
def insights_panel(
    context: Context, form: forms.BaseForm, conference: Conference
) -> dict[str, Any]:
    """The panel for ``form``'s current text, or nothing when the check is not available."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("insights.check_proposal_text", conference):
        return {"show": False}
    text, lengths = proposal_text_from_form(form)
    report = check_proposal(text, topics_for_check(conference=conference), lengths=lengths)
    return {"show": True, "report": report, "conference": conference}
