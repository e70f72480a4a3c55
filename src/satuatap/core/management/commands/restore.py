"""`satuatap restore DUMP [--yes]`: replace the database with a backup, then check it against its manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from satuatap.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `satuatap backup` (refuses a damaged dump or one from a newer release)."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path, help="The dump file or its .manifest.json")
        parser.add_argument("--yes", action="store_true", help="Do not ask: the current data is replaced.")

    def handle(self, *args, dump: Path, yes: bool, **options):
        try:
            dump, manifest = backup.read_manifest(dump)
            known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
            backup.check_restorable(dump, manifest, known_migrations=known)
        except (backup.BackupError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        name = connection.settings_dict["NAME"]
        if not yes:
            answer = input(f"Replace ALL data in {name} with the backup of {manifest['created_at']}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes", "ya"}:
                raise CommandError("restore cancelled")
        try:
            restored = backup.restore(dump, manifest)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        problems = backup.differences(manifest, restored)
        if problems:
            raise CommandError("the restored database does not match the manifest:\n  " + "\n  ".join(problems))
        self.stdout.write(
            f"restored {dump.name}: {len(restored['tables'])} tables, {sum(restored['tables'].values()):,} rows, "
            f"{restored['event_log']['count']:,} events; row counts and event log checksum match the manifest"
        )
        pending = known - {tuple(m) for m in restored["migrations"]}
        if pending:
            self.stdout.write(f"{len(pending)} migration(s) newer than the backup: run `satuatap migrate`.")
