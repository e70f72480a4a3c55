"""`satuatap backup [--output-dir DIR]`: an online dump of the database plus its manifest."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from satuatap.core import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump) with a manifest to verify it."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, default=None,
                            help="Where to write (default SATUATAP_BACKUP_DIR, var/backups).")
        parser.add_argument("--keep", type=int, default=None,
                            help="Then delete all but the KEEP newest backups in that directory.")

    def handle(self, *args, output_dir: Path | None, keep: int | None, **options):
        directory = output_dir or Path(settings.SATUATAP_BACKUP_DIR)
        try:
            result = backup.backup(directory=directory)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        s = result.summary
        self.stdout.write(
            f"{result.dump} ({s['dump_bytes']:,} bytes): {len(s['tables'])} tables, "
            f"{sum(s['tables'].values()):,} rows, {s['event_log']['count']:,} events "
            f"(sha256 {s['event_log']['sha256'][:16]}…)"
        )
        self.stdout.write(f"manifest: {result.manifest}")
        if keep is not None:
            deleted = backup.prune(directory, keep=keep)
            self.stdout.write(f"kept the {max(keep, 1)} newest backups; deleted {len(deleted)} files")
