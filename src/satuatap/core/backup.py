"""Backups of the whole database, with a manifest to check a restore against.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while the server keeps
running. PostgreSQL: `pg_dump -Fc` of a snapshot exported from a REPEATABLE READ transaction, so the manifest
describes exactly the rows in the dump; `pg_restore --clean --if-exists --single-transaction` puts it back.

The manifest (`<dump>.manifest.json`) holds the row count of every table, a SHA-256 over the journey event log
in id order, the applied migrations and the dump file's own SHA-256. A restore refuses a dump that does not
match its manifest or whose migrations the code does not know (a dump from a newer release), and afterwards
checks the restored database against the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

MANIFEST_FORMAT = 1
EVENT_TABLE = "journey_event"
_EVENT_COLUMNS = ("id", "case_id", "step_id", "kind", "actor_id", "office_id", "agency_id", "from_state",
                  "to_state", "reason", "payload", "created_at")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    dump: Path
    manifest: Path
    summary: dict[str, Any]


# --- what a database holds ------------------------------------------------------------------------------

def _normalise_time(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _normalise_payload(value: Any) -> str:
    if isinstance(value, (str, bytes)):
        value = json.loads(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_log_digest(rows: Iterable[tuple]) -> tuple[int, str]:
    """(count, SHA-256) of event rows in id order, the same for SQLite and PostgreSQL representations."""
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        values = list(row)
        values[10] = _normalise_payload(values[10])
        values[11] = _normalise_time(values[11])
        digest.update(json.dumps(values, ensure_ascii=False, default=str).encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def summarise(cursor, vendor: str) -> dict[str, Any]:
    """Row counts per table, the event log digest and the applied migrations, read through a DB-API cursor."""
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                       "ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [r[0] for r in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names come from the catalogue)
        counts[table] = cursor.fetchone()[0]
    events = {"count": 0, "sha256": hashlib.sha256().hexdigest()}
    if EVENT_TABLE in counts:
        cursor.execute(f"SELECT {', '.join(_EVENT_COLUMNS)} FROM {EVENT_TABLE} ORDER BY id")  # noqa: S608
        count, sha = event_log_digest(iter(cursor.fetchone, None))
        events = {"count": count, "sha256": sha}
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [[app, name] for app, name in cursor.fetchall()]
    return {"tables": counts, "event_log": events, "migrations": migrations}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


# --- backup ---------------------------------------------------------------------------------------------

def backup(*, directory: Path) -> BackupResult:
    """Write a dump of the default database and its manifest into `directory`; returns their paths."""
    vendor = _vendor()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    if vendor == "sqlite":
        dump = directory / f"satuatap-{stamp}.sqlite3"
        summary = _backup_sqlite(dump)
    else:
        dump = directory / f"satuatap-{stamp}.pgdump"
        summary = _backup_postgres(dump)
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": vendor,
        "database": str(connection.settings_dict["NAME"]),
        "dump": dump.name,
        "dump_sha256": _file_sha256(dump),
        "dump_bytes": dump.stat().st_size,
        **summary,
    }
    manifest_path = manifest_path_for(dump)
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    os.replace(tmp, manifest_path)
    return BackupResult(dump, manifest_path, manifest)


def prune(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the `keep` newest dumps (with their manifests) in `directory`; returns what was deleted."""
    manifests = sorted(directory.glob("satuatap-*.manifest.json"), key=lambda p: p.name, reverse=True)
    deleted = []
    for manifest in manifests[max(keep, 1):]:
        dump = manifest.with_name(manifest.name[: -len(".manifest.json")])
        for path in (dump, manifest):
            if path.exists():
                path.unlink()
                deleted.append(path)
    return deleted


def latest_backup_age(directory: Path) -> float | None:
    """Seconds since the newest manifest in `directory` was written, or None when there is none."""
    manifests = list(directory.glob("satuatap-*.manifest.json")) if directory.is_dir() else []
    if not manifests:
        return None
    newest = max(p.stat().st_mtime for p in manifests)
    return max(0.0, timezone.now().timestamp() - newest)


