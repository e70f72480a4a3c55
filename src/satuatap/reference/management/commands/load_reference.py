"""`satuatap load-reference [--villages] [--quiet]`: copy the shipped reference data into the database."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from satuatap.core.errors import ApplicationError
from satuatap.reference import services


class Command(BaseCommand):
    help = (
        "Load regions (Kemendagri 2025), countries, agencies, offices, process definitions and holidays. "
        "Idempotent: running it again only applies what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--villages", action="store_true", help="also load the ~83,762 kelurahan/desa (slower, ~5 s on SQLite)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")

    def handle(self, *args, villages: bool = False, quiet: bool = False, **options):
        started = time.monotonic()
        try:
            # The bar goes to the raw stderr stream: OutputWrapper would append a newline to every redraw.
            result = services.reference_load(
                villages=villages, progress=not quiet, stdout=getattr(self.stderr, "_out", None)
            )
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}\n{exc.message_en}") from exc
        if quiet:
            return
        self.stdout.write(f"{'kind':<12}{'total':>8}{'created':>9}{'updated':>9}{'deleted':>9}")
        for kind, c in result.items():
            self.stdout.write(f"{kind:<12}{c['total']:>8}{c['created']:>9}{c['updated']:>9}{c['deleted']:>9}")
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded in {time.monotonic() - started:.1f} s."))
