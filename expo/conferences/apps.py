from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "expo.conferences"
    label = "conferences"
    verbose_name = "Conferences"

    def ready(self) -> None:
        from expo.conferences import signals  # noqa: F401