def manifest_path_for(dump: Path) -> Path:
    return dump.with_name(dump.name + ".manifest.json")


def _backup_sqlite(dump: Path) -> dict[str, Any]:
    connection.ensure_connection()
    partial = dump.with_name(dump.name + ".partial")
    target = sqlite3.connect(partial)
    try:
        # Page by page, letting the server's writers in between; restarts on its own if a writer changes a page.
        connection.connection.backup(target, pages=1024)
        # The copy inherits WAL mode; a dump should be one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    os.replace(partial, dump)
    # The manifest describes the snapshot itself, not the live database that may have moved on since.
    snapshot = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        return summarise(snapshot.cursor(), "sqlite")
    finally:
        snapshot.close()


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools matching the server's version "
            f"(Debian/Ubuntu: apt install postgresql-client) and run the command again."
        )
    return path


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    args += ["--no-password", "--dbname", str(s["NAME"])]
    return env, args


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _backup_postgres(dump: Path) -> dict[str, Any]:
    pg_dump = _pg_tool("pg_dump")
    env, args = _pg_env_and_args()
    partial = dump.with_name(dump.name + ".partial")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # pg_dump reads the very snapshot this transaction sees; the summary below describes the same rows.
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "--file", str(partial), *args], env)
        summary = summarise(cursor, "postgresql")
    os.replace(partial, dump)
    return summary


# --- restore --------------------------------------------------------------------------------------------

def read_manifest(path: Path) -> tuple[Path, dict[str, Any]]:
    """The dump and its manifest, given either file."""
    if path.name.endswith(".manifest.json"):
        manifest_path = path
        dump = path.with_name(path.name[: -len(".manifest.json")])
    else:
        dump = path
        manifest_path = manifest_path_for(path)
    if not manifest_path.exists():
        raise BackupError(f"No manifest next to the dump ({manifest_path.name}): refusing to restore blind.")
    if not dump.exists():
        raise BackupError(f"The dump {dump} does not exist.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"Unknown manifest format {manifest.get('format')!r}.")
    return dump, manifest


def check_restorable(dump: Path, manifest: dict[str, Any], *, known_migrations: set[tuple[str, str]]) -> None:
    """Refuse a dump of another engine, a damaged dump, or one from a newer release than this code."""
    vendor = _vendor()
    if manifest["engine"] != vendor:
        raise BackupError(f"The dump is a {manifest['engine']} backup; this database is {vendor}.")
    if _file_sha256(dump) != manifest["dump_sha256"]:
        raise BackupError("The dump does not match its manifest's checksum (damaged or altered): refused.")
    unknown = sorted({(a, n) for a, n in manifest["migrations"]} - known_migrations)
    if unknown:
        listed = ", ".join(f"{a}.{n}" for a, n in unknown[:10])
        raise BackupError(
            f"The dump was made by a newer release: this code does not know its migrations {listed}. "
            "Install that release (or newer) first."
        )


def restore(dump: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Replace the default database with the dump; returns what the restored database holds."""
    vendor = _vendor()
    if vendor == "sqlite":
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("Cannot restore inside a transaction.")
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)  # written under one lock: readers see old or new, never half
        finally:
            source.close()
    else:
        pg_restore = _pg_tool("pg_restore")
        env, args = _pg_env_and_args()
        connection.close()  # no prepared statement of ours survives the dropped tables
        _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", *args, str(dump)], env)
    with connection.cursor() as cursor:
        return summarise(cursor, vendor)


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What the restored database has that the manifest did not promise (empty when they agree)."""
    problems = []
    for table in sorted(set(expected["tables"]) | set(actual["tables"])):
        want, got = expected["tables"].get(table), actual["tables"].get(table)
        if want != got:
            problems.append(f"{table}: {got} rows, the manifest says {want}")
    if expected["event_log"] != actual["event_log"]:
        problems.append("the event log differs from the manifest's checksum")
    if expected["migrations"] != actual["migrations"]:
        problems.append("the applied migrations differ from the manifest's")
    return problems
