"""Writes of the relevance model: train and register, promote, roll back, score a proposal.

The model itself is ``ranking.model`` (no Django); this module feeds it proposals, keeps the
registry (``RelevanceModel``) and stores scores (``RelevanceScore``). See docs/relevance.md.
"""

from __future__ import annotations

import hashlib
import io
import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import scipy
import sklearn
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from expo.accounts.models import User
from expo.conferences.models import Conference
from expo.proposals.models import Proposal, ProposalState
from ranking.comparison import PairedComparison
from ranking.evaluation import evaluate_by_slice, evaluate_scores
from ranking.model import (
    RelevanceClassifier,
    build_relevance_classifier,
    proposal_document,
    text_hash,
    topical_relevance,
)
from ranking.models import (
    ModelEventAction,
    RelevanceModel,
    RelevanceModelEvent,
    RelevanceScore,
    ScoreKind,
)

if TYPE_CHECKING:
    from ranking.selectors import PairedOnlineScores

logger = logging.getLogger(__name__)

# A decision is "accepted" or not; waitlisted proposals did not get a slot, so they count as
# not accepted (docs/relevance.md).
DECIDED_STATES = (ProposalState.ACCEPTED, ProposalState.REJECTED, ProposalState.WAITLISTED)
# States whose proposals are scored by score_all (drafts may still change; withdrawn are gone).
SCORED_STATES = (
    ProposalState.SUBMITTED,
    ProposalState.UNDER_REVIEW,
    ProposalState.ACCEPTED,
    ProposalState.REJECTED,
    ProposalState.WAITLISTED,
)
MIN_TRAINING_PER_CLASS = 5
EVALUATION_FOLDS = 5
SLICE_NAMES = ("format", "sponsor tier", "company size", "region", "first-time sponsor")


class TrainingDataError(ValidationError):
    """Not enough decided proposals from past conferences to train on."""


class PromotionRefused(ValidationError):
    """The candidate's offline metrics are worse than the active version's."""


class ArtefactIntegrityError(Exception):
    """A stored model file is missing or its sha256 does not match the registry."""


def _record(
    model: RelevanceModel,
    action: ModelEventAction,
    *,
    by: User | None,
    summary: str,
    details: dict[str, Any] | None = None,
) -> RelevanceModelEvent:
    """Append one event to the registry's record; called inside the change's transaction."""
    return RelevanceModelEvent.objects.create(
        conference_id=model.conference_id,
        model=model,
        action=action,
        actor=by,
        actor_label=by.email if by is not None else "",
        summary=summary[:1000],
        details=details or {},
    )


# --- the model files ---------------------------------------------------------------------------


