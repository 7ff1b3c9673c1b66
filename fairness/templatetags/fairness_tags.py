"""Number formats of the fairness pages."""

from typing import Any

from django import template

from fairness.report import MIN_CELL, SUPPRESSED

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    """0.183 → "18%"; empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value):.0%}"


@register.filter
def num(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals; empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value):.{int(digits)}f}"


@register.filter
def qvalue(value: Any) -> str:
    if value is None or value == "":
        return ""
    value = float(value)
    return "< 0.001" if value < 0.001 else f"{value:.2g}"


@register.filter
def count(value: Any) -> str:
    """A count of proposals, or "fewer than 5" for 1 to 4 (cells that small are not shown)."""
    if value is None or value == "":
        return ""
    value = int(value)
    return SUPPRESSED if 0 < value < MIN_CELL else str(value)
