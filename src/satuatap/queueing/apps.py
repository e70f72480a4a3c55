from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "satuatap.queueing"
    label = "queueing"
    verbose_name = "Antrean / queue"

    def ready(self) -> None:
        # After a step change commits, the case's open visit moves on to the next desk (the journey does not
        # know the queue exists).
        from satuatap.journey.services import case_lock_probe, on_case_change
        from satuatap.queueing.services import OPEN_VISIT_PROBE, open_visit_probe
        from satuatap.queueing.services import on_case_change as route_visit

        on_case_change(route_visit)
        case_lock_probe(OPEN_VISIT_PROBE, open_visit_probe)
