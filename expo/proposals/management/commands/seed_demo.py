"""Load the demo conference idempotently: running it twice changes nothing.

Creates a past edition (decided, with ICLR 2017's real decisions) and the current edition
(CfP open, proposals submitted), ~40 fictional sponsors, and the demo logins it prints.
"""

import datetime as dt
import hashlib
import zoneinfo
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from expo.accounts.models import User
from expo.conferences.models import Conference, ConferenceChair, ExpoFormat, Topic
from expo.proposals.demo_data import (
    FIRST_NAMES,
    LAST_NAMES,
    ORGANISATIONS,
    TOPICS,
    DemoPaper,
    outline_from_abstract,
    papers,
)
from expo.proposals.models import Proposal, ProposalState, Speaker
from expo.sponsors.models import Membership, Organisation

DEMO_PASSWORD = "expo-demo-2027"
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    # e-mail, name, role
    ("sponsor@expo.example", "Sam Sponsor", "sponsor"),
    ("cochair1@expo.example", "Charlotte Chair", "cochair"),
    ("cochair2@expo.example", "Kofi Cochair", "cochair"),
    ("admin@expo.example", "Ada Admin", "admin"),
)
PROPOSALS_PER_EDITION = 150
DEMO_TIMEZONE = "America/Vancouver"


def _stable_int(*parts: str) -> int:
    """A deterministic pseudo-random number, so that seeding is the same on every machine."""
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:12], 16)


def _local_time(moment: dt.datetime, *, hour: int, minute: int) -> dt.datetime:
    """``moment``'s day at hour:minute in the demo conferences' time zone."""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(DEMO_TIMEZONE))
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print the demo logins."
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        users = self._users()
        organisations = self._organisations()
        Membership.objects.get_or_create(
            organisation=organisations[0],
            user=users["sponsor@expo.example"],
            defaults={"role": Membership.Role.OWNER},
        )
        all_papers = papers()
        past = self._conference(
            slug="cls2026",
            name="Conference on Learning Systems 2026",
            starts_on=(now - dt.timedelta(days=240)).date(),
            cfp=(now - dt.timedelta(days=400), now - dt.timedelta(days=330)),
        )
        current = self._conference(
            slug="cls2027",
            name="Conference on Learning Systems 2027",
            starts_on=(now + dt.timedelta(days=150)).date(),
            cfp=(now - dt.timedelta(days=30), now + dt.timedelta(days=45)),
        )
        for conference in (past, current):
            for email, _, role in DEMO_USERS:
                if role == "cochair":
                    ConferenceChair.objects.get_or_create(conference=conference, user=users[email])
        created = 0
        created += self._proposals(
            past, all_papers[PROPOSALS_PER_EDITION : 2 * PROPOSALS_PER_EDITION], organisations
        )
        created += self._proposals(current, all_papers[:PROPOSALS_PER_EDITION], organisations)
        self.stdout.write(
            f"Demo data: {Conference.objects.count()} conferences, "
            f"{Organisation.objects.count()} organisations, {Proposal.objects.count()} proposals "
            f"({created} created now)."
        )
        if not options["quiet_logins"]:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for email, name, role in DEMO_USERS:
                self.stdout.write(f"  {role:<8} {email:<24} {name}")

    def _users(self) -> dict[str, User]:
        users = {}
        for email, name, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": name,
                    "is_staff": role == "admin",
                    "is_superuser": role == "admin",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            users[email] = user
        return users

    def _organisations(self) -> list[Organisation]:
        result = []
        for name, tier, size, region in ORGANISATIONS:
            slug = slugify(name)
            organisation, _ = Organisation.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "tier": tier,
                    "size": size,
                    "region": region,
                    "domains": [f"{slug}.example"],
                    "description": f"{name} does applied machine-learning research.",
                },
            )
            result.append(organisation)
        return result

    def _conference(
        self, *, slug: str, name: str, starts_on: dt.date, cfp: tuple[dt.datetime, dt.datetime]
    ) -> Conference:
        conference, created = Conference.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "timezone": DEMO_TIMEZONE,
                "starts_on": starts_on,
                "ends_on": starts_on + dt.timedelta(days=5),
                "cfp_opens_at": _local_time(cfp[0], hour=9, minute=0),
                "cfp_closes_at": _local_time(cfp[1], hour=23, minute=59),
                "call_text": (
                    "The Expo is the conference's sponsor day. Sponsors propose one-hour research "
                    "talks or demos and four-hour workshops. The cochairs select proposals that "
                    "present real research (not marketing), are informative for attendees, and "
                    "fit the conference's topics."
                ),
            },
        )
        if created:
            for position, (topic, description) in enumerate(TOPICS):
                Topic.objects.create(
                    conference=conference, name=topic, description=description, position=position
                )
        return conference

    def _proposals(
        self, conference: Conference, batch: list[DemoPaper], organisations: list[Organisation]
    ) -> int:
        existing = set(conference.proposals.values_list("title", flat=True))
        topics = {t.name: t for t in conference.topics.all()}
        decided = conference.cfp_state() == "closed"
        earlier_sponsors = set(
            Proposal.objects.filter(conference__starts_on__lt=conference.starts_on).values_list(
                "organisation_id", flat=True
            )
        )
        created = 0
        for paper in batch:
            if paper.title in existing:
                continue
            pick = _stable_int(conference.slug, paper.pid)
            # Independent bits of the hash, so that format does not depend on the sponsor.
            organisation = organisations[(pick >> 8) % len(organisations)]
            workshop = (pick >> 24) % 10 < 3
            if decided:
                state = ProposalState.ACCEPTED if paper.accepted else ProposalState.REJECTED
            else:
                state = ProposalState.SUBMITTED
            proposal = Proposal.objects.create(
                conference=conference,
                organisation=organisation,
                title=paper.title,
                abstract=paper.abstract,
                outline=outline_from_abstract(paper.abstract, workshop=workshop),
                format=ExpoFormat.WORKSHOP if workshop else ExpoFormat.TALK,
                state=state,
                submitted_at=conference.cfp_opens_at + dt.timedelta(hours=pick % 500),
                sponsor_tier=organisation.tier,
                sponsor_size=organisation.size,
                sponsor_region=organisation.region,
                first_time_sponsor=organisation.pk not in earlier_sponsors,
            )
            proposal.topics.set([topics[name] for name in paper.topics])
            speakers = 1 + pick % 3
            Speaker.objects.bulk_create(
                Speaker(
                    proposal=proposal,
                    name=(
                        f"{FIRST_NAMES[(pick >> (4 * i)) % len(FIRST_NAMES)]} "
                        f"{LAST_NAMES[(pick >> (4 * i + 2)) % len(LAST_NAMES)]}"
                    ),
                    email=f"speaker{i + 1}.{paper.pid.lower()}@{organisation.domains[0]}",
                    affiliation=organisation.name,
                    position=i,
                )
                for i in range(speakers)
            )
            created += 1
        return created
