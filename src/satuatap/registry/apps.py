from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "satuatap.registry"
    label = "registry"
