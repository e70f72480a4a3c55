from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "satuatap.portal"
    label = "portal"
