"""`satuatap crisis-timers`: run daily (or hourly); Perban 6/2024 art. 30 closure warnings and closures."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from satuatap.crisis import services


class Command(BaseCommand):
    help = "Warn complainants of coming automatic closures and close complaints whose period ran out (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="YYYY-MM-DD (default: today in WIB)")

    def handle(self, *args, today, **options):
        report = services.complaints_timers_run(today=today)
        for reference in report.warned:
            self.stdout.write(f"{reference}: closure warning")
        for reference in report.closed:
            self.stdout.write(f"{reference}: closed")
        self.stdout.write(f"{len(report.warned)} warned, {len(report.closed)} closed")
