"""Conflicts of interest: who may not see, review or decide which proposal.

A user is conflicted with a proposal when an admin's or the user's own ruling (``Conflict``)
says so, or, without a ruling, when one of these automatic reasons holds:

- the user's e-mail domain is one of the organisation's domains (or a subdomain of one);
  public webmail domains never count, or a sponsor could exclude every Gmail user;
- a line of the user's declared affiliations (``ConferenceChair.affiliations``) names the
  organisation or one of its domains;
- the user is a member of the organisation;
- the user is listed as a speaker of the proposal (same e-mail address).

Automatic reasons are computed from the current data on every request, so they never go
stale; an admin can lift one with a ``Conflict`` row of kind *lifted*.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

from expo.accounts.models import User
from expo.conferences.models import Conference, ConferenceChair
from expo.proposals.models import Proposal, Speaker
from expo.sponsors.models import Membership, Organisation
from reviews.models import Conflict, ConflictKind

# Domains shared by unrelated people: an organisation listing one of them must not conflict
# everybody who uses it.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "qq.com",
        "163.com",
        "126.com",
        "yandex.ru",
        "mail.ru",
        "aol.com",
        "fastmail.com",
    }
)

_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" .,;:").casefold()


def affiliation_lines(affiliations: str) -> list[str]:
    """The non-empty lines of a chair's affiliations field, normalised for comparison."""
    return [line for line in (_normalise(raw) for raw in affiliations.splitlines()) if line]


def _domain_matches(domain: str, organisation_domain: str) -> bool:
    organisation_domain = organisation_domain.strip().lower().lstrip("@")
    if not organisation_domain:
        return False
    return domain == organisation_domain or domain.endswith("." + organisation_domain)


def organisation_conflict_reasons(
    *,
    email_domain: str,
    affiliations: Sequence[str],
    organisation_name: str,
    organisation_domains: Iterable[str],
    is_member: bool = False,
) -> list[str]:
    """Why a user with this e-mail domain and these affiliations is conflicted with the
    organisation (empty list: not conflicted through the organisation)."""
    reasons: list[str] = []
    domains = [d for d in organisation_domains if isinstance(d, str) and d.strip()]
    email_domain = email_domain.lower()
    if is_member:
        reasons.append(f"member of {organisation_name}")
    if email_domain not in PUBLIC_MAIL_DOMAINS and any(
        _domain_matches(email_domain, d) for d in domains
    ):
        reasons.append(f"e-mail domain {email_domain} belongs to {organisation_name}")
    name = _normalise(organisation_name)
    for line in affiliations:
        if line == name or any(_domain_matches(line, d) for d in domains):
            reasons.append(f"declared affiliation “{line}” matches {organisation_name}")
            break
    return reasons


def _chair_affiliations(*, user: User, conference_id: int) -> list[str]:
    affiliations = (
        ConferenceChair.objects.filter(conference_id=conference_id, user=user)
        .values_list("affiliations", flat=True)
        .first()
    )
    return affiliation_lines(affiliations or "")


@dataclass(frozen=True)
class ConflictStatus:
    """The conflict between one user and one proposal, with the reasons shown to admins."""

    conflicted: bool
    automatic_reasons: tuple[str, ...] = ()
    ruling: Conflict | None = None

    @property
    def reasons(self) -> list[str]:
        reasons = list(self.automatic_reasons)
        if self.ruling is not None:
            label = self.ruling.get_kind_display().lower()
            reasons.append(f"{label}: {self.ruling.reason}" if self.ruling.reason else label)
        return reasons


def automatic_reasons(*, user: User, proposal: Proposal) -> list[str]:
    """The automatic conflict reasons between ``user`` and ``proposal`` (3 queries)."""
    organisation = proposal.organisation
    reasons = []
    if organisation is not None:  # None once the sponsor organisation was deleted
        reasons = organisation_conflict_reasons(
            email_domain=user.email_domain,
            affiliations=_chair_affiliations(user=user, conference_id=proposal.conference_id),
            organisation_name=organisation.name,
            organisation_domains=organisation.domains or [],
            is_member=Membership.objects.filter(organisation=organisation, user=user).exists(),
        )
    if Speaker.objects.filter(proposal=proposal, email__iexact=user.email).exists():
        reasons.append("listed as a speaker")
    return reasons


def conflict_status(*, user: User, proposal: Proposal) -> ConflictStatus:
    """Whether ``user`` is conflicted with ``proposal``; cached on the proposal instance."""
    cache: dict[int, ConflictStatus] = proposal.__dict__.setdefault("_conflict_status", {})
    if user.pk in cache:
        return cache[user.pk]
    ruling = Conflict.objects.filter(proposal=proposal, user=user).first()
    reasons = tuple(automatic_reasons(user=user, proposal=proposal))
    if ruling is not None:
        status = ConflictStatus(ruling.is_conflict, reasons, ruling)
    else:
        status = ConflictStatus(bool(reasons), reasons, None)
    cache[user.pk] = status
    return status


