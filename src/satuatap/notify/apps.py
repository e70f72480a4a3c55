from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "satuatap.notify"
    label = "notify"
