from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "satuatap.web"
    label = "web"
