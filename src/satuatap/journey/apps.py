from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "satuatap.journey"
    label = "journey"
