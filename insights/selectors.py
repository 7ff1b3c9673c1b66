"""Reads for the insights pages."""

from expo.conferences.models import Conference
from insights.check import TopicText


def topics_for_check(*, conference: Conference) -> list[TopicText]:
    """The conference's topics as the pure check needs them (one query)."""
    return [
        TopicText(id=pk, name=name, description=description)
        for pk, name, description in conference.topics.order_by("position", "name").values_list(
            "pk", "name", "description"
        )
    ]
