"""`satuatap backup` / `satuatap restore`: a round trip gives back the same rows and the same event log."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from satuatap.core import backup
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case, Event
from tests import factories
from tests.concurrency import ensure_reference_data


@pytest.fixture
def reference_reloaded_afterwards(django_db_blocker):
    """Requested before the database fixture, so it runs after the flush of a transactional test and puts the
    session's reference data back for the tests that follow on this worker."""
    yield
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture
def busy_database(reference_reloaded_afterwards, transactional_db):
    ensure_reference_data()
    desk = factories.officer("LTSA-IDM", "DISNAKER")
    cases = [factories.open_case(desk, factories.worker()) for _ in range(3)]
    journey_services.step_start(actor=desk, case_number=cases[0].number, step_code="REG",
                                note="'; DROP TABLE journey_event; -- <script>alert(1)</script> é ✓")
    return desk, cases


def run_backup(tmp_path) -> tuple[backup.BackupResult, dict]:
    result = backup.backup(directory=tmp_path)
    return result, json.loads(result.manifest.read_text())


def test_round_trip_gives_back_the_same_rows_and_event_log(busy_database, tmp_path, capsys):
    desk, cases = busy_database
    call_command("backup", "--output-dir", str(tmp_path))
    dump = next(p for p in tmp_path.iterdir() if not p.name.endswith(".manifest.json"))
    manifest = json.loads(backup.manifest_path_for(dump).read_text())
    assert manifest["tables"]["journey_case"] == Case.objects.count() >= 3
    assert manifest["event_log"]["count"] == Event.objects.count() >= 4
    assert ["journey", "0001_initial"] in manifest["migrations"]

    # Life goes on after the backup: a new case, a changed step, a lost event log row.
    factories.open_case(desk, factories.worker())
    journey_services.step_start(actor=desk, case_number=cases[1].number, step_code="REG")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM journey_event WHERE id = (SELECT MIN(id) FROM journey_event)")
    assert backup.differences(manifest, backup.summarise(connection.cursor(), connection.vendor))

    call_command("restore", str(dump), "--yes")
    assert "match the manifest" in capsys.readouterr().out
    with connection.cursor() as cursor:
        after = backup.summarise(cursor, connection.vendor)
    assert backup.differences(manifest, after) == []
    assert after["event_log"] == manifest["event_log"]
    assert Case.objects.count() == manifest["tables"]["journey_case"]
    note = Event.objects.filter(case__number=cases[0].number, kind__contains="start").values_list("reason", flat=True)
    assert "'; DROP TABLE journey_event; -- <script>alert(1)</script> é ✓" in list(note)


def test_a_dump_from_a_newer_release_is_refused(busy_database, tmp_path):
    result, manifest = run_backup(tmp_path)
    manifest["migrations"].append(["journey", "9999_from_the_future"])
    result.manifest.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=r"newer release.*journey\.9999_from_the_future"):
        call_command("restore", str(result.dump), "--yes")
    assert Case.objects.count() == 3  # nothing was touched


def test_a_damaged_dump_or_a_missing_manifest_is_refused(busy_database, tmp_path):
    result, _ = run_backup(tmp_path)
    with result.dump.open("r+b") as fh:
        fh.seek(200)
        fh.write(b"\x00garbage")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(result.dump), "--yes")
    result.manifest.unlink()
    with pytest.raises(CommandError, match="No manifest"):
        call_command("restore", str(result.dump), "--yes")


def test_the_event_log_digest_does_not_depend_on_the_engine_representation():
    import datetime as dt

    sqlite_row = (1, 2, None, "case_opened", 3, 4, None, "", "open", "", '{"b": 1, "a": "é"}',
                  "2026-11-30 01:02:03.000004")
    pg_row = (1, 2, None, "case_opened", 3, 4, None, "", "open", "", {"a": "é", "b": 1},
              dt.datetime(2026, 11, 30, 8, 2, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    assert backup.event_log_digest([sqlite_row]) == backup.event_log_digest([pg_row])
    changed = (*sqlite_row[:9], "x", *sqlite_row[10:])
    assert backup.event_log_digest([sqlite_row])[1] != backup.event_log_digest([changed])[1]


def test_keep_deletes_all_but_the_newest_backups(busy_database, tmp_path, capsys):
    for _ in range(3):
        call_command("backup", "--output-dir", str(tmp_path), "--keep", "2")
    manifests = sorted(tmp_path.glob("*.manifest.json"))
    assert len(manifests) == 2 and len(list(tmp_path.iterdir())) == 4
    assert backup.latest_backup_age(tmp_path) < 60


def test_missing_postgres_client_tools_are_named(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match=r"pg_dump was not found.*postgresql-client"):
        backup._pg_tool("pg_dump")


@pytest.mark.postgres
def test_postgres_round_trip_with_pg_dump_and_pg_restore(busy_database, tmp_path):
    desk, cases = busy_database
    result, manifest = run_backup(tmp_path)
    assert result.dump.suffix == ".pgdump" and manifest["engine"] == "postgresql"
    factories.open_case(desk, factories.worker())
    journey_services.step_start(actor=desk, case_number=cases[2].number, step_code="REG")
    call_command("restore", str(result.dump), "--yes")
    with connection.cursor() as cursor:
        after = backup.summarise(cursor, "postgresql")
    assert backup.differences(manifest, after) == []
    assert Case.objects.count() == 3
