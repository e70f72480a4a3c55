from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "satuatap.reference"
    label = "reference"
    verbose_name = "Reference data"
