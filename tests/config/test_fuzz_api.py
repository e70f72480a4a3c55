"""Hostile input over the whole OpenAPI: schemathesis generates valid and invalid requests for every operation.

Checks, for a desk officer, a system admin and an anonymous caller (plus an office head and a national monitor
in the longer run): no 5xx, and every 4xx answer is JSON in the documented error shape
{code, message, message_en, details}. Each caller uses a bearer token.

`make test` runs a bounded pass (SATUATAP_FUZZ_EXAMPLES, default 4 examples per operation and caller);
`make fuzz` a longer one (200). On PostgreSQL (DATABASE_URL) the database's own limits are exercised too.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from hypothesis import HealthCheck, settings

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.config.api import api
from tests import factories

EXAMPLES = int(os.environ.get("SATUATAP_FUZZ_EXAMPLES", "4"))

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=EXAMPLES <= 10,  # the bounded run in `make test` is repeatable; `make fuzz` explores
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


@pytest.fixture
def app(shared_test_connection):
    """Django's own WSGI handler, sharing the test's database connection (as Django's test client does)."""
    return WSGIHandler()


@pytest.fixture
def world(db):
    """A little of everything so that generated ids sometimes hit real rows (a worker and its case), and a bearer
    token per caller, made on first use (each test needs one caller)."""
    desk = factories.officer("LTSA-IDM", "DISNAKER")
    factories.open_case(desk, factories.worker())
    makers = {
        "desk": lambda: desk,
        "head": lambda: factories.head("LTSA-IDM"),
        "monitor": factories.monitor,
        "admin": lambda: account_services.user_create(username="fuzz.admin", password=None, role=Role.ADMIN),
    }

    class Tokens(dict):
        def __missing__(self, name):
            self[name] = account_services.api_token_create(user=makers[name](), name="fuzz")[1]
            return self[name]

    return Tokens()


def check(case, response) -> None:
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where} → {response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        try:
            body = json.loads(response.text)
        except ValueError:
            pytest.fail(f"{where} → {response.status_code} is not JSON: {response.text[:300]!r}")
        assert isinstance(body, dict), f"{where}: error body is not an object: {body!r}"
        missing = {"code", "message", "message_en"} - body.keys()
        assert not missing, f"{where} → {response.status_code}: error body lacks {missing}: {body!r}"
        assert isinstance(body["code"], str) and body["code"], f"{where}: empty error code"


def call(case, app, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    # Each request in its own savepoint, as each is its own transaction in production: a database error in one
    # example (reported by `check`) must not poison the test transaction for the examples after it.
    with transaction.atomic():
        return case.call(app=app, headers=headers)


@pytest.mark.django_db
def test_fuzz_callers_are_who_they_claim(app, world):
    """The fuzzing reaches the API as the intended callers (a wrong token would only exercise the 401 path)."""
    me = schema["/api/v1/me"]["GET"].Case()
    assert call(me, app, world["desk"]).json()["username"].endswith(".disnaker")
    for name in ("head", "monitor", "admin"):
        assert call(me, app, world[name]).status_code == 200
    assert call(me, app, None).status_code == 401


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_as_desk_officer(case, app, world):
    check(case, call(case, app, world["desk"]))


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_as_admin(case, app, world):
    check(case, call(case, app, world["admin"]))


longer_run_only = pytest.mark.skipif(EXAMPLES <= 10, reason="the longer run (make fuzz) only")


@longer_run_only
@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_as_office_head(case, app, world):
    check(case, call(case, app, world["head"]))


@longer_run_only
@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_as_national_monitor(case, app, world):
    check(case, call(case, app, world["monitor"]))


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_anonymous(case, app, world):
    check(case, call(case, app, None))
