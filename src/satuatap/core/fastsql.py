"""Hand-written SQL for the few statements every step transition runs, with the ORM's own columns and converters.

Building a queryset and compiling it to SQL costs more Python time than PostgreSQL takes to run the statement
(see bench/profile_transition.py). The statements on the hot path of a transition (bearer token, case lock, the
case's steps, step and case updates, event rows) have a fixed shape, so their SQL is written once here and the
rows are turned into ordinary model instances exactly as the ORM would turn them: the same column list (from the
model's fields), the same database converters (`from_db_value`, SQLite's text dates …) and `Model.from_db`, so
the rest of the code cannot tell them apart from instances read through a queryset. Values written go through
each field's `get_db_prep_save`, as `QuerySet.update` does.

Everything here runs on both SQLite and PostgreSQL through Django's own cursor (query logging, execute wrappers
and the transaction in force all apply).
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
import threading
from asyncio import _get_running_loop
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db import models as m
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from satuatap.core import pgtime

_DB = "default"
_new = object.__new__


class _ThisThread(threading.local):
    db = None


_this_thread = _ThisThread()


def _connection():
    """`connections[_DB]`, kept for this thread: Django's lookup asks asyncio for a running loop each time (an
    exception raised and caught when there is none), which costs more than the rest of a short statement's Python
    work, and a transition makes a dozen. A thread keeps its connection object for its life (closing and
    reconnecting happen inside it); with an event loop running, Django's own lookup answers (the connection of the
    async context)."""
    db = _this_thread.db
    if db is None or _get_running_loop() is not None:
        db = connections[_DB]
        if _get_running_loop() is None:
            _this_thread.db = db
    return db


def _plain_model(model: type[Model]) -> bool:
    """Whether instances of `model` may be built without calling its __init__: the model keeps Django's own
    __init__ and from_db, and nothing listens to its init signals (an ImageField's dimensions do, for one)."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
    )


def attach(obj: Model, name: str, related: Model | None) -> None:
    """Put an already loaded related object on `obj` (forward foreign key or one-to-one `name`), as
    select_related does: no query later, and none of the descriptor's checks now (the key already matches)."""
    obj._state.fields_cache[name] = related


class _NewPlan:
    """How `new` fills an instance of one model: for each name a value may be given under (a field's name or its
    attribute), the attribute it sets and, for a relation given as an object, the related model and the attribute
    of its key; and every field's attribute with its default."""

    def __init__(self, model: type[Model]) -> None:
        self.by_name: dict[str, tuple[str, type[Model] | None, str | None]] = {}
        self.defaults: list[tuple[str, Callable[[], Any]]] = []
        for f in model._meta.concrete_fields:
            if f.is_relation:
                self.by_name[f.name] = (f.attname, f.related_model, f.target_field.attname)
            self.by_name[f.attname] = (f.attname, None, None)
            self.defaults.append((f.attname, f.get_default))


_new_plans: dict[type[Model], _NewPlan | None] = {}


def new(model: type[Model], **values: Any) -> Model:
    """A new, unsaved instance, as `model(**values)` makes it (every other field at its default, a related object
    cached as its descriptor would cache it) without `Model.__init__`'s generic argument handling: the rows a
    transition writes are built a few at a time on every request. Anything else (a model with its own __init__ or
    init signals, a value that is not a concrete field, a related value of the wrong type) goes to
    `model(**values)`, which also raises what it raises; so do models with a one-to-one field."""
    if model in _new_plans:
        plan = _new_plans[model]
    else:
        # a one-to-one also fills the related object's reverse cache when assigned: left to Model.__init__
        plain = _plain_model(model) and not any(f.one_to_one for f in model._meta.concrete_fields)
        plan = _new_plans[model] = _NewPlan(model) if plain else None
    if plan is None:
        return model(**values)
    obj = _new(model)
    state = ModelState()
    d = obj.__dict__
    d["_state"] = state
    cache = state.fields_cache
    by_name = plan.by_name
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is None:
            return model(**values)
        attname, related, target = spec
        if related is None:
            d[attname] = value
        elif value is None:
            d[attname] = None
            cache[name] = None
        elif isinstance(value, related):
            d[attname] = getattr(value, target)
            cache[name] = value
        else:
            return model(**values)
    for attname, default in plan.defaults:
        if attname not in d:
            d[attname] = default()
    return obj