def relevance_model_dir() -> Path:
    """Where artefacts live: ``RELEVANCE_MODEL_DIR`` if set, else ``MEDIA_ROOT/models``."""
    configured = getattr(settings, "RELEVANCE_MODEL_DIR", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "models"


def _artefact_store(classifier: RelevanceClassifier, *, conference_id: int) -> tuple[str, str]:
    """Write the fitted classifier; returns (path relative to the model dir, sha256)."""
    buffer = io.BytesIO()
    joblib.dump(classifier, buffer, compress=3)
    payload = buffer.getvalue()
    digest = hashlib.sha256(payload).hexdigest()
    relative = f"{conference_id}/{digest}.joblib"
    target = relevance_model_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_suffix(".partial")
        partial.write_bytes(payload)
        partial.replace(target)  # atomic: a reader never sees half a file
    return relative, digest


# Verified, unpickled classifiers, keyed by the file's identity so that a file changed on disk
# is read — and checked — again.
_loaded: dict[tuple[str, str, int, int], RelevanceClassifier] = {}


def artefact_load(model: RelevanceModel) -> RelevanceClassifier:
    """The classifier of ``model``, after checking the file's sha256 against the registry.

    The bytes that are hashed are the bytes that are unpickled, so a file swapped between check
    and load cannot slip through. Raises ``ArtefactIntegrityError``.
    """
    path = relevance_model_dir() / model.artefact_path
    try:
        stat = path.stat()
    except OSError as error:
        raise ArtefactIntegrityError(
            f"The file of relevance model v{model.version} ({path}) cannot be read: "
            f"{error.strerror or error}. Retrain or restore it; nothing was scored."
        ) from error
    key = (str(path), model.artefact_sha256, stat.st_mtime_ns, stat.st_size)
    cached = _loaded.get(key)
    if cached is not None:
        return cached
    payload = path.read_bytes()
    digest = hashlib.sha256(payload).hexdigest()
    if digest != model.artefact_sha256:
        raise ArtefactIntegrityError(
            f"The file of relevance model v{model.version} ({path}) has sha256 {digest}, "
            f"but the registry recorded {model.artefact_sha256}: it was changed after training. "
            "It was not loaded and nothing was scored."
        )
    classifier = joblib.load(io.BytesIO(payload))
    if not isinstance(classifier, RelevanceClassifier):
        raise ArtefactIntegrityError(f"{path} does not hold a relevance classifier.")
    for stale in [k for k in _loaded if k[0] == key[0]]:
        del _loaded[stale]
    _loaded[key] = classifier
    return classifier


# --- documents ---------------------------------------------------------------------------------


def proposal_text(proposal: Proposal) -> str:
    """The document the model reads: title, abstract, outline and topic names."""
    return proposal_document(
        title=proposal.title,
        abstract=proposal.abstract,
        outline=proposal.outline,
        topics=[topic.name for topic in proposal.topics.all()],
    )


def conference_references(conference: Conference) -> list[str]:
    """The texts a topical score compares with: each topic, then the call text."""
    references = [f"{topic.name}. {topic.description}".strip() for topic in conference.topics.all()]
    if conference.call_text.strip():
        references.append(conference.call_text)
    return references


def training_proposals(conference: Conference) -> QuerySet[Proposal]:
    """Decided proposals of the conferences that started before ``conference``."""
    return (
        Proposal.objects.filter(
            conference__starts_on__lt=conference.starts_on, state__in=DECIDED_STATES
        )
        .prefetch_related("topics")
        .order_by("pk")
    )


@dataclass(frozen=True)
class TrainingSet:
    documents: list[str]
    labels: list[int]
    slices: dict[str, list[str]]

    @property
    def fingerprint(self) -> str:
        # Order-independent: the same proposals and decisions give the same fingerprint.
        rows = sorted(
            f"{text_hash(d)}:{y}" for d, y in zip(self.documents, self.labels, strict=True)
        )
        return text_hash(*rows)


def proposal_slices(proposal: Proposal) -> dict[str, str]:
    """The groups a proposal belongs to for per-slice metrics.

    The sponsor as it was at submission: the proposal's snapshot fields, never the organisation
    as it is now (tiers and sizes change between editions, and an erased organisation is gone).
    A proposal without a snapshot is in the group "unknown".
    """
    first_time = {True: "yes", False: "no", None: "unknown"}[proposal.first_time_sponsor]
    return {
        "format": proposal.format,
        "sponsor tier": proposal.sponsor_tier or "unknown",
        "company size": proposal.sponsor_size or "unknown",
        "region": proposal.sponsor_region or "unknown",
        "first-time sponsor": first_time,
    }


def training_set(conference: Conference) -> TrainingSet:
    proposals = list(training_proposals(conference))
    slices: dict[str, list[str]] = {name: [] for name in SLICE_NAMES}
    for proposal in proposals:
        for name, value in proposal_slices(proposal).items():
            slices[name].append(value)
    return TrainingSet(
        documents=[proposal_text(p) for p in proposals],
        labels=[int(p.state == ProposalState.ACCEPTED) for p in proposals],
        slices=slices,
    )


# --- training and the registry -----------------------------------------------------------------


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def offline_metrics(
    estimator: RelevanceClassifier,
    documents: Sequence[str],
    labels: Sequence[int],
    slices: dict[str, list[str]],
    *,
    folds: int = EVALUATION_FOLDS,
    seed: int = 0,
) -> dict[str, Any]:
    """Out-of-fold evaluation: every document is scored by a model that did not see it.

    The whole estimator — vocabulary, choice of C, calibration — is refitted in each fold.
    """
    y = np.asarray(labels, dtype=int)
    n_splits = min(folds, int(np.bincount(y, minlength=2).min()))
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    oof = cross_val_predict(
        clone(estimator),
        np.asarray(documents, dtype=object),
        y,
        cv=splitter,
        method="predict_proba",
    )[:, 1]
    report = evaluate_scores(y, oof, seed=seed).as_dict()
    report["evaluation"] = f"{n_splits}-fold stratified cross-validation, out-of-fold scores"
    report["slices"] = evaluate_by_slice(y, oof, slices, seed=seed)
    # The reference distribution for drift monitoring (PSI): out-of-fold, so it is what the
    # model gives to proposals it has not seen.
    report["reference_scores"] = [round(float(p), 5) for p in oof]
    return report


def relevance_model_train(
    *, conference: Conference, by: User | None = None, seed: int = 0
) -> RelevanceModel:
    """Train on past conferences' decisions, evaluate offline and register a candidate.

    Idempotent: if a version trained on exactly the same data with the same parameters and
    library versions exists, it is returned and nothing new is stored.
    """
    data = training_set(conference)
    positives = sum(data.labels)
    negatives = len(data.labels) - positives
    if min(positives, negatives) < MIN_TRAINING_PER_CLASS:
        raise TrainingDataError(
            f"Training needs at least {MIN_TRAINING_PER_CLASS} accepted and "
            f"{MIN_TRAINING_PER_CLASS} not-accepted proposals from earlier conferences; "
            f"there are {positives} accepted and {negatives} not accepted. Until then "
            f"proposals of {conference} get topical scores."
        )
    estimator = build_relevance_classifier(random_state=seed)
    fingerprint = data.fingerprint
    versions = library_versions()
    params = {k: _jsonable(v) for k, v in estimator.get_params().items()}
    existing = RelevanceModel.objects.filter(
        conference=conference, training_fingerprint=fingerprint
    )
    for model in existing:
        if model.library_versions == versions and _same_params(model.params, params):
            return model

    start = time.perf_counter()
    try:
        classifier = estimator.fit(data.documents, data.labels)
        training_seconds = time.perf_counter() - start
        metrics = offline_metrics(estimator, data.documents, data.labels, data.slices, seed=seed)
    except ValueError as error:  # e.g. texts with no words left after removing stop words
        raise TrainingDataError(
            f"The decided proposals of earlier conferences cannot be learned from: {error}"
        ) from error
    relative, digest = _artefact_store(classifier, conference_id=conference.pk)
    with transaction.atomic():
        # Lock the conference row so that two trainings do not pick the same version number.
        Conference.objects.select_for_update().get(pk=conference.pk)
        latest = RelevanceModel.objects.filter(conference=conference).aggregate(v=Max("version"))
        model = RelevanceModel.objects.create(
            conference=conference,
            version=(latest["v"] or 0) + 1,
            training_fingerprint=fingerprint,
            n_train=len(data.labels),
            n_positive=positives,
            params={k: _jsonable(v) for k, v in classifier.summary().items()},
            library_versions=versions,
            metrics=metrics,
            top_terms=classifier.influential_terms_,
            artefact_path=relative,
            artefact_sha256=digest,
            training_seconds=training_seconds,
            created_by=by,
        )
        _record(
            model,
            ModelEventAction.TRAINED,
            by=by,
            summary=f"v{model.version} trained on {model.n_train} decided proposals "
            f"({model.n_positive} accepted).",
            details={"auc": model.auc, "brier": model.brier},
        )
        return model


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _same_params(stored: dict[str, Any], params: dict[str, Any]) -> bool:
    return all(stored.get(key) == value for key, value in params.items())


def promotion_check(candidate: RelevanceModel, active: RelevanceModel | None) -> tuple[bool, str]:
    """The offline rule: a candidate may replace the active version if it is not worse.

    "Not worse" means out-of-fold ROC AUC at least as high *and* Brier score at most as high.
    A candidate without an AUC is worse than any active version that has one.
    """
    if active is None:
        return True, "No version was active."
    c_auc, a_auc, c_brier, a_brier = candidate.auc, active.auc, candidate.brier, active.brier
    if c_auc is None or c_brier is None:
        return a_auc is None, f"v{candidate.version} has no offline AUC or Brier score."
    if a_auc is None or a_brier is None:
        return True, f"Active v{active.version} has no offline metrics."
    comparison = (
        f"Offline: v{candidate.version}: AUC {c_auc:.3f}, Brier {c_brier:.3f}; "
        f"active v{active.version}: AUC {a_auc:.3f}, Brier {a_brier:.3f}."
    )
    if c_auc >= a_auc and c_brier <= a_brier:
        return True, f"Not worse than the active version. {comparison}"
    return False, f"Worse than the active version. {comparison}"


@dataclass(frozen=True)
class PromotionEvidence:
    allowed: bool
    basis: str  # "online" or "offline"
    explanation: str


def online_promotion_check(comparison: PairedComparison) -> bool:
    """The online rule: not worse on the paired comparison, in AUC nor in Brier score."""
    return comparison.auc.verdict != "worse" and comparison.brier.verdict != "worse"


def describe_online(comparison: PairedComparison, *, candidate: int, active: int) -> str:
    auc, brier = comparison.auc, comparison.brier

    def signed(value: float | None, digits: int) -> str:
        return "—" if value is None else f"{value:+.{digits}f}"

    return (
        f"Online, on {comparison.n} decided proposals ({comparison.n_positive} accepted) scored "
        f"by both before their decision: AUC v{candidate} {auc.candidate or 0:.3f} vs "
        f"v{active} {auc.baseline or 0:.3f} (difference {signed(auc.difference, 3)}, 95% CI "
        f"{signed(auc.ci_low, 3)} to {signed(auc.ci_high, 3)}: {auc.verdict}); Brier "
        f"{brier.candidate or 0:.3f} vs {brier.baseline or 0:.3f} (difference "
        f"{signed(brier.difference, 4)}, 95% CI {signed(brier.ci_low, 4)} to "
        f"{signed(brier.ci_high, 4)}: {brier.verdict})."
    )


def promotion_evidence(
    candidate: RelevanceModel,
    active: RelevanceModel | None,
    *,
    paired: PairedOnlineScores | None = None,
    comparison: PairedComparison | None = None,
) -> PromotionEvidence:
    """Online evidence when there is enough of it, the offline rule otherwise.

    Online evidence: at least ``MIN_ONLINE_PAIRED`` decided proposals (``MIN_ONLINE_PER_CLASS``
    of each class) scored by both versions before their decision — typically because the
    candidate ran in shadow. The candidate is then allowed unless the paired interval shows it
    worse in AUC or in Brier score (docs/relevance.md). ``paired``/``comparison`` may be passed
    when the caller has already computed them.
    """
    if active is not None and active.pk != candidate.pk:
        if paired is None:
            from ranking.selectors import paired_online_scores  # selectors import this module

            paired = paired_online_scores(baseline=active, candidate=candidate)
        if paired.enough_for_promotion:
            comparison = comparison or paired.compare()
            ids = {"candidate": candidate.version, "active": active.version}
            allowed = online_promotion_check(comparison)
            verdict = "Not worse" if allowed else "Worse"
            return PromotionEvidence(
                allowed,
                "online",
                f"{verdict} than the active version. {describe_online(comparison, **ids)}",
            )
    allowed, explanation = promotion_check(candidate, active)
    return PromotionEvidence(allowed, "offline", explanation)


def _activate(
    model: RelevanceModel,
    *,
    previous: RelevanceModel | None,
    by: User | None,
    reason: str,
    overridden: bool,
    remember_previous: bool = True,
) -> RelevanceModel:
    now = timezone.now()
    if previous is not None:
        previous.status = RelevanceModel.Status.RETIRED
        previous.retired_at = now
        previous.save(update_fields=["status", "retired_at"])
    model.status = RelevanceModel.Status.ACTIVE
    model.promoted_at = now
    model.promoted_by = by
    model.promotion_reason = reason
    model.promotion_overridden = overridden
    model.retired_at = None
    model.shadow_since = None
    fields = [
        "status",
        "promoted_at",
        "promoted_by",
        "promotion_reason",
        "promotion_overridden",
        "retired_at",
        "shadow_since",
    ]
    if remember_previous:
        model.previous_active = previous
        fields.append("previous_active")
    model.save(update_fields=fields)
    return model


def _ensure_admin(by: User | None, what: str) -> None:
    # ``by=None`` is the system (Celery tasks, commands run without --admin); people must be
    # admins. The views ask the same of ``ranking.rules``.
    if by is not None and not by.is_superuser:
        raise PermissionDenied(f"Only an admin may {what}.")


def relevance_model_promote(
    *, model: RelevanceModel, by: User | None = None, override_reason: str = ""
) -> RelevanceModel:
    """Make ``model`` the active version if the rule allows it, or an admin overrides it.

    The rule uses online evidence when there is enough, offline metrics otherwise
    (``promotion_evidence``). Raises ``PromotionRefused`` when it is worse and there is no
    override, ``PermissionDenied`` when someone other than an admin overrides, and
    ``ArtefactIntegrityError`` when its file does not match the registry.
    """
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=model.conference_id)
        model.refresh_from_db()
        active = RelevanceModel.objects.filter(
            conference_id=model.conference_id, status=RelevanceModel.Status.ACTIVE
        ).first()
        if active is not None and active.pk == model.pk:
            return model
        artefact_load(model)  # never activate a version that cannot score
        evidence = promotion_evidence(model, active)
        overridden = False
        reason = evidence.explanation
        if not evidence.allowed:
            if not override_reason.strip():
                raise PromotionRefused(
                    f"v{model.version} was not activated. {evidence.explanation} "
                    "An admin may override this, giving a reason."
                )
            if by is None or not by.is_superuser:
                raise PermissionDenied("Only an admin may activate a worse relevance model.")
            overridden = True
            reason = f"Admin override: {override_reason.strip()} ({evidence.explanation})"
        _activate(model, previous=active, by=by, reason=reason, overridden=overridden)
        _record(
            model,
            ModelEventAction.OVERRIDDEN if overridden else ModelEventAction.PROMOTED,
            by=by,
            summary=f"v{model.version} activated"
            + (f", replacing v{active.version}" if active is not None else "")
            + f". {reason}",
            details={
                "basis": evidence.basis,
                "previous": active.version if active is not None else None,
                "override_reason": override_reason.strip() if overridden else "",
            },
        )
    return model


