from django import forms

from expo.sponsors.models import CompanySize, Organisation, Region, SponsorTier
from expo.sponsors.services import domains_parse


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    domains = forms.CharField(
        label="Web domains",
        required=False,
        max_length=1000,
        help_text="Separated by commas or spaces, e.g. example.com, example.ai",
    )
    tier = forms.ChoiceField(label="Sponsor tier", choices=SponsorTier.choices)
    size = forms.ChoiceField(label="Company size", choices=CompanySize.choices)
    region = forms.ChoiceField(choices=Region.choices)
    description = forms.CharField(
        label="Short description",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_domains(self) -> list[str]:
        return domains_parse(self.cleaned_data.get("domains", ""))

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict[str, object]:
        return {
            "name": organisation.name,
            "domains": ", ".join(organisation.domains),
            "tier": organisation.tier,
            "size": organisation.size,
            "region": organisation.region,
            "description": organisation.description,
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Colleague's e-mail")