def _quote(name: str) -> str:
    return _connection().ops.quote_name(name)


def for_update() -> str:
    """` FOR UPDATE` where the database locks rows that way (PostgreSQL), else nothing (SQLite, whose write
    transactions already hold the database's lock): for a Statement that locks what it reads."""
    return " FOR UPDATE" if _connection().features.has_select_for_update else ""


class Statement:
    """SQL written once per database vendor: `build` gets the quoting function and returns the statement, or the
    statement and the fixed parameters of what it embeds (a selector's rule written as SQL: `params`, which the
    caller passes where that SQL sits)."""

    def __init__(self, build: Callable[[Callable[[str], str]], str | tuple[str, Sequence[Any]]]) -> None:
        self._build = build
        self._by_vendor: dict[str, tuple[str, tuple]] = {}

    def _plan(self) -> tuple[str, tuple]:
        # keyed by the database's engine, read from the settings (the connection handler's per-thread lookup of
        # the connection would cost more than the rest of this)
        engine = connections.settings[_DB]["ENGINE"]
        plan = self._by_vendor.get(engine)
        if plan is None:
            built = self._build(_quote)
            plan = self._by_vendor[engine] = (built, ()) if isinstance(built, str) else (built[0], tuple(built[1]))
        return plan

    @property
    def built(self) -> bool:
        """Whether the statement has been written for a database already (what it embeds is fixed from then on)."""
        return bool(self._by_vendor)

    @property
    def sql(self) -> str:
        return self._plan()[0]

    @property
    def params(self) -> tuple:
        return self._plan()[1]


# The standard library's JSON scanner with the default decoder's settings, as `json.loads` runs it: called
# directly it skips `loads`' argument checks and whitespace matching, which cost more than scanning a short value.
_SCAN_JSON = json.scanner.make_scanner(json.JSONDecoder())


class _JsonEmptyShortcut:
    """A JSONField's own `from_db_value` (the default decoder), with the empty object and list (most step outcomes,
    payloads and warning lists) handed back without the JSON parser and other text scanned directly; it takes no
    connection. A value the scanner does not read whole (leading or trailing whitespace, invalid text) goes to
    `from_db_value`, which decides as before."""

    def __init__(self, field: m.JSONField) -> None:
        self.from_db_value = field.from_db_value

    def __call__(self, value, expression, connection):
        if value == "{}":
            return {}
        if value == "[]":
            return []
        if value.__class__ is str:
            try:
                decoded, end = _SCAN_JSON(value, 0)
            except (StopIteration, ValueError):  # not JSON at all, or invalid inside (JSONDecodeError)
                pass
            else:
                if end == len(value):
                    return decoded
        return self.from_db_value(value, expression, connection)


