from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "expo.conferences"
    label = "conferences"
    verbose_name = "Conferences"
