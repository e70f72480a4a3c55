"""`satuatap registry-retention [--dry-run] [--years N] [--limit N]`: anonymise closed records past retention.

Run daily from cron (or enqueue `satuatap.registry.tasks.registry_retention`); safe to run again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from satuatap.registry import retention


class Command(BaseCommand):
    help = "Anonymise workers whose cases all closed more than SATUATAP_RETENTION_YEARS ago (statistics are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count, change nothing")
        parser.add_argument("--years", type=int, default=None, help="override SATUATAP_RETENTION_YEARS")
        parser.add_argument("--limit", type=int, default=None, help="at most this many workers in this run")

    def handle(self, *args, dry_run=False, years=None, limit=None, **options):
        report = retention.retention_run(years=years, limit=limit, dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(f"retention {report.years} years, cutoff {report.cutoff:%Y-%m-%d}: {verb} "
                          f"{len(report.anonymised)} worker(s)")
