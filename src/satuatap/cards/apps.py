from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "satuatap.cards"
    label = "cards"
    verbose_name = "Kartu E-KPMI / E-KPMI cards"

    def ready(self) -> None:
        # The journey does not know the cards app exists: it calls this listener inside each case change.
        from satuatap.cards import listeners
        from satuatap.journey.services import on_case_change_in_transaction

        on_case_change_in_transaction(listeners.on_case_change)
