"""core.pgtime: PostgreSQL timestamps read through psycopg's compiled loader give exactly what Django's own loader
gives (same instant, same tzinfo object), and Django's per-cursor time zone override still applies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SAMPLES = [
    "2026-12-02 07:00:00+00", "2026-12-02 07:00:00.5+07", "2026-12-02 07:00:00.123456-03:30",
    "1970-01-01 00:00:00+00", "0001-01-02 00:00:00+00", "9999-12-30 23:59:59.999999+00", "2024-02-29 12:00:00+09",
]


def _read(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_the_compiled_loader_reads_what_djangos_loader_reads():
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import postgres
    from psycopg.pq import Format

    connection.ensure_connection()
    oid = postgres.types["timestamptz"].oid
    ours = connection.connection.adapters.get_loader(oid, Format.TEXT)
    assert ours.__name__ == "CompiledTzLoader" and ours.timezone is connection.timezone
    sql = "SELECT " + ", ".join(f"%s::timestamptz AS t{i}" for i in range(len(SAMPLES)))
    fast = _read(sql, SAMPLES)[0]
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own loader, on this cursor only
        cursor.execute(sql, SAMPLES)
        django_row = cursor.fetchall()[0]
    assert fast == django_row
    assert all(v.tzinfo is dt.UTC for v in fast)
    assert [v.tzinfo for v in fast] == [v.tzinfo for v in django_row]
    assert _read("SELECT NULL::timestamptz") == [(None,)]


def test_model_datetimes_round_trip():
    from satuatap.accounts.models import User
    from tests import factories

    user = factories.officer("LTSA-IDM", "DISNAKER")
    when = dt.datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # WITA
    User.objects.filter(pk=user.pk).update(last_login=when)
    loaded = User.objects.get(pk=user.pk).last_login
    assert loaded == when and loaded.tzinfo is dt.UTC and loaded.hour == 17


def test_the_kept_cursor_reads_with_the_compiled_loader_itself_and_gets_the_same_values():
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg import postgres
    from psycopg.pq import Format

    from satuatap.core import fastsql, pgtime

    sql = "SELECT " + ", ".join(f"%s::timestamptz AS t{i}" for i in range(len(SAMPLES)))
    kept = fastsql.fetch(sql, SAMPLES)[0]
    raw = connection._fastsql_cursor[1].cursor
    loader = raw.adapters.get_loader(postgres.types["timestamptz"].oid, Format.TEXT)
    assert loader is pgtime._compiled()  # no Python wrapper on this cursor
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own loader
        cursor.execute(sql, SAMPLES)
        django_row = cursor.fetchall()[0]
    assert kept == django_row
    assert all(value.tzinfo is dt.UTC and value.tzinfo is connection.timezone for value in kept)
    # the connection's other cursors keep the wrapper Django's per-cursor check knows
    ours = connection.connection.adapters.get_loader(postgres.types["timestamptz"].oid, Format.TEXT)
    assert ours.__name__ == "CompiledTzLoader"


def test_a_session_in_another_time_zone_keeps_the_wrapper():
    from satuatap.core import pgtime

    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Jakarta'")
        try:
            assert pgtime.use_compiled_as_is(cursor, connection) is False
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
