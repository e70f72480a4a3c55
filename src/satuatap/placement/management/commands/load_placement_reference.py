"""`satuatap load_placement_reference`: the official job list and every placement rule set version (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from satuatap.core.errors import ApplicationError
from satuatap.placement import services


class Command(BaseCommand):
    help = (
        "Load placement job titles and rule set versions from placement/data/*.json. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="no summary")

    def handle(self, *args, quiet: bool = False, **options):
        try:
            result = services.placement_reference_load()
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}\n{exc.message_en}") from exc
        if quiet:
            return
        self.stdout.write(f"{'kind':<12}{'total':>8}{'created':>9}{'updated':>9}")
        for kind, c in result.items():
            self.stdout.write(f"{kind:<12}{c['total']:>8}{c['created']:>9}{c['updated']:>9}")
        self.stdout.write(self.style.SUCCESS("Placement reference data loaded."))