class Columns:
    """The concrete columns of a model (under a table alias) and rows of them turned into model instances."""

    def __init__(self, model: type[Model], alias: str, only: tuple[str, ...] = ()) -> None:
        """`only`: just these fields (by name), for a row read for one or two values; the instance then has the
        others deferred, as `QuerySet.only` leaves them (reading one queries the database)."""
        self.model = model
        self.alias = alias
        self.fields: tuple[Field, ...] = (tuple(model._meta.get_field(n) for n in only) if only
                                          else tuple(model._meta.concrete_fields))
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: dict[str, list[tuple[int, list]]] = {}
        self._needs_connection: dict[str, bool] = {}
        self._plain: bool | None = None

    @property
    def table(self) -> str:
        return _quote(self.model._meta.db_table)

    @property
    def sql(self) -> str:
        """`alias."col", …` in field order."""
        return ", ".join(f"{self.alias}.{_quote(f.column)}" for f in self.fields)

    def _converters_for(self, connection) -> list[tuple[int, list]]:
        found = self._converters.get(connection.settings_dict["ENGINE"])
        if found is None:
            found = []
            for i, f in enumerate(self.fields):
                col = f.get_col(self.alias)
                funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if type(f) is m.JSONField and f.decoder is None and funcs == [f.from_db_value]:
                    funcs = [_JsonEmptyShortcut(f)]
                if funcs:
                    found.append((i, [(fn, col) for fn in funcs]))
            self._converters[connection.settings_dict["ENGINE"]] = found
            self._needs_connection[connection.settings_dict["ENGINE"]] = any(
                not isinstance(fn, _JsonEmptyShortcut) for _, funcs in found for fn, _ in funcs)
        return found

    def load(self, row: Sequence[Any], offset: int = 0) -> Model:
        """A model instance from `row[offset : offset + width]`, as a queryset would have made it."""
        return self.load_all((row,), offset)[0]

    def load_all(self, rows: Iterable[Sequence[Any]], offset: int = 0) -> list[Model]:
        """`load` for each row (the connection's converters looked up once)."""
        engine = connections.settings[_DB]["ENGINE"]
        converters = self._converters.get(engine)
        # the connection (a per-thread lookup) only when one of the converters takes it
        connection = _connection() if converters is None or self._needs_connection[engine] else None
        if converters is None:
            converters = self._converters_for(connection)
        if self._plain is None:
            self._plain = _plain_model(self.model)
        model, attnames, end = self.model, self.attnames, offset + self.width
        out = []
        for row in rows:
            values = list(row[offset:end])
            for i, funcs in converters:
                value = values[i]
                for fn, col in funcs:
                    value = fn(value, col, connection)
                values[i] = value
            if not self._plain:
                out.append(model.from_db(_DB, attnames, values))
                continue
            # What Model.__init__ does with positional values from the database (every field's attribute set, no
            # descriptor logic, since nothing is cached yet), without its generic argument handling and signals.
            obj = _new(model)
            state = ModelState()
            state.adding = False
            state.db = _DB
            obj.__dict__.update(zip(attnames, values, strict=True))
            obj._state = state
            out.append(obj)
        return out


# psycopg turns a statement's `%s` placeholders into PostgreSQL's `$n` once per distinct statement and keeps the
# result (an LRU cache of 128), but not for a statement over 50 parameters or 4,096 bytes, so that bulk inserts of
# every size cannot fill it. The one write statement of a transition (insert_along) goes over that when a completion
# unlocks several steps: REG's has 127 parameters, and converting it again costs about 120 microseconds, more than
# the rest of its Python work (one in ten transitions of a journey). The statements here come in a few fixed shapes,
# so the limits are raised to fit them; the cache's size stays, and so does its bound on memory (a few MB at most).
_CACHED_PARAMS, _CACHED_LENGTH = 256, 16_384


