from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "satuatap.accounts"
    label = "accounts"