def relevance_model_rollback(*, conference: Conference, by: User | None = None) -> RelevanceModel:
    """Reactivate the version that the active one replaced; rollback again goes further back."""
    _ensure_admin(by, "roll back the relevance model")
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=conference.pk)
        active = (
            RelevanceModel.objects.select_related("previous_active")
            .filter(conference=conference, status=RelevanceModel.Status.ACTIVE)
            .first()
        )
        if active is None:
            raise ValidationError(f"No relevance model is active for {conference}.")
        target = active.previous_active
        if target is None:
            raise ValidationError(
                f"v{active.version} did not replace an earlier version: nothing to roll back to."
            )
        artefact_load(target)
        _activate(
            target,
            previous=active,
            by=by,
            reason=f"Rolled back from v{active.version}.",
            overridden=False,
            remember_previous=False,
        )
        _record(
            target,
            ModelEventAction.ROLLED_BACK,
            by=by,
            summary=f"Rolled back from v{active.version} to v{target.version}.",
            details={"from": active.version},
        )
    return target


def relevance_model_shadow_start(
    *, model: RelevanceModel, by: User | None = None
) -> RelevanceModel:
    """Let a candidate (or retired) version score new and edited proposals beside the active
    one, without being shown; queue scoring of the conference's current proposals."""
    _ensure_admin(by, "run a relevance model in shadow")
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=model.conference_id)
        model.refresh_from_db()
        if model.status == RelevanceModel.Status.SHADOW:
            return model
        if model.status == RelevanceModel.Status.ACTIVE:
            raise ValidationError(f"v{model.version} is the active version; it is already shown.")
        artefact_load(model)  # a shadow that cannot score would compare on nothing
        model.status = RelevanceModel.Status.SHADOW
        model.shadow_since = timezone.now()
        model.save(update_fields=["status", "shadow_since"])
        _record(
            model,
            ModelEventAction.SHADOW_STARTED,
            by=by,
            summary=f"v{model.version} scores proposals in shadow (not shown to reviewers).",
        )
        conference_id = model.conference_id
        transaction.on_commit(lambda: _queue_score_all(conference_id), robust=True)
    return model


