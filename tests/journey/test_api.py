"""The journey over HTTP: register, open, every desk in turn with its own bearer token, read back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.journey.models import Event
from satuatap.web.demo import JOURNEY_ORDER
from tests import factories

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _, secret = account_services.api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def auth(desks):
    return {key: bearer(user) for key, user in desks.items()}


def post(client: Client, url: str, data: dict, headers: dict, **extra):
    return client.post(url, data=data, content_type="application/json", **headers, **extra)


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "message_en", "details"}
    assert body["code"] == code
    assert body["message"] and body["message_en"]
    return body


def open_case_http(client, auth, worker):
    """POST /api/v1/cases/ by the manpower desk on the legal test job order."""
    body = {"worker_id": worker.pk, "office": "LTSA-IDM", "job_order_number": factories.job_order().number}
    return post(client, "/api/v1/cases/", body, auth["DISNAKER"])


def register(client, auth, birth_date=dt.date(1997, 3, 9), sex="P"):
    nik = factories.valid_nik("32.12.01", birth_date, sex, serial=1234)
    response = post(
        client,
        "/api/v1/workers/",
        {
            "nik": nik,
            "name": "Siti Aminah",
            "birth_place": "Indramayu",
            "birth_date": birth_date.isoformat(),
            "sex": sex,
            "district_code": "32.12.01",
            "phone": "081234567890",
        },
        auth["DISNAKER"],
    )
    assert response.status_code == 201, response.content
    consent = post(
        client,
        f"/api/v1/workers/{response.json()['id']}/consents",
        {
            "consenter_name": "Rasminah",
            "relation": "mother",
            "consent_date": "2026-01-05",
            "village_head_acknowledged": True,
            "village_head_name": "Kuwu Sukra",
        },
        auth["DISNAKER"],
    )
    assert consent.status_code == 201, consent.content
    return response.json()


_WHOLE_MILLISECOND = re.compile(rb'(T\d\d:\d\d:\d\d)\.000Z(?=")')


def assert_transition_answer(response):
    """A step action's answer is exactly what Ninja makes of a TransitionOut: the schema validates it, and
    rendering the validated object with the API's renderer gives the same bytes and content type."""
    from satuatap.config.api import api
    from satuatap.journey.api import TransitionOut

    assert response.status_code == 200, response.content
    parsed = TransitionOut.model_validate_json(response.content)
    # Django writes times to the millisecond and leaves the fraction out only when the microseconds are zero: a time
    # whose microseconds are 1-999 goes out as "….000Z" and reads back as a whole second, which renders as "…Z".
    # That is the round trip losing it, not the answer differing, so such times are compared as read back.
    sent = _WHOLE_MILLISECOND.sub(rb"\1Z", response.content)
    assert api.renderer.render(None, parsed.model_dump(), response_status=200).encode() == sent
    assert response["Content-Type"] == api.get_content_type()
    assert parsed.step in parsed.changed
    return parsed


def test_full_journey_over_http(auth):
    client = Client()
    worker = register(client, auth)
    response = post(
        client,
        "/api/v1/cases/",
        {
            "worker_id": worker["id"],
            "office": "LTSA-IDM",
            "scheme": "P2P",
            "destination_country": "HK",
            "job_order_number": factories.job_order().number,
        },
        auth["DISNAKER"],
    )
    assert response.status_code == 201, response.content
    case = response.json()
    number = case["number"]
    assert {s["code"]: s["state"] for s in case["steps"]}["REG"] == "ready"

    for code in JOURNEY_ORDER:
        step = next(s for s in case["steps"] if s["code"] == code)
        headers = auth[step["agency"]]
        r = post(client, f"/api/v1/cases/{number}/steps/{code}/start", {"expected_version": step["version"]}, headers)
        assert r.status_code == 200, (code, r.content)
        assert_transition_answer(r)
        started = r.json()["step"]
        assert started["state"] == "in_progress"
        outcome_type = {
            "REG": "registration",
            "SEL": "selection",
            "MED": "medical",
            "BPJS": "bpjs",
            "SKCK": "police",
            "CERT": "certificate",
            "BANK": "bank",
            "PA": "agreement",
            "PK": "contract",
            "PASS": "passport",
            "VISA": "visa",
            "OPP": "orientation",
            "CARD": "card",
            "DEP": "departure",
        }[code]
        r = post(
            client,
            f"/api/v1/cases/{number}/steps/{code}/complete",
            {"expected_version": started["version"], "outcome": factories.outcome(outcome_type)},
            headers,
        )
        assert r.status_code == 200, (code, r.content)
        answer = assert_transition_answer(r)
        assert answer.step.state == "done" and answer.step.completed_at is not None
        assert len(answer.changed) >= 1
        case = client.get(f"/api/v1/cases/{number}", **auth["HEAD"]).json()
        assert next(s for s in case["steps"] if s["code"] == code)["state"] == "done"

    assert case["status"] == "departed"
    kinds = [e["kind"] for e in case["events"]]
    assert kinds[0] == "case_opened"
    assert kinds.count("step_completed") == len(JOURNEY_ORDER)
    assert kinds[-1] == "case_status_changed"
    med = next(e for e in case["events"] if e["kind"] == "step_completed" and e["step"] == "MED")
    assert med["agency"] == "DINKES" and med["actor"] and med["office"] == "LTSA-IDM"


