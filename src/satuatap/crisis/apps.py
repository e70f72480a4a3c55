from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "satuatap.crisis"
    label = "crisis"
