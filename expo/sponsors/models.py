"""Sponsor organisations, their members and invitations."""

import hashlib
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone


class SponsorTier(models.TextChoices):
    PLATINUM = "platinum", "Platinum"
    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    BRONZE = "bronze", "Bronze"
    STARTUP = "startup", "Startup"


class CompanySize(models.TextChoices):
    MICRO = "1-49", "1–49 employees"
    SMALL = "50-249", "50–249 employees"
    MEDIUM = "250-999", "250–999 employees"
    LARGE = "1000-9999", "1,000–9,999 employees"
    ENTERPRISE = "10000+", "10,000 or more employees"


class Region(models.TextChoices):
    NORTH_AMERICA = "north_america", "North America"
    LATIN_AMERICA = "latin_america", "Latin America"
    EUROPE = "europe", "Europe"
    MIDDLE_EAST_AFRICA = "middle_east_africa", "Middle East & Africa"
    ASIA = "asia", "Asia"
    OCEANIA = "oceania", "Oceania"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    domains = models.JSONField(
        default=list,
        blank=True,
        help_text='Web/e-mail domains of the organisation, e.g. ["example.com"].',
    )
    tier = models.CharField("sponsor tier", max_length=20, choices=SponsorTier.choices)
    size = models.CharField("company size", max_length=20, choices=CompanySize.choices)
    region = models.CharField(max_length=30, choices=Region.choices)
    description = models.TextField(max_length=1000, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="member_once_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation}"


def invitation_token_digest(token: str) -> str:
    """Invitations store only a digest, so a database leak does not leak usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and not self.is_expired