def test_the_answer_without_splicing_is_the_same_rendering(auth, worker, monkeypatch):
    """The answer's other branch (taken when the renderer sets dump parameters, so its parts cannot be joined
    with the default separators): the whole dict encoded at once, still exactly Ninja's rendering."""
    from satuatap.journey import api as journey_api

    monkeypatch.setattr(journey_api, "_SPLICE", False)
    client = Client()
    number = open_case_http(client, auth, worker).json()["number"]
    r = post(client, f"/api/v1/cases/{number}/steps/REG/start", {}, auth["DISNAKER"])
    started = assert_transition_answer(r)
    r = post(client, f"/api/v1/cases/{number}/steps/REG/complete",
             {"expected_version": started.step.version, "outcome": factories.outcome("registration")},
             auth["DISNAKER"])
    answer = assert_transition_answer(r)
    assert answer.step.state == "done" and len(answer.changed) > 1  # the steps REG unlocks are in it too


def test_wrong_desk_gets_403_with_code(auth, desks, worker):
    client = Client()
    r = open_case_http(client, auth, worker)
    number = r.json()["number"]
    r = post(client, f"/api/v1/cases/{number}/steps/REG/start", {}, auth["DINKES"])
    assert_error(r, 403, "forbidden_wrong_desk")


@pytest.mark.parametrize(("microsecond", "expected"), [(500, "2026-12-03T09:15:30.000Z"),
                                                       (0, "2026-12-03T09:15:30Z")])
def test_a_time_on_or_near_a_whole_second_is_written_as_django_writes_it(auth, worker, monkeypatch, microsecond,
                                                                         expected):
    """The two cases assert_transition_answer cannot tell apart once read back ("….000Z" and "…Z")."""
    from django.core.serializers.json import DjangoJSONEncoder

    from satuatap.journey import services

    client = Client()
    number = open_case_http(client, auth, worker).json()["number"]
    moment = dt.datetime(2026, 12, 3, 9, 15, 30, microsecond, tzinfo=dt.UTC)
    monkeypatch.setattr(services.timezone, "now", lambda: moment)
    r = post(client, f"/api/v1/cases/{number}/steps/REG/start", {}, auth["DISNAKER"])
    assert_transition_answer(r)
    assert DjangoJSONEncoder().default(moment) == expected
    assert r.json()["step"]["started_at"] == expected


def test_errors_have_the_documented_shape(auth, worker):
    client = Client()
    assert_error(client.get("/api/v1/cases/NOPE-1"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/cases/NOPE-1", HTTP_AUTHORIZATION="Bearer sat_wrong"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/cases/NOPE-1", **auth["HEAD"]), 404, "case_not_found")
    assert_error(post(client, "/api/v1/cases/", {"office": "LTSA-IDM"}, auth["DISNAKER"]), 422, "validation_error")
    r = open_case_http(client, auth, worker)
    number = r.json()["number"]
    assert_error(post(client, f"/api/v1/cases/{number}/steps/MED/start", {}, auth["DINKES"]), 409, "invalid_transition")
    assert_error(
        post(client, f"/api/v1/cases/{number}/steps/REG/complete", {"outcome": {}}, auth["DISNAKER"]),
        422,
        "outcome_invalid",
    )
    assert_error(
        post(client, f"/api/v1/cases/{number}/steps/REG/start", {"expected_version": 99}, auth["DISNAKER"]),
        409,
        "stale_version",
    )
    assert_error(
        open_case_http(client, auth, worker),
        409,
        "case_active_exists",
    )


