from django.apps import AppConfig


class SponsorsConfig(AppConfig):
    name = "expo.sponsors"
    label = "sponsors"
    verbose_name = "Sponsor organisations"
