"""Hostile input over the whole OpenAPI: schemathesis generates valid and invalid requests for every operation.

Checks, for an officer with a bearer token, an office head and an anonymous caller: no 5xx, and every 4xx
answer is JSON in the documented error shape {code, message, message_en, details}.

`make test` runs a bounded pass (SATUATAP_FUZZ_EXAMPLES, default 5 examples per operation and caller);
`make fuzz` a longer one (200).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from satuatap.accounts import services as account_services
from satuatap.config.api import api
from tests import factories

EXAMPLES = int(os.environ.get("SATUATAP_FUZZ_EXAMPLES", "5"))

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
def app():
    """Django's own WSGI handler, sharing the test's database connection (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db):
    """A little of everything so that generated ids sometimes hit real rows: a case, a worker, a job order."""
    desk = factories.officer("LTSA-IDM", "DISNAKER")
    head = factories.head("LTSA-IDM")
    worker = factories.worker()
    factories.open_case(desk, worker)
    tokens = {
        "desk": account_services.api_token_create(user=desk, name="fuzz")[1],
        "head": account_services.api_token_create(user=head, name="fuzz")[1],
    }
    return tokens


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
    return case.call(app=app, headers=headers)


@pytest.mark.django_db
def test_fuzz_callers_are_who_they_claim(app, world):
    """The fuzzing reaches the API as the intended callers (a wrong token would only exercise the 401 path)."""
    me = schema["/api/v1/me"]["GET"].Case()
    assert call(me, app, world["desk"]).json()["username"].endswith(".disnaker")
    assert call(me, app, world["head"]).status_code == 200
    assert call(me, app, None).status_code == 401


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_as_desk_officer(case, app, world):
    check(case, call(case, app, world["desk"]))


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_as_office_head(case, app, world):
    check(case, call(case, app, world["head"]))


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_fuzz_anonymous(case, app, world):
    check(case, call(case, app, None))
