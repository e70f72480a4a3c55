from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "satuatap.cards"
    label = "cards"
