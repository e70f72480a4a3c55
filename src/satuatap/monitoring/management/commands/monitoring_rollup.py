"""`satuatap monitoring-rollup`: run every few minutes (cron); adds journey events not yet counted to the rollups."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from tqdm import tqdm

from satuatap.monitoring import services


class Command(BaseCommand):
    help = "Count new journey events and changed complaints into the dashboard rollups (incremental, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="forget every rollup and count from the start")
        parser.add_argument("--lag-seconds", type=int, default=int(services.SAFETY_LAG.total_seconds()))
        parser.add_argument("--batch", type=int, default=services.BATCH_EVENTS)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, reset, lag_seconds, batch, no_progress, **options):
        if reset:
            services.rollup_reset()
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if no_progress:
                return
            if bar is None:
                bar = tqdm(total=total, unit="ev", desc="rollup")
            bar.update(done - bar.n)

        report = services.rollup_run(lag=dt.timedelta(seconds=lag_seconds), batch=batch, progress=progress)
        if bar is not None:
            bar.close()
        self.stdout.write(f"rollup at event {report['last_event_id']} (+{report['event_ids_counted']} ids)")
