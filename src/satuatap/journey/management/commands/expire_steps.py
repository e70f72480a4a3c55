"""`satuatap expire-steps`: run daily; expires step outputs past their validity (dependents reopen)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from satuatap.journey import services


class Command(BaseCommand):
    help = "Expire done steps whose output (medical certificate, SKCK, passport …) is past its validity."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today, **options):
        result = services.steps_expire_due(today=today)
        for number, codes in result.items():
            self.stdout.write(f"{number}: {', '.join(codes)} expired")
        self.stdout.write(f"{len(result)} case(s) changed")
