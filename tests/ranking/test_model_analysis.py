"""Model analysis: group gaps at equal decision, house-style terms and length — checked against
scipy and statsmodels — and the plain-language summary on a model that learnt a sponsor's
house style."""

import numpy as np
import pytest
import scipy.stats
from django.urls import reverse
from statsmodels.stats.multitest import multipletests

from expo.proposals.models import ProposalState
from ranking.analysis import (
    MIN_GROUP,
    adjusted_scores,
    analysis_summary,
    group_scores,
    length_effect,
    term_concentration,
)
from ranking.selectors import model_analysis
from ranking.services import relevance_model_promote, relevance_model_train
from tests.factories import ChairFactory, ConferenceFactory, OrganisationFactory, ProposalFactory
from tests.ranking.relevance_helpers import NEUTRAL, past_conference


def test_adjusted_scores_subtract_the_mean_of_the_same_decision():
    scores = np.array([0.9, 0.7, 0.2, 0.4, 0.3])
    labels = np.array([1, 1, 0, 0, 0])
    np.testing.assert_allclose(
        adjusted_scores(scores, labels), [0.1, -0.1, -0.1, 0.1, 0.0], atol=1e-12
    )


def test_group_gaps_use_welchs_test_and_holms_adjustment_like_scipy_and_statsmodels():
    rng = np.random.default_rng(4)
    n = 120
    labels = rng.integers(0, 2, n)
    tier = np.where(
        np.arange(n) % 3 == 0, "Gold", np.where(np.arange(n) % 3 == 1, "Silver", "Bronze")
    )
    scores = 0.3 + 0.3 * labels + rng.normal(scale=0.05, size=n) + 0.06 * (tier == "Gold")
    tiny = ["Tiny" if i < MIN_GROUP - 1 else "Talk" for i in range(n)]
    result = group_scores(
        scores, labels, {"sponsor tier": [[t] for t in tier], "format": [[f] for f in tiny]}
    )
    shown = {(g.attribute, g.group): g for g in result}
    assert ("format", "Tiny") not in shown  # fewer than 5 members
    assert ("format", "Talk") not in shown  # fewer than 5 non-members to compare with
    adjusted = adjusted_scores(scores, labels)
    raw = []
    for name in ("Bronze", "Gold", "Silver"):
        inside = tier == name
        expected = scipy.stats.ttest_ind(adjusted[inside], adjusted[~inside], equal_var=False)
        assert shown[("sponsor tier", name)].p_value == pytest.approx(expected.pvalue)
        assert shown[("sponsor tier", name)].gap == pytest.approx(adjusted[inside].mean())
        raw.append(expected.pvalue)
    holm = multipletests(raw, method="holm")[1]
    for name, p in zip(("Bronze", "Gold", "Silver"), holm, strict=True):
        assert shown[("sponsor tier", name)].p_adjusted == pytest.approx(p)
    assert shown[("sponsor tier", "Gold")].flagged
    assert not shown[("sponsor tier", "Silver")].flagged


def test_topics_are_groups_a_proposal_may_belong_to_several_of():
    labels = np.array([1, 0] * 10)
    scores = np.linspace(0.1, 0.9, 20)
    topics = [["Vision", "Theory"] if i % 4 == 0 else ["Theory"] for i in range(20)]
    result = group_scores(scores, labels, {"topic": topics})
    assert [g.group for g in result] == ["Vision"]  # every proposal has Theory: no comparison
    assert result[0].n == 5


def test_a_term_used_mostly_by_one_tier_is_flagged_with_fishers_test():
    tiers = ["Platinum"] * 20 + ["Startup"] * 40 + ["unknown"] * 5
    presence = np.zeros((65, 2), dtype=bool)
    presence[:18, 0] = True  # "platform": 18 of 20 platinum proposals
    presence[20:22, 0] = True
    presence[::3, 1] = True  # "benchmark": everywhere
    result = term_concentration(presence, ["platform", "benchmark"], [0.02, 0.01], tiers)
    platform = result[0]
    assert platform.term == "platform"
    assert platform.group == "Platinum"
    assert platform.share_in_group == pytest.approx(18 / 20)
    assert platform.lift == pytest.approx((18 / 20) / (20 / 65))
    tests = []
    for j in range(2):
        for tier in ("Platinum", "Startup"):
            used = presence[:, j]
            in_tier = np.array(tiers) == tier
            table = [
                [int((used & in_tier).sum()), int((used & ~in_tier).sum())],
                [int((~used & in_tier).sum()), int((~used & ~in_tier).sum())],
            ]
            tests.append(scipy.stats.fisher_exact(table, alternative="greater").pvalue)
    assert platform.p_adjusted == pytest.approx(multipletests(tests, method="holm")[1][0])
    assert platform.flagged
    assert not result[1].flagged
    assert "unknown" not in {t.group for t in result}


