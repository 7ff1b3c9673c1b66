from django.apps import AppConfig

# Changes after which the dashboard's cached reports are out of date.
REFRESHING_ACTIONS = frozenset(
    {
        "proposal.state",
        "review.submitted",
        "review.revised",
        "conflict.declared",
        "conflict.added",
        "conflict.lifted",
        "decision.made",
        "decision.changed",
        "import",
    }
)
# A bulk decision records one audit event per proposal; one refresh per burst is enough, and
# pages recompute anyway when their input fingerprint no longer matches the cached report.
REFRESH_DEBOUNCE_SECONDS = 10


class FairnessConfig(AppConfig):
    name = "fairness"
    verbose_name = "Fairness dashboard"

    def ready(self) -> None:
        from django.core.cache import cache

        from reviews.audit import on_audited_change

        def refresh_after(action: str, conference_id: int | None) -> None:
            if conference_id is None or action not in REFRESHING_ACTIONS:
                return
            if not cache.add(f"fairness:refresh:{conference_id}", 1, REFRESH_DEBOUNCE_SECONDS):
                return
            from fairness.tasks import refresh_reports

            refresh_reports.delay(conference_id)

        on_audited_change(refresh_after)
