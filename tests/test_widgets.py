"""QuickSelect writes the same HTML as Django's Select, which renders templates."""

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from expo.widgets import QuickSelect

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def both(choices, value, attrs=None, **widget_attrs):
    ours = QuickSelect(choices=choices, attrs=widget_attrs or None).render("f", value, attrs)
    # As the site renders it (Django's Jinja2 widget templates); Jinja2 writes &#34; and &#39;
    # where Django's escape() writes &quot; and &#x27; — the same characters.
    django = forms.Select(choices=choices, attrs=widget_attrs or None).render("f", value, attrs)
    django = str(django).replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return str(ours), django


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        ([("", "Any"), ("a&b", 'A <b> "quoted"'), ("x", "X")], "x", {"id": "id_f"}),
        ([("1", "One"), ("2", "Two")], None, None),
        ([("1", "One"), ("2", "Two")], 2, {"id": "id_f", "required": True, "disabled": False}),
        ([(1, "One"), ("-score", "Score ↓")], "-score", {"aria-label": "Sort <by>"}),
        ([], "", {"id": "id_f"}),
    ],
)
def test_same_html_as_django_select(choices, value, attrs):
    ours, django = both(choices, value, attrs)
    assert ours == django


@settings(max_examples=200, deadline=None)
@given(
    choices=st.lists(st.tuples(text, text), max_size=6),
    pick=st.integers(min_value=0, max_value=6),
    css=text,
)
def test_same_html_as_django_select_for_any_text(choices, pick, css):
    value = choices[pick][0] if pick < len(choices) else None
    ours, django = both(choices, value, {"id": "id_f"}, **{"class": css})
    assert ours == django


def test_grouped_choices_fall_back_to_djangos_templates():
    grouped = [("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")]
    ours, django = both(grouped, "b", {"id": "id_f"})
    assert ours == django
    assert "<optgroup" in ours
