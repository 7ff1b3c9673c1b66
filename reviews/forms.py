"""Forms of the review pages. They parse and check shapes; services apply the rules."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from expo.accounts.models import User
from expo.conferences.models import ExpoFormat
from expo.proposals.models import Proposal, ProposalState
from expo.widgets import QuickSelect
from reviews.models import (
    CONFIDENCE_CHOICES,
    AuditAction,
    DecisionOutcome,
    Recommendation,
    Review,
    ReviewCriterion,
    ReviewSettings,
)
from reviews.selectors import SORT_LABELS, AuditFilters, DashboardFilters
from reviews.services import RATIONALE_MIN, TEXT_MAX, CriterionData, ReviewData


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class DashboardFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    track = forms.ChoiceField(required=False, widget=QuickSelect)
    format = forms.ChoiceField(required=False, widget=QuickSelect)
    topic = forms.ChoiceField(required=False, widget=QuickSelect)
    state = forms.ChoiceField(required=False, widget=QuickSelect)
    mine = forms.ChoiceField(
        label="Your review",
        required=False,
        widget=QuickSelect,
        choices=[
            ("", "Any"),
            ("missing", "Missing my review"),
            ("draft", "My draft, not submitted"),
            ("submitted", "I reviewed"),
        ],
    )
    disagree = forms.BooleanField(label="Chairs disagree", required=False)
    ready = forms.BooleanField(label="Ready to decide", required=False)
    sort = forms.ChoiceField(required=False, widget=QuickSelect)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "track", [("", "Any"), ("none", "No track yet"), *choices["tracks"]])
        _choices(self, "format", [("", "Any"), *ExpoFormat.choices])
        _choices(self, "topic", [("", "Any"), *choices["topics"]])
        _choices(
            self,
            "state",
            [
                ("active", "All but withdrawn"),
                ("all", "All"),
                *[(v, label) for v, label in ProposalState.choices if v != ProposalState.DRAFT],
            ],
        )
        sorts = []
        for key, label in SORT_LABELS.items():
            sorts.append((key, f"{label.capitalize()} ↑"))
            sorts.append((f"-{key}", f"{label.capitalize()} ↓"))
        _choices(self, "sort", sorts)

    def filters(self) -> DashboardFilters:
        """The valid filters; an invalid value (a forged or stale link) is dropped and the
        form's errors say so."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        topic = data.get("topic")
        return DashboardFilters(
            q=(data.get("q") or "").strip(),
            track=data.get("track") or "",
            format=data.get("format") or "",
            topic=int(topic) if topic else None,
            state=data.get("state") or "active",
            mine=data.get("mine") or "",
            disagree=bool(data.get("disagree")),
            ready=bool(data.get("ready")),
            sort=data.get("sort") or "submitted",
        )


def _score_field(criterion: ReviewCriterion) -> forms.TypedChoiceField:
    scale_message = (
        f"“{criterion.name}” is scored from {criterion.scale_min} to {criterion.scale_max}; "
        "%(value)s is outside the scale."
    )
    return forms.TypedChoiceField(
        label=criterion.name,
        help_text=criterion.guidance,
        choices=[(str(v), str(v)) for v in criterion.scale],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"data-weight": str(criterion.weight)}),
        error_messages={"invalid_choice": scale_message},
    )


