"""`satuatap notify-retry`: run every minute (cron/systemd timer); re-enqueues outbox messages due for delivery."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from satuatap.notify import services


class Command(BaseCommand):
    help = "Re-enqueue outbox messages that are due for (re)delivery and rescue interrupted deliveries."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        count = services.messages_retry_due(limit=limit)
        self.stdout.write(f"{count} message(s) enqueued for delivery")
