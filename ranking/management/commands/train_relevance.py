"""`manage.py train_relevance`: train, promote or roll back a conference's relevance model.

    manage.py train_relevance --conference SLUG                # train; activate if not worse
    manage.py train_relevance --conference SLUG --no-promote   # train, keep as candidate
    manage.py train_relevance --conference SLUG --promote 3 \
        --override-reason "..." --admin admin@example.org      # activate v3 despite the rule
    manage.py train_relevance --conference SLUG --rollback --admin admin@example.org
    manage.py train_relevance --conference SLUG --shadow 3      # v3 scores beside the active one
    manage.py train_relevance --conference SLUG --stop-shadow 3
    manage.py train_relevance --conference SLUG --list
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from expo.accounts.models import User
from expo.conferences.models import Conference
from ranking.models import RelevanceModel
from ranking.services import (
    ArtefactIntegrityError,
    relevance_model_promote,
    relevance_model_rollback,
    relevance_model_shadow_start,
    relevance_model_shadow_stop,
    relevance_model_train,
)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = (
        "Train a relevance model for a conference on earlier conferences' decisions and "
        "activate it if its offline metrics are not worse than the active version's; or "
        "promote a given version (admins may override the rule with a reason), roll back, or "
        "list the versions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conference", required=True, metavar="SLUG")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--no-promote", action="store_true", help="train only")
        action.add_argument("--promote", type=int, metavar="VERSION", help="activate a version")
        action.add_argument("--rollback", action="store_true", help="reactivate the previous")
        action.add_argument("--list", action="store_true", help="list versions and metrics")
        action.add_argument(
            "--shadow", type=int, metavar="VERSION", help="score with a version in shadow"
        )
        action.add_argument("--stop-shadow", type=int, metavar="VERSION", help="stop a shadow")
        parser.add_argument("--override-reason", default="", help="admin's reason to override")
        parser.add_argument("--admin", metavar="EMAIL", help="the admin acting (for the record)")

    def handle(self, *args: Any, **options: Any) -> None:
        conference = Conference.objects.filter(slug=options["conference"]).first()
        if conference is None:
            raise CommandError(f"No conference with slug {options['conference']!r}.")
        admin = None
        if options["admin"]:
            admin = User.objects.filter(email__iexact=options["admin"].strip()).first()
            if admin is None or not admin.is_superuser:
                raise CommandError(f"{options['admin']!r} is not an admin's e-mail address.")
        if options["override_reason"] and options["promote"] is None:
            raise CommandError("--override-reason only goes with --promote VERSION.")
        try:
            if options["list"]:
                self._list(conference)
            elif options["shadow"] is not None:
                model = self._version(conference, options["shadow"])
                relevance_model_shadow_start(model=model, by=admin)
                self.stdout.write(
                    f"v{model.version} scores proposals in shadow; reviewers do not see it."
                )
            elif options["stop_shadow"] is not None:
                model = self._version(conference, options["stop_shadow"])
                relevance_model_shadow_stop(model=model, by=admin)
                self.stdout.write(f"v{model.version} no longer scores in shadow.")
            elif options["rollback"]:
                model = relevance_model_rollback(conference=conference, by=admin)
                self.stdout.write(f"v{model.version} is active again.")
            elif options["promote"] is not None:
                model = self._version(conference, options["promote"])
                relevance_model_promote(
                    model=model, by=admin, override_reason=options["override_reason"]
                )
                self.stdout.write(f"v{model.version} is active: {model.promotion_reason}")
            else:
                self._train(conference, admin, promote=not options["no_promote"])
        except PermissionDenied as error:
            raise CommandError(f"{error} Pass --admin with a superuser's e-mail.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ArtefactIntegrityError as error:
            raise CommandError(str(error)) from error

    def _version(self, conference: Conference, version: int) -> RelevanceModel:
        model = RelevanceModel.objects.filter(conference=conference, version=version).first()
        if model is None:
            raise CommandError(f"{conference} has no relevance model v{version}.")
        return model

    def _train(self, conference: Conference, admin: User | None, *, promote: bool) -> None:
        model = relevance_model_train(conference=conference, by=admin)
        self.stdout.write(
            f"v{model.version}: trained on {model.n_train} proposals ({model.n_positive} "
            f"accepted) in {model.training_seconds:.1f} s; out-of-fold AUC {_fmt(model.auc)} "
            f"(95% CI {_fmt(model.metrics.get('auc_ci_low'))}–"
            f"{_fmt(model.metrics.get('auc_ci_high'))}), Brier {_fmt(model.brier)}."
        )
        if not promote or model.status == RelevanceModel.Status.ACTIVE:
            self.stdout.write(f"v{model.version} is {model.status}.")
            return
        try:
            relevance_model_promote(model=model, by=admin)
        except ValidationError as error:
            self.stdout.write(f"Kept as a candidate. {' '.join(error.messages)}")
            return
        self.stdout.write(f"v{model.version} is active: {model.promotion_reason}")

    def _list(self, conference: Conference) -> None:
        for model in RelevanceModel.objects.filter(conference=conference).order_by("version"):
            self.stdout.write(
                f"v{model.version}  {model.status:<9}  n={model.n_train:<6} "
                f"AUC {_fmt(model.auc)}  Brier {_fmt(model.brier)}  {model.created_at:%Y-%m-%d}"
                + (f"  override: {model.promotion_reason}" if model.promotion_overridden else "")
            )
