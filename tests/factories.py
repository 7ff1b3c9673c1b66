"""factory-boy factories for the whole project's tests."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from expo.accounts.models import User
from expo.conferences.models import Conference, ConferenceChair, ExpoFormat, Topic
from expo.proposals.models import Proposal, ProposalState, Speaker
from expo.sponsors.models import CompanySize, Membership, Organisation, Region, SponsorTier

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AdminFactory(UserFactory):
    is_staff = True
    is_superuser = True


class ConferenceFactory(DjangoModelFactory[Conference]):
    class Meta:
        model = Conference
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Conference on Learning Systems {2027 + n}")
    slug = factory.Sequence(lambda n: f"cls{2027 + n}")
    timezone = "Europe/Vienna"
    starts_on = factory.LazyFunction(lambda: timezone.now().date() + dt.timedelta(days=120))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=4))
    call_text = "We invite sponsors to present their research at the Expo."
    cfp_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    cfp_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))

    @factory.post_generation
    def topic_names(obj, create, extracted, **kwargs):
        names = extracted if extracted is not None else ["Reinforcement learning", "Vision"]
        if create:
            for position, name in enumerate(names):
                Topic.objects.create(
                    conference=obj, name=name, position=position, description=f"About {name}."
                )


class TopicFactory(DjangoModelFactory[Topic]):
    class Meta:
        model = Topic

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")
    description = "A research topic."


class ChairFactory(DjangoModelFactory[ConferenceChair]):
    class Meta:
        model = ConferenceChair

    conference = factory.SubFactory(ConferenceFactory)
    user = factory.SubFactory(UserFactory)


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Sponsor {n} Labs")
    slug = factory.Sequence(lambda n: f"sponsor-{n}-labs")
    domains = factory.Sequence(lambda n: [f"sponsor{n}.example.com"])
    tier = SponsorTier.GOLD
    size = CompanySize.LARGE
    region = Region.EUROPE
    description = "We build learning systems."


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class ProposalFactory(DjangoModelFactory[Proposal]):
    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    conference = factory.SubFactory(ConferenceFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Learning to rank proposals, part {n}")
    abstract = (
        "We present a method for offline policy evaluation with learned models "
        "and report results on three public benchmarks."
    )
    outline = "1. Problem and data\n2. Method\n3. Results and live demo\n4. Questions"
    format = ExpoFormat.TALK
    state = ProposalState.DRAFT

    @factory.post_generation
    def speakers(obj, create, extracted, **kwargs):
        if not create:
            return
        count = 1 if extracted is None else extracted
        for position in range(count):
            Speaker.objects.create(
                proposal=obj,
                name=f"Speaker {position}",
                email=f"speaker{position}.{obj.pk}@speakers.example.net",
                affiliation=obj.organisation.name,
                position=position,
            )

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create:
            obj.topics.set(extracted or obj.conference.topics.all()[:1])
