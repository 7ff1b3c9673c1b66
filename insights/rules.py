"""Who may use the sponsor insights. Autodiscovered by django-rules with the other tables.

The proposal check reads only the text posted with the request and the conference's topics,
which the conference page already shows to everyone; it stores nothing and reads no other
proposal. So any logged-in user may check text for a conference whose call is open — a
sponsor preparing a first proposal has no organisation membership yet to test against.
"""

from typing import Any

import rules

from expo.conferences.models import Conference


@rules.predicate
def conference_cfp_is_open(_user: Any, conference: Conference | None) -> bool:
    return conference is not None and conference.cfp_is_open()


rules.add_perm("insights.check_proposal_text", rules.is_authenticated & conference_cfp_is_open)
