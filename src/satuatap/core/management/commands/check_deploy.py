"""`satuatap check-deploy`: Django's deployment checks plus the project's own (satuatap.E0xx / W0xx).

Run it with the production environment (DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, …). Exits 1 when
anything at --fail-level (default WARNING) or above is found, so a deploy script can stop on it.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check a deployment: Django's `check --deploy` and the project's own checks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-level", default="WARNING", choices=["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"],
            help="Exit with status 1 from this level up (default WARNING).",
        )

    def handle(self, *args, fail_level: str, **options):
        try:
            call_command("check", deploy=True, fail_level=fail_level, stdout=self.stdout, stderr=self.stderr)
        except CommandError as exc:
            raise CommandError(f"the deployment is not ready: {exc}") from exc
        self.stdout.write(self.style.SUCCESS("deployment checks passed"))