@lru_cache
def _psycopg_caches_long_statements() -> bool:
    """Raise psycopg's limits for the statements its conversion cache keeps (once per process); False where psycopg
    has no such limits (another version: then nothing is changed)."""
    try:
        from psycopg import _queries
    except ImportError:
        return False
    if not (isinstance(getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", None), int)
            and isinstance(getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", None), int)):
        return False
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, _CACHED_PARAMS)
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, _CACHED_LENGTH)
    return True


def _cursor(db):
    """A cursor of the connection, kept on it for the next statement: creating Django's cursor wrapper and
    psycopg's cursor costs about a third of running a short prepared statement. A fresh one whenever the
    connection was replaced, or queries are being logged (DEBUG, assertNumQueries), so Django's own cursor
    (reconnection, debug logging) applies exactly as before."""
    db.close_if_health_check_failed()
    kept = getattr(db, "_fastsql_cursor", None)
    if kept is not None and kept[0] is db.connection and db.connection is not None and not db.queries_logged:
        return kept[1]
    cursor = db.cursor()
    if db.vendor == "postgresql":
        _psycopg_caches_long_statements()
    if not db.queries_logged:
        pgtime.use_compiled_as_is(cursor, db)
        db._fastsql_cursor = (db.connection, cursor)
    else:
        db._fastsql_cursor = None
    return cursor


def _run(sql: str, params: Sequence[Any], result: Callable[[Any], Any]) -> Any:
    """Run a statement and take `result` from the cursor. With Django's plain cursor wrapper and no execute
    wrapper installed, the database driver's cursor is called as the wrapper calls it (broken-transaction check,
    driver errors turned into Django's) without its layers of calls; otherwise through the wrapper, so debug
    logging and execute wrappers see every statement."""
    db = _connection()
    cursor = _cursor(db)
    if db.execute_wrappers or type(cursor) is not CursorWrapper:
        cursor.execute(sql, params)
        return result(cursor)
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        raw = cursor.cursor
        raw.execute(sql, params)
        return result(raw)


def _all(cursor) -> list[tuple]:
    return cursor.fetchall()


def _rowcount(cursor) -> int:
    return cursor.rowcount


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    return _run(sql, params, _all)


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run a statement; the number of rows it changed."""
    return _run(sql, params, _rowcount)


def prep(model: type[Model], name: str, value: Any) -> Any:
    """A value as the database takes it for a field (what QuerySet.update does with it)."""
    field = model._meta.get_field(name)
    return field.get_db_prep_save(value, connection=_connection())


# Field classes whose preparation for saving is, for a value of the exact Python type named, a plain hand-over or
# one call into the backend's operations: what `get_db_prep_save` comes to after its layers of checks (read from
# Django 5.2's fields). Any other class, subclass or value type takes `get_db_prep_save` itself.
_AS_IS = {m.CharField: str, m.TextField: str, m.BooleanField: bool}
_INTEGERS = (m.IntegerField, m.PositiveIntegerField, m.PositiveSmallIntegerField, m.SmallIntegerField,
             m.BigIntegerField, m.PositiveBigIntegerField)
_AUTO = (m.AutoField, m.BigAutoField, m.SmallAutoField)


def _preparer(field: Field, connection) -> Callable[[Any], Any]:
    """`field.get_db_prep_save(value, connection)` as a function of the value, shortened for the usual types."""
    slow = field.get_db_prep_save
    ops = connection.ops
    kind = type(field)

    def fallback(value):
        return slow(value, connection=connection)

    if kind in (m.ForeignKey, m.OneToOneField):
        target = field.target_field
        inner = _preparer(target, connection)
        empty_is_null = not target.empty_strings_allowed or connection.features.interprets_empty_strings_as_nulls

        def prep_key(value):
            if value is None or (empty_is_null and value == ""):
                return None
            return inner(value)
        return prep_key
    # None (SQL NULL) comes out of every one of these classes as None
    if kind in _AS_IS:
        exact = _AS_IS[kind]
        return lambda value: value if value is None or value.__class__ is exact else fallback(value)
    if kind in _INTEGERS:
        internal, adapt = field.get_internal_type(), ops.adapt_integerfield_value
        return lambda value: (None if value is None else adapt(value, internal) if value.__class__ is int
                              else fallback(value))
    if kind in _AUTO:
        validate = ops.validate_autopk_value
        return lambda value: None if value is None else validate(value) if value.__class__ is int else fallback(value)
    if kind is m.DateTimeField:
        adapt = ops.adapt_datetimefield_value
        # an aware datetime passes the field's checks unchanged (a naive one is warned about and made aware)
        return lambda value: (None if value is None else adapt(value)
                              if value.__class__ is dt.datetime and value.tzinfo is not None else fallback(value))
    if kind is m.DateField:
        adapt = ops.adapt_datefield_value
        return lambda value: None if value is None else adapt(value) if value.__class__ is dt.date else fallback(value)
    if kind is m.JSONField:
        adapt, encoder = ops.adapt_json_value, field.encoder
        return lambda value: (None if value is None else adapt(value, encoder) if value.__class__ in (dict, list)
                              else fallback(value))
    return fallback


def _value_getter(field: Field) -> Callable[[Model], Any] | None:
    """How an insert takes the field's value from an object: its attribute, unless `pre_save` does more (auto_now
    dates, files …): then None, and `pre_save` is called."""
    kind = type(field)
    if kind in (m.DateField, m.DateTimeField) and (field.auto_now or field.auto_now_add):
        return None
    known = kind in _AS_IS or kind in _INTEGERS or kind in _AUTO or kind in (
        m.ForeignKey, m.OneToOneField, m.DateField, m.DateTimeField, m.JSONField)
    return None if not known else field.attname


def _preparers_for(model: type[Model], names: tuple[str, ...], connection) -> tuple[Callable[[Any], Any], ...]:
    """The preparers of these fields, kept on the connection they were made for (a connection belongs to one
    thread)."""
    kept = connection.__dict__.setdefault("_fastsql_preparers", {})
    key = (model, names)
    found = kept.get(key)
    if found is None:
        found = kept[key] = tuple(_preparer(model._meta.get_field(n), connection) for n in names)
    return found


_update_plans: dict[tuple, tuple[str, tuple[Field, ...], tuple[Field, ...]]] = {}


def _update_plan(model: type[Model], names: tuple[str, ...], guards: tuple[tuple[str, bool], ...]):
    """The UPDATE statement for these fields and guards (`True`: the guard's value is None, so IS NULL)."""
    key = (model, names, guards, connections.settings[_DB]["ENGINE"])
    plan = _update_plans.get(key)
    if plan is None:
        meta = model._meta
        fields = tuple(meta.get_field(n) for n in names)
        guard_fields = tuple(meta.get_field(n) for n, _ in guards)
        conds = [f"{_quote(meta.pk.column)} = %s"] + [
            f"{_quote(f.column)} IS NULL" if is_null else f"{_quote(f.column)} = %s"
            for f, (_, is_null) in zip(guard_fields, guards, strict=True)
        ]
        sql = (f"UPDATE {_quote(meta.db_table)} SET {', '.join(f'{_quote(f.column)} = %s' for f in fields)} "  # noqa: S608
               f"WHERE {' AND '.join(conds)}")
        plan = _update_plans[key] = (sql, fields, tuple(f for f, (_, is_null) in zip(guard_fields, guards,
                                                                                     strict=True) if not is_null))
    return plan


def update_by_pk(model: type[Model], pk: Any, values: dict[str, Any], *, where: dict[str, Any] | None = None) -> int:
    """UPDATE one row by primary key (and optional equality guards; a None guard is IS NULL) with only the given
    fields; the number of rows changed."""
    return execute(*update_statement(model, pk, values, where=where))


def update_statement(model: type[Model], pk: Any, values: dict[str, Any], *,
                     where: dict[str, Any] | None = None) -> tuple[str, list[Any]]:
    """The SQL and parameters of `update_by_pk`, not run (see `insert(..., along=…)`)."""
    names = tuple(values)
    guards = tuple((n, v is None) for n, v in where.items()) if where else ()
    connection = _connection()
    # the plan and the fields' preparers, kept on the connection per shape of update (a transition sends a few)
    kept = connection.__dict__.setdefault("_fastsql_updates", {})
    shape = (model, names, guards)
    found = kept.get(shape)
    if found is None:
        sql, fields, guard_fields = _update_plan(model, names, guards)
        found = kept[shape] = (sql, tuple(zip(fields, _preparers_for(model, names, connection), strict=True)),
                               guard_fields)
    sql, columns, guard_fields = found
    params = []
    for (field, prep), value in zip(columns, values.values(), strict=True):
        if isinstance(value, Model):  # a related object: the key it is referred by, as QuerySet.update takes it
            value = value.prepare_database_save(field)
        params.append(prep(value))
    params.append(pk)
    if guard_fields:
        guard_values = [v for v in where.values() if v is not None]
        params.extend(f.get_db_prep_value(v, connection=connection) for f, v in zip(guard_fields, guard_values,
                                                                                      strict=True))
    return sql, params


_insert_plans: dict[tuple, tuple[str, tuple]] = {}
_with_plans: dict[tuple, str] = {}


def insert(model: type[Model], objs: Iterable[Model], *, along: tuple[str, list[Any]] | None = None) -> list[Model]:
    """INSERT a handful of new rows in one statement and give each object its primary key (RETURNING where the
    database can; otherwise the ORM's bulk_create, which also batches large lists). No signals, like
    bulk_create.

    `along`: an UPDATE (from `update_statement`) that must happen with the insert (see `insert_along`).
    """
    created, _ = insert_along(model, objs, [along] if along is not None else [])
    return created


def _insert_plan(model: type[Model], count: int, connection) -> tuple[str, tuple[Field, ...]]:
    """INSERT of `count` rows of every concrete field but the key, RETURNING the key."""
    meta = model._meta
    key = (model, count, connection.vendor)
    plan = _insert_plans.get(key)
    if plan is None:
        fields = tuple(f for f in meta.concrete_fields if f is not meta.pk)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (f"INSERT INTO {_quote(meta.db_table)} ({', '.join(_quote(f.column) for f in fields)}) "  # noqa: S608
               f"VALUES {', '.join([row] * count)} RETURNING {_quote(meta.pk.column)}")
        plan = _insert_plans[key] = (sql, fields)
    return plan


def _insert_params(model: type[Model], fields: tuple[Field, ...], objs: Iterable[Model], connection,
                   params: list[Any]) -> None:
    """Append the values of `objs` for an `_insert_plan` statement, prepared as the ORM's insert prepares them."""
    kept = connection.__dict__.setdefault("_fastsql_insert_columns", {})
    columns = kept.get(model)
    if columns is None:
        preparers = _preparers_for(model, tuple(f.name for f in fields), connection)
        columns = kept[model] = tuple(zip(fields, map(_value_getter, fields), preparers, strict=True))
    for obj in objs:
        d = obj.__dict__
        for f, attname, prep in columns:
            params.append(prep(d[attname] if attname is not None and attname in d else f.pre_save(obj, add=True)))


def _numbered_by_database(model: type[Model]) -> bool:
    return model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")


def _saved(obj: Model, pk: Any) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = _DB


def insert_along(model: type[Model], objs: Iterable[Model], updates: Sequence[tuple[str, list[Any]]],
                 also: Sequence[Model] = ()) -> tuple[list[Model], list[int]]:
    """`insert`, with UPDATEs (from `update_statement`) that must happen with it: on PostgreSQL they ride in the
    same statement as data-modifying WITHs (one round trip instead of one each), elsewhere they run just before.
    Returns the objects with their keys and the number of rows each update changed, so a guarded update that
    found its row changed can still be refused (the caller's transaction then rolls the whole statement back).

    `also`: new rows of other models, one INSERT each, that ride along the same way (each gets its key); a row
    the database does not number, or that has its key already, is inserted on its own just before."""
    objs = list(objs)
    connection = _connection()
    returning = (connection.features.can_return_rows_from_bulk_insert and _numbered_by_database(model)
                 and 0 < len(objs) <= 50 and all(o.pk is None for o in objs))
    along = returning and connection.vendor == "postgresql"
    riding = []
    for obj in also:
        if along and obj.pk is None and _numbered_by_database(type(obj)):
            riding.append(obj)
        else:
            insert(type(obj), [obj])
    if not along:
        counts = [execute(*update) for update in updates]
        if not objs:
            return objs, counts
        if not returning:
            # keys chosen by the caller or not numbered by the database: the ORM's own path with its checks
            return model._default_manager.bulk_create(objs), counts
        updates = []
    else:
        counts = []
    sql, fields = _insert_plan(model, len(objs), connection)
    params: list[Any] = []
    if updates or riding:
        riders = [(type(obj), *_insert_plan(type(obj), 1, connection)) for obj in riding]
        with_key = (sql, *(u[0] for u in updates), *(r[1] for r in riders))
        composed = _with_plans.get(with_key)
        if composed is None:
            ctes = [f"u{i} AS ({u[0]} RETURNING 1)" for i, u in enumerate(updates)]
            ctes += [f"a{i} AS ({r[1]})" for i, r in enumerate(riders)]
            tallies = "".join(f", (SELECT count(*) FROM u{i})" for i in range(len(updates)))  # noqa: S608
            tallies += "".join(f", (SELECT {_quote(r[0]._meta.pk.column)} FROM a{i})"  # noqa: S608
                               for i, r in enumerate(riders))
            composed = _with_plans[with_key] = f"WITH {', '.join(ctes)} {sql}{tallies}"
        sql = composed
        for update in updates:
            params.extend(update[1])
        for obj, (rider, _, rider_fields) in zip(riding, riders, strict=True):
            _insert_params(rider, rider_fields, (obj,), connection, params)
    _insert_params(model, fields, objs, connection, params)
    rows = fetch(sql, params)
    for obj, row in zip(objs, rows, strict=True):
        _saved(obj, row[0])
    if updates or riding:
        tail = rows[0][1:]
        counts = [int(n) for n in tail[:len(updates)]]
        for obj, pk in zip(riding, tail[len(updates):], strict=True):
            _saved(obj, pk)
    return objs, counts