def test_length_effect_is_spearmans_rho_at_equal_decision():
    rng = np.random.default_rng(1)
    words = rng.integers(50, 400, 80)
    labels = rng.integers(0, 2, 80)
    scores = 0.2 + 0.3 * labels + words / 2000
    effect = length_effect(words, scores, labels)
    expected = scipy.stats.spearmanr(words, adjusted_scores(scores, labels))
    assert effect.rho == pytest.approx(expected.statistic)
    assert effect.flagged
    assert not length_effect(words, 0.2 + 0.3 * labels, labels).flagged


def test_summary_warns_in_plain_words_or_says_nothing_was_found():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 60)
    tiers = np.where(np.arange(60) < 20, "Platinum", "Startup")
    scores = 0.3 + 0.3 * labels + 0.1 * (tiers == "Platinum") + rng.normal(scale=0.02, size=60)
    groups = group_scores(scores, labels, {"sponsor tier": [[t] for t in tiers]})
    presence = np.zeros((60, 1), dtype=bool)
    presence[:15, 0] = True
    terms = term_concentration(presence, ["platform"], [0.03], list(tiers))
    length = length_effect(np.full(60, 100), scores, labels)
    findings = analysis_summary(
        n=60, n_accepted=int(labels.sum()), groups=groups, terms=terms, length=length
    )
    warnings = [f.text for f in findings if f.level == "warn"]
    assert any(text.startswith("Platinum (sponsor tier): scores 0.") for text in warnings)
    assert any("who the sponsor is" in text for text in warnings)
    assert any("house style" in text and "“platform” (Platinum" in text for text in warnings)
    quiet = analysis_summary(
        n=60, n_accepted=30, groups=[], terms=[], length=length_effect([1] * 60, scores, labels)
    )
    assert [f.level for f in quiet] == ["ok", "info"]
    assert "small differences can go unnoticed" in quiet[0].text


@pytest.mark.django_db
def test_analysis_of_a_model_that_learnt_a_large_sponsors_house_style(client):
    """Platinum sponsors write "our platform" and were accepted more often last year: the model
    rewards the phrase, and the analysis says so."""
    past = past_conference()
    platinum = OrganisationFactory(tier="platinum")
    startup = OrganisationFactory(tier="startup")
    rng = np.random.default_rng(0)
    for i in range(60):
        big = i < 20
        accepted = (i % 10 < 7) if big else (i % 10 < 3)
        words = list(rng.choice(NEUTRAL, size=25))
        if big:
            words += ["our", "platform", "enterprise", "platform"]
        ProposalFactory(
            conference=past,
            organisation=platinum if big else startup,
            sponsor_tier="platinum" if big else "startup",
            sponsor_region="europe",
            first_time_sponsor=False,
            abstract=" ".join(words),
            state=ProposalState.ACCEPTED if accepted else ProposalState.REJECTED,
            speakers=0,
        )
    conference = ConferenceFactory()
    model = relevance_model_promote(model=relevance_model_train(conference=conference))
    result = model_analysis(model=model)
    assert result.n == 60
    platform = next(t for t in result.terms if t.term == "platform")
    assert platform.group == "Platinum"
    assert platform.flagged
    assert any("house style" in f.text for f in result.findings if f.level == "warn")
    chair = ChairFactory(conference=conference).user
    client.force_login(chair)
    page = client.get(reverse("ranking:analysis", args=[conference.slug])).content.decode()
    assert "Check this:" in page
    assert "“platform” (Platinum" in page
    # Cached until the training proposals change: a changed decision gives a new analysis.
    flipped = past.proposals.filter(state=ProposalState.REJECTED).first()
    flipped.state = ProposalState.ACCEPTED
    flipped.save()
    assert model_analysis(model=model).n_accepted == result.n_accepted + 1


@pytest.mark.django_db
def test_analysis_page_without_an_active_model_explains_why(client):
    conference = ConferenceFactory()
    client.force_login(ChairFactory(conference=conference).user)
    page = client.get(reverse("ranking:analysis", args=[conference.slug])).content.decode()
    assert "No learned version is active" in page
