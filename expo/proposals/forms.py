"""Proposal form and its speakers formset. Forms only parse; services write."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from expo.conferences.models import Conference, ExpoFormat, Topic
from expo.proposals.files import ALLOWED_LABELS, sniff_attachment
from expo.proposals.models import Proposal, Speaker
from expo.proposals.services import SpeakerData
from expo.sponsors.models import Organisation


class ProposalForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), empty_label=None, label="Submitting organisation"
    )
    title = forms.CharField(max_length=Proposal.TITLE_MAX)
    format = forms.ChoiceField(choices=ExpoFormat.choices, widget=forms.RadioSelect)
    abstract = forms.CharField(
        max_length=Proposal.ABSTRACT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The research you will present: problem, method, results.",
    )
    outline = forms.CharField(
        label="Outline / agenda",
        max_length=Proposal.OUTLINE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What attendees will see and learn, in order. Workshops: say the prerequisites.",
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose topics of this conference only."},
    )
    notes_to_chairs = forms.CharField(
        label="Notes to the chairs",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Not shown to attendees.",
    )
    attachment = forms.FileField(
        label="Slides or PDF (optional)",
        required=False,
        help_text=f"{ALLOWED_LABELS}.",
    )
    remove_attachment = forms.BooleanField(label="Remove the current attachment", required=False)

    def __init__(
        self,
        *args: Any,
        conference: Conference,
        organisations: QuerySet[Organisation],
        proposal: Proposal | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.conference = conference
        topics_field = self.fields["topics"]
        assert isinstance(topics_field, forms.ModelMultipleChoiceField)
        topics_field.queryset = conference.topics.all()
        organisation_field = self.fields["organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        if proposal is None:
            organisation_field.queryset = organisations
            del self.fields["remove_attachment"]
        else:
            del self.fields["organisation"]
            if not proposal.attachment:
                del self.fields["remove_attachment"]

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload:
            sniff_attachment(upload)
        return upload

    @classmethod
    def initial_for(cls, proposal: Proposal) -> dict[str, Any]:
        return {
            "title": proposal.title,
            "format": proposal.format,
            "abstract": proposal.abstract,
            "outline": proposal.outline,
            "topics": list(proposal.topics.all()),
            "notes_to_chairs": proposal.notes_to_chairs,
        }


class SpeakerForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail")
    affiliation = forms.CharField(max_length=200, required=False)
    bio = forms.CharField(
        label="Short bio", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BaseSpeakerFormSet(forms.BaseFormSet[SpeakerForm]):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        emails = [
            f.cleaned_data["email"].lower()
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if len(emails) != len(set(emails)):
            raise ValidationError("Each speaker needs their own e-mail address.")

    def speakers(self) -> list[SpeakerData]:
        return [
            SpeakerData(
                name=f.cleaned_data["name"],
                email=f.cleaned_data["email"],
                affiliation=f.cleaned_data.get("affiliation", ""),
                bio=f.cleaned_data.get("bio", ""),
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


SpeakerFormSet = forms.formset_factory(
    SpeakerForm,
    formset=BaseSpeakerFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=8,
    validate_max=True,
    can_delete=True,
)


def speaker_initial(speakers: list[Speaker]) -> list[dict[str, str]]:
    return [
        {"name": s.name, "email": s.email, "affiliation": s.affiliation, "bio": s.bio}
        for s in speakers
    ]
