from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "satuatap.monitoring"
    label = "monitoring"
