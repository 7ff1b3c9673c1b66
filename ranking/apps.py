from django.apps import AppConfig


class RankingConfig(AppConfig):
    name = "ranking"
    verbose_name = "Relevance ranking and slice metrics"

    def ready(self) -> None:
        from expo.proposals.services import on_proposal_text_changed
        from ranking import rules  # noqa: F401  (registers the permission table)

        def queue_scoring(proposal_id: int) -> None:
            from ranking.tasks import score_proposal

            score_proposal.delay(proposal_id)

        # Submitted or edited proposals are scored in the background once the write commits.
        on_proposal_text_changed(queue_scoring)
