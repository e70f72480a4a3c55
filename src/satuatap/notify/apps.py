from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "satuatap.notify"
    label = "notify"
    verbose_name = "Notifikasi / notifications"

    def ready(self) -> None:
        # Wiring done once here, so services never import the tasks layer (see notify/scheduling.py) and the
        # journey does not know notify exists (its in-transaction listener hook; see notify/listeners.py).
        from satuatap.journey.services import on_case_change_in_transaction
        from satuatap.notify import listeners, scheduling, tasks

        scheduling.register_scheduler(tasks.enqueue_delivery)
        on_case_change_in_transaction(listeners.on_step_change)
