from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Tracks and scheduling"

    def ready(self) -> None:
        from scheduling import signals  # noqa: F401
