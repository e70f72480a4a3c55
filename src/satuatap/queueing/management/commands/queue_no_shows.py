"""`satuatap queue-no-shows`: bookings not checked in by the end of their grace time become no-shows, which
releases their place, and visits left open from an earlier day are closed (cron: every 15 minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from satuatap.queueing import services


class Command(BaseCommand):
    help = "Mark appointments not checked in within their grace time as no-shows; close earlier days' visits."

    def handle(self, *args, **options):
        self.stdout.write(f"{services.appointments_mark_no_shows()} appointment(s) marked as no-show")
        self.stdout.write(f"{services.visits_close_stale()} visit(s) from earlier days closed")
