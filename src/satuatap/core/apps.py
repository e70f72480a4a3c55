from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "satuatap.core"
    label = "core"
