from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "satuatap.notify"
    label = "notify"
    verbose_name = "Notifikasi / notifications"

    def ready(self) -> None:
        # Wiring done once here, so services never import the tasks layer (see notify/scheduling.py) and the
        # journey does not know notify exists (its after-commit listener hook; see notify/listeners.py).
        from satuatap.journey.services import on_case_change
        from satuatap.notify import listeners, scheduling, tasks

        scheduling.register_scheduler(tasks.enqueue_delivery)
        if listeners.on_step_change not in _registered:
            on_case_change(listeners.on_step_change)
            _registered.append(listeners.on_step_change)


_registered: list = []