def relevance_model_shadow_stop(*, model: RelevanceModel, by: User | None = None) -> RelevanceModel:
    """Stop scoring in shadow; the version becomes a candidate again and keeps its scores."""
    _ensure_admin(by, "stop a shadow relevance model")
    with transaction.atomic():
        Conference.objects.select_for_update().get(pk=model.conference_id)
        model.refresh_from_db()
        if model.status != RelevanceModel.Status.SHADOW:
            raise ValidationError(f"v{model.version} is not running in shadow.")
        model.status = RelevanceModel.Status.CANDIDATE
        model.shadow_since = None
        model.save(update_fields=["status", "shadow_since"])
        _record(
            model,
            ModelEventAction.SHADOW_STOPPED,
            by=by,
            summary=f"v{model.version} no longer scores in shadow; its scores are kept.",
        )
    return model


def _queue_score_all(conference_id: int) -> None:
    from ranking.tasks import score_all  # tasks import services

    score_all.delay(conference_id)


def active_relevance_model(conference_id: int) -> RelevanceModel | None:
    return RelevanceModel.objects.filter(
        conference_id=conference_id, status=RelevanceModel.Status.ACTIVE
    ).first()


# --- scoring -----------------------------------------------------------------------------------


def proposal_score(*, proposal_id: int) -> RelevanceScore | None:
    """Score one proposal with its conference's active model, or topically if there is none;
    and with every version running in shadow, beside it.

    Idempotent: one score per (proposal, model version, text hash); a repeat returns the stored
    score. Returns the shown (active or topical) score, or None if the proposal no longer
    exists. Raises ``ArtefactIntegrityError`` (and stores nothing) when the active model's file
    fails its check. A shadow whose file fails is logged and skipped: it never blocks the
    score reviewers see.
    """
    proposal = (
        Proposal.objects.select_related("conference")
        .prefetch_related("topics", "conference__topics")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        return None
    document = proposal_text(proposal)
    active = active_relevance_model(proposal.conference_id)
    if active is not None:
        shown = _learned_score(proposal, active, document)
    else:
        shown = _topical_score(proposal, document)
    for shadow in RelevanceModel.objects.filter(
        conference_id=proposal.conference_id, status=RelevanceModel.Status.SHADOW
    ).order_by("version"):
        try:
            _learned_score(proposal, shadow, document)
        except ArtefactIntegrityError as error:
            logger.error(
                "Shadow v%s did not score proposal %s: %s", shadow.version, proposal.pk, error
            )
    return shown


def _learned_score(proposal: Proposal, model: RelevanceModel, document: str) -> RelevanceScore:
    return _score_once(
        proposal=proposal,
        model=model,
        digest=text_hash(document),
        kind=ScoreKind.LEARNED,
        explain=lambda: artefact_load(model).explain(document),
    )


def _topical_score(proposal: Proposal, document: str) -> RelevanceScore:
    references = conference_references(proposal.conference)
    return _score_once(
        proposal=proposal,
        model=None,
        digest=text_hash(document, *references),
        kind=ScoreKind.TOPICAL,
        explain=lambda: topical_relevance(document, references),
    )


def _score_once(
    *,
    proposal: Proposal,
    model: RelevanceModel | None,
    digest: str,
    kind: str,
    explain: Callable[[], Any],
) -> RelevanceScore:
    """The score stored for (proposal, model, text digest), computed and stored if missing;
    ``explain`` (an explanation with ``score`` and ``as_dict()``) runs only then."""
    stored = RelevanceScore.objects.filter(proposal=proposal, model=model, text_hash=digest).first()
    if stored is not None:
        return stored
    explanation = explain()
    score, _ = RelevanceScore.objects.get_or_create(
        proposal=proposal,
        model=model,
        text_hash=digest,
        defaults={"kind": kind, "score": explanation.score, "explanation": explanation.as_dict()},
    )
    return score


def conference_proposal_ids(conference_id: int) -> list[int]:
    return list(
        Proposal.objects.filter(conference_id=conference_id, state__in=SCORED_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def schedule_scoring(proposal_id: int) -> None:
    """Queue ``score_proposal`` once the current transaction commits.

    ``robust=True``: if the broker is down (or, with eager tasks, scoring fails), the sponsor's
    submission still succeeds; the error is logged and ``score_all`` catches up later.
    """
    from ranking.tasks import score_proposal  # tasks import services

    transaction.on_commit(lambda: score_proposal.delay(proposal_id), robust=True)
