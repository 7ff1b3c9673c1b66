"""Form widgets that render without a template per option."""

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attributes(attrs: dict[str, Any]) -> str:
    """Django's django/forms/widgets/attrs.html in Python: False leaves an attribute out,
    True writes its bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class QuickSelect(forms.Select):
    """``forms.Select`` with the same HTML, written in Python.

    Django renders a template for the ``<select>`` and another for each ``<option>``; the review
    dashboard's filter form has six selects and ~45 options, which took a third of the page's
    layout time. Choices in groups fall back to Django's templates.
    (tests/test_widgets.py compares the output with ``forms.Select``'s.)"""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = widget["optgroups"]
        if any(group_name for group_name, _, _ in groups):
            return super().render(name, value, attrs, renderer)
        lines = [
            f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>'
        ]
        for _, options, _ in groups:
            for option in options:
                lines.append(
                    f'  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attributes(option['attrs'])}>{conditional_escape(str(option['label']))}"
                    "</option>"
                )
        lines.append("</select>")
        return mark_safe("\n".join(lines))  # every value above is escaped
