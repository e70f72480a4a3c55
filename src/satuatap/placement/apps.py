from django.apps import AppConfig


class PlacementConfig(AppConfig):
    name = "satuatap.placement"
    label = "placement"
