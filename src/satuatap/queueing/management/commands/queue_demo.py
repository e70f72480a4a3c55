"""`satuatap queue-demo`: demo queue data (after `satuatap demo`); safe to run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from satuatap.queueing.demo import queue_demo


class Command(BaseCommand):
    help = "Demo queue: a week of served tickets, today's visits at open counters, tomorrow's appointments."

    def add_arguments(self, parser):
        parser.add_argument("--office", action="append", default=None, help="office code (repeatable)")

    def handle(self, *args, office, **options):
        made = queue_demo(office_codes=tuple(office)) if office else queue_demo()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in made.items()))
        self.stdout.write("kiosk: /queue/kiosk/LTSA-IDM/  board: /queue/board/LTSA-IDM/  counter: /queue/counter/")
