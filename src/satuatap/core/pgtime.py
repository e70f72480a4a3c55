"""PostgreSQL timestamps read with psycopg's compiled loader.

Django (5.2, psycopg 3) reads every `timestamptz` value through a loader class of its own that subclasses
psycopg's pure-Python loader, so that the value gets the connection's time zone (UTC here). Read that way, 42
timestamps in one statement cost 41.5 k interpreter instructions each, statement included; with the loader here,
15.6 k (`bench/transition_instructions.py --floor`). A step transition reads some thirty timestamps (the token and
its user, the case, its fourteen steps): the difference, some 26 k per value, is about 0.8 M instructions per
transition, an eighth of what a transition costs now. psycopg's C loader gives the same value at a small
fraction of the cost, but cannot be subclassed, so the loader registered here wraps it and keeps Django's
contract: the same `timezone` attribute (Django's cursor compares it with the connection's and registers its own
loader when they differ, so a changed time zone still wins) and the same result, the parsed value with `tzinfo`
set to that time zone.

Registered for each new connection (`connection_created`), only where Django's own loader would be replaced
by an equivalent: PostgreSQL through psycopg 3 with its C extension.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db.backends.signals import connection_created


@lru_cache
def _compiled():
    """psycopg's compiled timestamptz loader, or None without its C extension."""
    from psycopg import adapters, postgres
    from psycopg.pq import Format

    compiled = adapters.get_loader(postgres.types["timestamptz"].oid, Format.TEXT)
    return None if compiled is None or compiled.__module__.startswith("psycopg.types") else compiled


@lru_cache
def _loader_for(tz: dt.tzinfo | None):
    from psycopg.adapt import Loader

    compiled = _compiled()
    if compiled is None:
        return None  # no C extension: Django's loader is as good as any

    class CompiledTzLoader(Loader):
        timezone = tz

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = compiled(oid, context).load

        def load(self, data):
            return self._load(data).replace(tzinfo=tz)

    return CompiledTzLoader


def use_compiled_as_is(cursor, connection) -> bool:
    """On a long-lived cursor (core.fastsql keeps one per connection), read timestamps with psycopg's compiled
    loader itself, without the wrapper above, where that gives the very same value: Django's time zone for the
    connection is UTC (`datetime.timezone.utc`) and so is the session's, for which psycopg's loader puts that same
    object on the value. Django's check of a new cursor's loader ran when the cursor was made; this changes only
    this cursor's adapters. Whether it applied."""
    compiled = _compiled() if connection.vendor == "postgresql" else None
    raw = getattr(cursor, "cursor", None)
    if (compiled is None or raw is None or getattr(raw, "adapters", None) is None
            or connection.timezone is not dt.UTC
            or raw.connection.info.parameter_status("TimeZone") != "UTC"):
        return False
    raw.adapters.register_loader("timestamptz", compiled)
    return True


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    raw = connection.connection
    adapters = getattr(raw, "adapters", None)
    if adapters is None:  # psycopg2
        return
    loader = _loader_for(connection.timezone)
    if loader is not None:
        adapters.register_loader("timestamptz", loader)


def install() -> None:
    """Use the compiled loader on every PostgreSQL connection opened from now on."""
    connection_created.connect(_register, dispatch_uid="satuatap.core.pgtime")
