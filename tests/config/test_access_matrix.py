"""The access matrix walked over HTTP: every row of tests/config/matrix/<app>.py, for every role, must answer the
status the row says; and every route of the project (Django URL or Ninja API operation) must have a row.

Run one app's rows: `pytest tests/config/test_access_matrix.py -k journey`; the routes without a row:
`pytest tests/config/test_access_matrix.py -k complete`.
"""

from __future__ import annotations

import copy
import json

import pytest
from django.core.cache import caches
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.utils import normalize_path, replace_path_param_notation

from tests.config.matrix import ADMIN_PREFIX, IGNORED_ROUTES, REFUSED, ROLES, Row
from tests.config.matrix.world import build_world, matrix_modules

MODULES = matrix_modules()
SAFE = ("GET", "HEAD", "OPTIONS")


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _fill(value, ids):
    if isinstance(value, str):
        return value.format_map(ids) if "{" in value else value
    if isinstance(value, dict):  # keys too: a form field may be named after an object ("override-{decision}-reason")
        return {_fill(k, ids): _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _send(world, row: Row, role: str, n: int):
    client = world.client(role)
    ids = {**world.ids, **row.prepare(world)} if row.prepare is not None else world.ids
    url = row.url.format_map(ids)
    data = row.data(world) if callable(row.data) else row.data
    data = _fill(data, ids)
    is_api = row.route.startswith("api/") if row.json is None else row.json
    # A distinct client address per cell keeps the per-address rate limiters out of the picture.
    extra = {"REMOTE_ADDR": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}",
             **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in row.headers.items()}}
    if row.method in SAFE:
        return client.generic(row.method, url, **extra) if data is None else client.get(url, data, **extra)
    if is_api:
        return client.generic(row.method, url, json.dumps(data or {}), content_type="application/json", **extra)
    return client.post(url, data or {}, **extra)


def _status_ok(actual: int, expected) -> bool:
    return actual in expected if isinstance(expected, tuple) else actual == expected


VALIDATION = 422


def _expects_validation(expected) -> bool:
    return VALIDATION in expected if isinstance(expected, tuple) else expected == VALIDATION


def _error_messages(response) -> list[str]:
    """The error-level messages a page queued: a page that refuses by redirecting back with a message answers the
    same 302 as one that succeeded, so such a redirect is counted as REFUSED, never as the plain 302 of success."""
    from django.contrib.messages import constants

    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m) for m in queued if m.level >= constants.ERROR]


def walk(module) -> list[tuple[str, str, str, object, int]]:
    world = build_world([module])
    wrong = []
    n = 0
    for row in module.ROWS:
        for role in ROLES:
            n += 1
            for cache in caches.all():
                cache.clear()
            client = world.client(role)
            cookies = copy.deepcopy(client.cookies)
            with transaction.atomic():
                response = _send(world, row, role, n)
                transaction.set_rollback(True)
            client.cookies = cookies  # a cell that logs out or rotates the session must not affect the next
            expected = row.cells[role]
            if _expects_validation(expected) and not row.validator:
                # A 422 is the body refused before the access rules ran: it cannot stand for "allowed".
                wrong.append((row.method, row.route, role, f"{expected} (422 only for validator rows)",
                              response.status_code))
            else:
                got = response.status_code
                errors = _error_messages(response) if row.method not in SAFE and 300 <= got < 400 else []
                if errors:
                    got = REFUSED if got == 302 else f"{got}+error"
                if not _status_ok(got, expected):
                    wrong.append((row.method, row.route, role, expected, f"{got} {errors[:1]}" if errors else got))
    return wrong


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__.rsplit(".", 1)[-1] for m in MODULES])
@pytest.mark.django_db
def test_matrix(module):
    wrong = walk(module)
    table = "\n".join(f"  {m:6} {route:60} {role:16} expected {exp} got {got}" for m, route, role, exp, got in wrong)
    assert not wrong, f"{len(wrong)} cell(s) differ:\n{table}"


def django_routes() -> set[str]:
    """Every Django URL pattern outside the API and the admin, joined from the root."""
    out: set[str] = set()

    def visit(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route in ("api/",) or route.startswith(ADMIN_PREFIX):
                    continue
                visit(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                out.add(prefix + str(p.pattern))

    visit(get_resolver().url_patterns, "")
    return out - IGNORED_ROUTES


def api_operations() -> set[tuple[str, str]]:
    """Every (method, route) of the Ninja API, routes spelled as Django sees them ("api/v1/cases/<case_number>")."""
    from satuatap.config.api import api

    out = set()
    for bound in api._get_bound_routers():
        prefix = replace_path_param_notation(bound.prefix)
        for path, view in bound.path_operations.items():
            route = normalize_path("/".join(i for i in (prefix, replace_path_param_notation(path)) if i)).lstrip("/")
            for operation in view.operations:
                for method in operation.methods:
                    out.add((method.upper(), "api/" + route))
    return out


def test_matrix_is_complete():
    """New endpoints cannot be added without a row: every route and API operation is named by some row."""
    rows = [row for m in MODULES for row in m.ROWS]
    named_routes = {row.route for row in rows}
    named_ops = {(row.method, row.route) for row in rows}
    missing = sorted(r for r in django_routes() if r not in named_routes)
    missing += sorted(f"{m} {r}" for m, r in api_operations() if (m, r) not in named_ops)
    if ADMIN_PREFIX not in named_routes:
        missing.append(ADMIN_PREFIX)
    assert not missing, "routes without a row in tests/config/matrix/<app>.py:\n  " + "\n  ".join(missing)


def test_rows_name_real_routes():
    """A row for a route that no longer exists is a stale row."""
    known = django_routes() | {r for _, r in api_operations()} | {ADMIN_PREFIX}
    stale = sorted({f"{row.method} {row.route}" for m in MODULES for row in m.ROWS if row.route not in known})
    assert not stale, "rows naming no route:\n  " + "\n  ".join(stale)
