from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "satuatap.queueing"
    label = "queueing"
