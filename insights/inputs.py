"""The check's input, read from a POST or from a bound/unbound proposal form.

Forgiving on purpose: the check is advice while typing, so missing fields, unknown formats,
foreign topic ids and oversized text are accepted (and explained in the panel), never errors.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.http import QueryDict

from insights.check import FIELD_LIMITS, ProposalText

# More characters than this per field are never read: the form accepts far fewer, and the
# check only needs the full length to say by how much to shorten. (Django itself refuses
# request bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, 2 MiB here.)
READ_LIMIT = 2 * max(FIELD_LIMITS.values())
MAX_TOPIC_IDS = 200


def topic_ids(values: Iterable[Any]) -> tuple[int, ...]:
    """Integer ids from form values (strings from a POST, Topic objects from initial data)."""
    ids: list[int] = []
    for value in values:
        raw = getattr(value, "pk", value)
        if isinstance(raw, int) and not isinstance(raw, bool):
            ids.append(raw)
        elif isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 12:
            ids.append(int(raw))
        if len(ids) >= MAX_TOPIC_IDS:
            break
    return tuple(ids)


def _text(value: Any) -> str:
    return value[:READ_LIMIT] if isinstance(value, str) else ""


def proposal_text_from_post(data: QueryDict) -> tuple[ProposalText, dict[str, int]]:
    """The check's input from a POST, and the full length of each text field."""
    lengths = {name: len(data.get(name) or "") for name in FIELD_LIMITS}
    text = ProposalText(
        title=_text(data.get("title")),
        abstract=_text(data.get("abstract")),
        outline=_text(data.get("outline")),
        format=str(data.get("format") or "")[:20],
        ticked_topic_ids=topic_ids(data.getlist("topics")),
    )
    return text, lengths


def proposal_text_from_form(form: forms.BaseForm) -> tuple[ProposalText, dict[str, int]]:
    """The text a proposal form holds: the posted data when bound, else its initial values."""

    def value(name: str) -> Any:
        return form[name].value() if name in form.fields else None

    def text(name: str) -> str:
        raw = value(name)
        return raw if isinstance(raw, str) else ""

    topics = value("topics")
    lengths: Mapping[str, int] = {name: len(text(name)) for name in FIELD_LIMITS}
    return (
        ProposalText(
            title=_text(text("title")),
            abstract=_text(text("abstract")),
            outline=_text(text("outline")),
            format=text("format")[:20],
            ticked_topic_ids=topic_ids(topics if isinstance(topics, list | tuple) else []),
        ),
        dict(lengths),
    )
