"""What every new conference starts with: the three quality criteria and the e-mail templates.

Plain data, so that the data migration and the services share one source.
"""

from typing import Final

# name, guidance — all on the default 1–5 scale with weight 1.
DEFAULT_CRITERIA: Final[tuple[tuple[str, str], ...]] = (
    (
        "Research, not marketing",
        "Is this a real research talk or demo — a question, a method, evidence and limitations — "
        "rather than a product pitch or a sales presentation? "
        "1 = a sales pitch; 5 = research the audience could cite.",
    ),
    (
        "Informative for the audience",
        "Will attendees learn something they can use or build on: a clear problem, what was "
        "done, what came out, what to take home? 1 = nothing to learn; 5 = clearly worth the time.",
    ),
    (
        "Relevant to the conference's topics",
        "Does it fit the research topics of this conference? "
        "1 = off-topic; 5 = squarely on one of the conference's topics.",
    ),
)

# Placeholders an e-mail template may use: {{ name }}.
PLACEHOLDERS: Final[dict[str, str]] = {
    "sponsor": "the sponsor organisation's name",
    "proposal": "the proposal's title",
    "conference": "the conference's name",
    "decision": "the decision in words (accepted, put on the waiting list, not accepted)",
    "rationale": "the chairs' rationale given with the decision",
    "feedback": "the reviewers' rationales for the sponsor, one after the other",
    "proposal_url": "the address of the proposal's page",
}

_SIGNATURE = "\n\nKind regards,\nThe Expo chairs of {{ conference }}\n"
_FEEDBACK = (
    "\n\nThe chairs' rationale:\n{{ rationale }}\n\nThe reviewers' feedback:\n{{ feedback }}\n\n"
    "You can also read this on your proposal's page: {{ proposal_url }}"
)

# outcome -> (subject, body)
DEFAULT_TEMPLATES: Final[dict[str, tuple[str, str]]] = {
    "accept": (
        "[{{ conference }}] Your Expo proposal “{{ proposal }}” is accepted",
        "Dear {{ sponsor }} team,\n\nWe are glad to tell you that your Expo proposal "
        "“{{ proposal }}” has been {{ decision }} for {{ conference }}. We will be in touch "
        "about the schedule." + _FEEDBACK + _SIGNATURE,
    ),
    "waitlist": (
        "[{{ conference }}] Your Expo proposal “{{ proposal }}” is on the waiting list",
        "Dear {{ sponsor }} team,\n\nThank you for proposing “{{ proposal }}”. It has been "
        "{{ decision }}: if a slot becomes free, we will offer it to you." + _FEEDBACK + _SIGNATURE,
    ),
    "reject": (
        "[{{ conference }}] Your Expo proposal “{{ proposal }}”",
        "Dear {{ sponsor }} team,\n\nThank you for proposing “{{ proposal }}”. We are sorry "
        "to tell you that it has {{ decision }} for {{ conference }}; we received more strong "
        "proposals than the Expo has room for." + _FEEDBACK + _SIGNATURE,
    ),
}

DECISION_WORDS: Final[dict[str, str]] = {
    "accept": "accepted",
    "waitlist": "put on the waiting list",
    "reject": "not been accepted",
}
