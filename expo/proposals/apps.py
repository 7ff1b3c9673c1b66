from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "expo.proposals"
    label = "proposals"
    verbose_name = "Proposals"
