"""`satuatap classify-offices --month 2026-10`: run monthly (cron, day 1); classifies every office."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from satuatap.monitoring import rubric, services


class Command(BaseCommand):
    help = "Load the rubric (idempotent), update the rollups and classify each office for a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", default=None, help="YYYY-MM (default: last month)")
        parser.add_argument("--office", action="append", default=None, help="office code (repeatable)")

    def handle(self, *args, month, office, **options):
        if month:
            first = rubric.month_parse(month)
        else:
            first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        services.rubric_load()
        services.rollup_run()
        for c in services.offices_classify(month=first, office_ids=office):
            self.stdout.write(f"{c.office_id} {c.month:%Y-%m} v{c.rubric.version}: {c.klass} ({c.score})")
