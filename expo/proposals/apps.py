from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "expo.proposals"
    label = "proposals"
    verbose_name = "Proposals"

    def ready(self) -> None:
        # The project-wide permission table registers its rules on import.
        from expo import rules  # noqa: F401