class ReviewForm(forms.Form):
    """Scores per criterion plus the overall fields. Nothing is required here, so that drafts
    autosave half-filled; submitting checks completeness in ``services.review_submit``."""

    recommendation = forms.ChoiceField(
        label="Overall recommendation",
        choices=Recommendation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    confidence = forms.TypedChoiceField(
        label="Your confidence",
        choices=[(str(v), str(v)) for v, _ in CONFIDENCE_CHOICES],
        help_text=f"{CONFIDENCE_CHOICES[0][1]} … {CONFIDENCE_CHOICES[-1][1]}.",
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label="Rationale for the sponsor",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=f"Required, at least {RATIONALE_MIN} characters. The sponsor reads this after "
        "the decision, without your name: be specific and kind.",
    )
    private_comment = forms.CharField(
        label="Comment to the other chairs",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Never shown to the sponsor.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    expected_draft_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, criteria: Sequence[ReviewCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        score_fields = {f"score_{c.pk}": _score_field(c) for c in self.criteria}
        # Criteria first, in their order, then the overall fields.
        self.fields = {**score_fields, **self.fields}

    @property
    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{c.pk}"] for c in self.criteria]

    @property
    def overall_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("recommendation", "confidence")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        allowed = {f"score_{c.pk}" for c in self.criteria}
        forged = [key for key in self.data if key.startswith("score_") and key not in allowed]
        if forged:
            raise ValidationError(
                "The form scored a criterion that this conference does not use; reload the page."
            )
        return cleaned

    def review_data(self) -> ReviewData:
        data = self.cleaned_data
        return ReviewData(
            scores={c.pk: data.get(f"score_{c.pk}") for c in self.criteria},
            recommendation=data.get("recommendation") or "",
            confidence=data.get("confidence"),
            rationale=data.get("rationale") or "",
            private_comment=data.get("private_comment") or "",
        )

    @staticmethod
    def initial_for(review: Review | None) -> dict[str, Any]:
        """The form's starting values: the draft if there is one, else the submitted review."""
        if review is None:
            return {"expected_version": 0, "expected_draft_version": 0}
        initial: dict[str, Any] = {
            "expected_version": review.version,
            "expected_draft_version": review.draft_version,
        }
        if review.draft:
            data = ReviewData.from_draft(review.draft)
        else:
            data = ReviewData(
                scores={s.criterion_id: s.score for s in review.scores.all()},
                recommendation=review.recommendation,
                confidence=review.confidence,
                rationale=review.rationale,
                private_comment=review.private_comment,
            )
        initial.update({f"score_{k}": v for k, v in data.scores.items()})
        initial.update(
            recommendation=data.recommendation,
            confidence=data.confidence,
            rationale=data.rationale,
            private_comment=data.private_comment,
        )
        return initial


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form's fields (or on top)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label="Rationale for the sponsor",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The sponsor reads this with the decision, with the reviewers' rationales.",
    )
    confirm_overfill = forms.BooleanField(
        label="Yes, accept even though a track is over capacity", required=False
    )


class BulkDecisionForm(DecisionForm):
    proposals = forms.TypedMultipleChoiceField(coerce=int)

    def __init__(self, *args: Any, proposals: Sequence[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "proposals", [(str(p.pk), p.title) for p in proposals])
        self.fields["proposals"].error_messages["invalid_choice"] = (
            "One of the chosen proposals is not in your review workspace (it may have been "
            "withdrawn, or you are conflicted with it)."
        )


def expected_versions(data: Any, ids: Sequence[int]) -> dict[int, int]:
    """The decision versions the page showed, posted as ``version_<id>`` (missing: 0)."""
    result = {}
    for pk in ids:
        raw = data.get(f"version_{pk}", "0")
        try:
            result[pk] = max(0, int(raw))
        except (TypeError, ValueError):
            result[pk] = -1  # never matches: the chair must reload
    return result


class ConflictDeclareForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; only admins see it.",
    )


class ProposalChoiceField(forms.ModelChoiceField[Proposal]):
    def label_from_instance(self, obj: Proposal) -> str:
        return f"#{obj.pk} {obj.title}"


class ConflictAdminForm(forms.Form):
    action = forms.ChoiceField(choices=[("add", "Add a conflict"), ("lift", "Lift a conflict")])
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Reviewer")
    proposal = ProposalChoiceField(queryset=Proposal.objects.none())
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, users: Any, proposals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        proposal_field = self.fields["proposal"]
        assert isinstance(user_field, forms.ModelChoiceField)
        assert isinstance(proposal_field, forms.ModelChoiceField)
        user_field.queryset = users
        proposal_field.queryset = proposals


class ReviewSettingsForm(forms.ModelForm[ReviewSettings]):
    class Meta:
        model = ReviewSettings
        fields = ["required_reviews", "score_scale_max", "disagreement_points"]


class CriterionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=100)
    guidance = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scale_min = forms.IntegerField(min_value=0, max_value=9, initial=1)
    scale_max = forms.IntegerField(min_value=1, max_value=10, initial=5)
    weight = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=4, decimal_places=2, initial=1
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
        if low is not None and high is not None and low >= high:
            raise ValidationError("The scale must go from a low to a higher number.")
        return cleaned

    def criterion_data(self) -> CriterionData:
        data = self.cleaned_data
        return CriterionData(
            id=data.get("id"),
            name=data["name"],
            guidance=data.get("guidance") or "",
            scale_min=data["scale_min"],
            scale_max=data["scale_max"],
            weight=data["weight"],
        )


CriterionFormSet = forms.formset_factory(
    CriterionForm, extra=1, can_delete=True, max_num=12, validate_max=True
)


class TemplateForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(max_length=10000, widget=forms.Textarea(attrs={"rows": 16}))


class ProposalPickForm(forms.Form):
    proposals = forms.TypedMultipleChoiceField(coerce=int)

    def __init__(self, *args: Any, proposals: Sequence[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "proposals", [(str(p.pk), p.title) for p in proposals])
        self.fields["proposals"].error_messages["invalid_choice"] = (
            "Choose decided proposals of this conference only."
        )
        self.fields["proposals"].error_messages["required"] = "Choose at least one proposal."


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False, choices=[("", "Any"), *AuditAction.choices])
    actor = forms.CharField(required=False, max_length=200, label="Who (e-mail contains)")
    proposal = forms.IntegerField(required=False, min_value=1, label="Proposal id")

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilters(
            action=data.get("action") or "",
            actor=(data.get("actor") or "").strip(),
            proposal=data.get("proposal"),
        )
