"""The request guards in front of the API: NUL characters and oversize bodies, answered in the error shape."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [json.dumps({"name": "a\x00b"}), '{"name": "a\\U0000b"}', '{"name": "a\\\\\\u0000b"}'],
    ids=["escaped", "upper-case-escape", "after-an-escaped-backslash"],
)
def test_a_json_nul_is_refused(body):
    r = Client().post("/api/v1/workers/", data=body, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "nul_character"


def test_a_literal_backslash_u0000_is_only_text():
    body = json.dumps({"name": "C:\\u0000"})  # the characters \ u 0 0 0 0, no NUL
    r = Client().post("/api/v1/workers/", data=body, content_type="application/json")
    assert r.status_code == 401  # reached the API (which wants a login), not refused as NUL


def test_nul_in_the_query_or_path_is_refused():
    for path in ("/api/v1/workers/?q=%00", "/api/v1/workers/%00"):
        r = Client().get(path)
        assert r.status_code == 422 and r.json()["code"] == "nul_character"


def test_unknown_api_paths_and_methods_answer_in_the_error_shape():
    r = Client().get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = Client().generic("TRACE", "/api/v1/me")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed" and "GET" in r["Allow"]


def test_pages_outside_the_api_keep_their_html_errors():
    r = Client().get("/no-such-page/")
    assert r.status_code == 404 and not r["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v1/cases/?offset=99999999999999999999",
                                  "/api/v1/cases/?offset=9223372036854775808",
                                  "/api/v1/notifications/?offset=9223372036854775808",
                                  "/api/v1/workers/99999999999999999999999"])
def test_numbers_beyond_the_database_range_get_a_4xx(path):
    from satuatap.accounts import services as account_services
    from tests import factories

    token = account_services.api_token_create(user=factories.head("LTSA-IDM"), name="t")[1]
    r = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert 400 <= r.status_code < 500, r.content
    assert {"code", "message", "message_en"} <= r.json().keys()


@pytest.mark.django_db
def test_a_json_body_that_is_not_an_object_is_refused():
    from django.test import Client

    from tests import factories

    user = factories.officer("LTSA-IDM", "DISNAKER")
    worker = factories.worker()
    client = Client()
    client.force_login(user)
    for body in ("[1, 2]", '"x"', "42"):
        r = client.patch(f"/api/v1/workers/{worker.pk}", data=body, content_type="application/json")
        assert r.status_code == 422 and r.json()["code"] == "body_not_object", body
    ok = client.patch(f"/api/v1/workers/{worker.pk}", data='  {"address": "Jl. Melati 1"}',
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["address"] == "Jl. Melati 1"
