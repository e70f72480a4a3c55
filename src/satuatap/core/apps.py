from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "satuatap.core"
    label = "core"

    def ready(self) -> None:
        from satuatap.core import (
            checks,  # noqa: F401  (registers the deployment checks)
            pgtime,
        )

        pgtime.install()