def test_revoked_token_is_refused(desks):
    token, secret = account_services.api_token_create(user=desks["HEAD"], name="t")
    client = Client()
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    account_services.api_token_revoke(token_id=token.pk)
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_idempotency_key_replays_first_response(auth, worker):
    client = Client()
    number = open_case_http(client, auth, worker).json()["number"]
    url = f"/api/v1/cases/{number}/steps/REG/start"
    first = post(client, url, {}, auth["DISNAKER"], HTTP_IDEMPOTENCY_KEY="retry-1")
    second = post(client, url, {}, auth["DISNAKER"], HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(case__number=number, kind="step_started").count() == 1
    # the same key for a different request is refused; a fresh key really acts (and gets 409 here)
    other = post(
        client,
        f"/api/v1/cases/{number}/steps/REG/reject",
        {"reason": "x y z"},
        auth["DISNAKER"],
        HTTP_IDEMPOTENCY_KEY="retry-1",
    )
    assert_error(other, 422, "idempotency_key_reused")
    fresh = post(client, url, {}, auth["DISNAKER"], HTTP_IDEMPOTENCY_KEY="retry-2")
    assert_error(fresh, 409, "invalid_transition")


def test_idempotency_keys_do_not_cross_callers(auth, worker):
    client = Client()
    number = open_case_http(client, auth, worker).json()["number"]
    url = f"/api/v1/cases/{number}/steps/REG/start"
    first = post(client, url, {}, auth["DINKES"], HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 403
    second = post(client, url, {}, auth["DISNAKER"], HTTP_IDEMPOTENCY_KEY="k")
    assert second.status_code == 200


def test_list_filters_and_scope(auth, desks, worker):
    client = Client()
    number = open_case_http(client, auth, worker).json()["number"]
    page = client.get("/api/v1/cases/?agency=DISNAKER&step_state=ready", **auth["DISNAKER"]).json()
    assert number in [c["number"] for c in page["items"]]
    page = client.get("/api/v1/cases/?agency=DINKES&step_state=ready", **auth["DINKES"]).json()
    assert number not in [c["number"] for c in page["items"]]
    # another office's officer sees nothing of this office, and gets 403 on the case itself
    other = bearer(factories.officer("LTSA-SBY", "DISNAKER"))
    assert number not in [c["number"] for c in client.get("/api/v1/cases/", **other).json()["items"]]
    assert_error(client.get(f"/api/v1/cases/{number}", **other), 403, "forbidden_case_scope")
    # a monitor of West Java sees it; of East Java does not
    west = bearer(factories.monitor("32"))
    assert client.get(f"/api/v1/cases/{number}", **west).status_code == 428  # a named record needs a reason
    assert client.get(f"/api/v1/cases/{number}", **west, HTTP_X_ACCESS_REASON="audit sampel kasus").status_code == 200
    assert client.get(f"/api/v1/cases/{number}", **bearer(factories.monitor("35"))).status_code == 403


def test_nik_masked_for_desks_that_do_not_need_it(auth, worker):
    client = Client()
    number = open_case_http(client, auth, worker).json()["number"]
    full = client.get(f"/api/v1/cases/{number}", **auth["DISNAKER"]).json()["worker"]["nik"]
    masked = client.get(f"/api/v1/cases/{number}", **auth["BPJSTK"]).json()["worker"]["nik"]
    assert full == worker.nik
    assert masked != worker.nik and "*" in masked and masked[:6] == worker.nik[:6]


def test_openapi_and_docs_served():
    client = Client()
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["openapi"].startswith("3.")
    assert "/api/v1/cases/{case_number}/steps/{step_code}/complete" in spec.json()["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_regional_monitor_lists_only_cases_of_its_region(auth, worker):
    client = Client()
    number = open_case_http(client, auth, worker).json()["number"]
    west_java = client.get("/api/v1/cases/", **bearer(factories.monitor("32"))).json()
    east_java = client.get("/api/v1/cases/", **bearer(factories.monitor("35"))).json()
    assert number in [c["number"] for c in west_java["items"]]
    assert number not in [c["number"] for c in east_java["items"]]


@pytest.mark.parametrize("value", [
    dt.datetime(2026, 12, 3, 9, 15, 30, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 3, 9, 15, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 3, 16, 15, 30, 500, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    dt.date(2026, 12, 3),
])
def test_the_answer_writes_dates_as_the_renderers_encoder_does(value):
    """The step answer formats its dates with Django's encoder directly when the encoder is Ninja's own, and
    writes them exactly as the renderer's encoder would."""
    from functools import partial

    from ninja.responses import NinjaJSONEncoder

    from satuatap.journey import api as journey_api

    assert type(journey_api._ENCODER) is NinjaJSONEncoder  # the API's renderer: the direct way must be the one used
    assert isinstance(journey_api._DATE_DEFAULT, partial)
    assert journey_api._DATE_DEFAULT(value) == journey_api._ENCODER.default(value)