def conflicted_proposal_ids(*, user: User, conference: Conference) -> frozenset[int]:
    """Ids of the proposals of ``conference`` that ``user`` is conflicted with: one query, and
    a second only when some organisation conflicts the user automatically.

    Every page of the review workspace asks this, so the first query is plain SQL: one
    UNION ALL brings the user's declared affiliations, the conference's organisations (name,
    domains, whether the user is a member), the proposals naming the user as a speaker, and the
    user's rulings. Built with the ORM the same took three queries and ~3 ms more per page,
    most of it compiling them. Each branch is selective (indexes on the speakers' upper-cased
    e-mail and on the proposals' organisation)."""
    quote = connection.ops.quote_name
    chairs = quote(ConferenceChair._meta.db_table)
    organisations = quote(Organisation._meta.db_table)
    memberships = quote(Membership._meta.db_table)
    proposals = quote(Proposal._meta.db_table)
    speakers = quote(Speaker._meta.db_table)
    rulings = quote(Conflict._meta.db_table)
    sql = f"""
        SELECT 'affiliations', NULL, c.affiliations, NULL, NULL
            FROM {chairs} c WHERE c.conference_id = %s AND c.user_id = %s
        UNION ALL
        SELECT 'organisation', o.id, o.name, CAST(o.domains AS TEXT),
               CASE WHEN EXISTS (
                   SELECT 1 FROM {memberships} m
                   WHERE m.organisation_id = o.id AND m.user_id = %s
               ) THEN 1 ELSE 0 END
            FROM {organisations} o
            WHERE EXISTS (
                SELECT 1 FROM {proposals} p WHERE p.organisation_id = o.id AND p.conference_id = %s
            )
        UNION ALL
        SELECT 'speaker', s.proposal_id, NULL, NULL, NULL
            FROM {speakers} s JOIN {proposals} p ON p.id = s.proposal_id
            WHERE UPPER(s.email) = UPPER(%s) AND p.conference_id = %s
        UNION ALL
        SELECT 'ruling', r.proposal_id, r.kind, NULL, NULL
            FROM {rulings} r JOIN {proposals} p ON p.id = r.proposal_id
            WHERE r.user_id = %s AND p.conference_id = %s
    """  # only table names are formatted into the text; values are parameters
    params: list[int | str] = [conference.pk, user.pk, user.pk, conference.pk]
    params += [user.email, conference.pk, user.pk, conference.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    affiliations = next(
        (affiliation_lines(text or "") for kind, _, text, _, _ in rows if kind == "affiliations"),
        [],
    )
    conflicted_organisations = [
        pk
        for kind, pk, name, domains, is_member in rows
        if kind == "organisation"
        and organisation_conflict_reasons(
            email_domain=user.email_domain,
            affiliations=affiliations,
            organisation_name=name,
            organisation_domains=json.loads(domains or "null") or [],
            is_member=bool(is_member),
        )
    ]
    automatic = {pk for kind, pk, *_ in rows if kind == "speaker"}
    if conflicted_organisations:
        automatic.update(
            Proposal.objects.filter(
                conference=conference, organisation_id__in=conflicted_organisations
            )
            .order_by()
            .values_list("pk", flat=True)
        )
    rulings_of = [(pk, ruling) for kind, pk, ruling, *_ in rows if kind == "ruling"]
    lifted = {pk for pk, ruling in rulings_of if ruling == ConflictKind.LIFTED}
    ruled = {pk for pk, ruling in rulings_of if ruling != ConflictKind.LIFTED}
    return frozenset((automatic - lifted) | ruled)


@dataclass
class ConflictRow:
    """One (user, proposal) pair with a conflict or a ruling, for the admins' conflicts page."""

    user: User
    proposal: Proposal
    automatic_reasons: list[str] = field(default_factory=list)
    ruling: Conflict | None = None

    @property
    def conflicted(self) -> bool:
        if self.ruling is not None:
            return self.ruling.is_conflict
        return bool(self.automatic_reasons)


def conflicts_in_conference(*, conference: Conference) -> list[ConflictRow]:
    """Every automatic conflict and every ruling between the conference's chairs (and anyone
    with a ruling) and its proposals, for admins. A fixed number of queries."""
    chairs = list(ConferenceChair.objects.filter(conference=conference).select_related("user"))
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(conference=conference)
        .exclude(state="draft")
        .select_related("organisation")
    }
    rows: dict[tuple[int, int], ConflictRow] = {}
    member_pairs = set(
        Membership.objects.filter(user__in=[c.user for c in chairs]).values_list(
            "user_id", "organisation_id"
        )
    )
    organisations = {
        p.organisation.pk: p.organisation for p in proposals.values() if p.organisation is not None
    }
    for chair in chairs:
        affiliations = affiliation_lines(chair.affiliations)
        for organisation in organisations.values():
            reasons = organisation_conflict_reasons(
                email_domain=chair.user.email_domain,
                affiliations=affiliations,
                organisation_name=organisation.name,
                organisation_domains=organisation.domains or [],
                is_member=(chair.user_id, organisation.pk) in member_pairs,
            )
            if not reasons:
                continue
            for proposal in proposals.values():
                if proposal.organisation_id == organisation.pk:
                    rows[(chair.user_id, proposal.pk)] = ConflictRow(
                        chair.user, proposal, list(reasons)
                    )
    chair_users = {c.user.email.lower(): c.user for c in chairs}
    for proposal_id, email in Speaker.objects.filter(proposal_id__in=proposals.keys()).values_list(
        "proposal_id", "email"
    ):
        user = chair_users.get(email.lower())
        if user is None:
            continue
        row = rows.setdefault((user.pk, proposal_id), ConflictRow(user, proposals[proposal_id]))
        row.automatic_reasons.append("listed as a speaker")
    for ruling in Conflict.objects.filter(proposal_id__in=proposals.keys()).select_related(
        "user", "set_by"
    ):
        row = rows.setdefault(
            (ruling.user_id, ruling.proposal_id),
            ConflictRow(ruling.user, proposals[ruling.proposal_id]),
        )
        row.ruling = ruling
    return sorted(
        rows.values(), key=lambda r: (r.user.email, r.proposal.title.casefold(), r.proposal.pk)
    )
