"""The WSGI application's two lanes (config/wsgi.py): a bearer-token API call without cookies goes through the short
API middleware list, everything else through the full one. Both must answer alike: same statuses, bodies, error
codes and security headers. Driven through the real WSGI callable, as gunicorn and runserver call it. In the API
lane the step actions skip URL resolution; they must answer exactly as a resolving handler does."""

from __future__ import annotations

import io
import json

import pytest

from satuatap.accounts import services as account_services
from satuatap.config import wsgi
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(shared_test_connection):
    """The WSGI application is called directly here, as Django's test client would call it."""

SECURITY_HEADERS = ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy",
                    "Cross-Origin-Opener-Policy")


def call(method: str, path: str, *, token: str | None = None, body: bytes = b"", cookie: str = "",
         headers: dict[str, str] | None = None, app=None) -> tuple[int, dict[str, str], bytes]:
    environ = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.2.3",
        "HTTP_HOST": "testserver", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(), "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if token is not None:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    seen: dict[str, object] = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(response_headers)

    result = (app or wsgi.application)(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()
    return seen["status"], seen["headers"], content  # type: ignore[return-value]


@pytest.fixture
def desk():
    user = factories.officer("LTSA-IDM", "DISNAKER")
    return user, account_services.api_token_create(user=user, name="lanes")[1]


def test_which_requests_take_the_api_lane():
    api = {"PATH_INFO": "/api/v1/me", "HTTP_AUTHORIZATION": "Bearer sat_x"}
    assert wsgi.api_lane(api)
    assert not wsgi.api_lane({**api, "HTTP_COOKIE": "sessionid=abc"})  # a browser's call: sessions and CSRF apply
    assert not wsgi.api_lane({**api, "PATH_INFO": "/desk/"})
    assert not wsgi.api_lane({"PATH_INFO": "/api/v1/me"})


def test_both_lanes_answer_a_read_alike_with_the_security_headers(desk):
    user, token = desk
    lane = call("GET", "/api/v1/me", token=token)
    full = call("GET", "/api/v1/me", token=token, cookie="theme=dark")
    assert lane[0] == full[0] == 200
    assert json.loads(lane[2]) == json.loads(full[2]) == {
        "username": user.username, "role": "desk_officer", "office": "LTSA-IDM", "agency": "DISNAKER", "region": None,
    }
    for header in SECURITY_HEADERS:
        assert lane[1].get(header) == full[1].get(header), header
    assert lane[1]["X-Frame-Options"] == "DENY" and lane[1]["X-Content-Type-Options"] == "nosniff"
    # a JSON answer loads nothing: its policy allows nothing (pages keep the site's policy, test_deploy)
    assert lane[1]["Content-Security-Policy"].startswith("default-src 'none'")
    assert "frame-ancestors 'none'" in lane[1]["Content-Security-Policy"]


def test_a_step_transition_through_the_api_lane_is_the_real_one(desk):
    user, token = desk
    case = factories.open_case(user, factories.worker("32.12"))
    body = json.dumps({"outcome": factories.outcome("registration")}).encode()
    status, _, content = call("POST", f"/api/v1/cases/{case.number}/steps/REG/complete", token=token, body=body)
    assert status == 200, content
    answer = json.loads(content)
    assert answer["step"]["code"] == "REG" and answer["step"]["state"] == "done"
    assert {s["code"] for s in answer["changed"] if s["state"] == "ready"} >= {"MED"}
    # the same step again: refused with the engine's own error, in both lanes
    lane = call("POST", f"/api/v1/cases/{case.number}/steps/REG/complete", token=token, body=body)
    full = call("POST", f"/api/v1/cases/{case.number}/steps/REG/complete", token=token, body=body, cookie="x=1")
    assert lane[0] == full[0] == 409
    assert json.loads(lane[2])["code"] == json.loads(full[2])["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("method", "path", "body", "extra", "status", "code"),
    [
        ("GET", "/api/v1/no-such-thing", b"", {}, 404, "not_found"),
        ("POST", "/api/v1/cases/LTSA-IDM-2026-999999/steps/REG/start", b'{"note": "a\\u0000b"}', {}, 422,
         "nul_character"),
        ("POST", "/api/v1/cases/LTSA-IDM-2026-999999/steps/REG/start", b"[1]", {}, 422, "body_not_object"),
        ("POST", "/api/v1/cases/LTSA-IDM-2026-999999/steps/REG/start", b"{}", {}, 404, "case_not_found"),
        ("POST", "/api/v1/cases/LTSA-IDM-2026-999999/steps/REG/start", b"{}", {"Idempotency-Key": "bad key!"}, 400,
         "idempotency_key_invalid"),
    ],
)
def test_refusals_are_the_same_in_both_lanes(desk, method, path, body, extra, status, code):
    _, token = desk
    lane = call(method, path, token=token, body=body, headers=extra)
    full = call(method, path, token=token, body=body, headers=extra, cookie="x=1")
    assert lane[0] == full[0] == status
    assert json.loads(lane[2])["code"] == json.loads(full[2])["code"] == code
    assert json.loads(lane[2]) == json.loads(full[2])


def test_an_unknown_token_is_refused_alike(desk):
    lane = call("GET", "/api/v1/me", token="sat_not_a_real_token")
    full = call("GET", "/api/v1/me", token="sat_not_a_real_token", cookie="x=1")
    assert lane[0] == full[0] == 401
    assert json.loads(lane[2]) == json.loads(full[2])


def test_idempotency_replays_in_the_api_lane(desk):
    user, token = desk
    case = factories.open_case(user, factories.worker("32.12"))
    path = f"/api/v1/cases/{case.number}/steps/REG/start"
    first = call("POST", path, token=token, body=b"{}", headers={"Idempotency-Key": "lane-1"})
    again = call("POST", path, token=token, body=b"{}", headers={"Idempotency-Key": "lane-1"})
    assert first[0] == again[0] == 200
    assert again[2] == first[2] and again[1].get("Idempotent-Replayed") == "true"


def test_an_oversize_body_is_refused_before_it_is_read(desk, settings):
    _, token = desk
    body = b'{"note": "' + b"x" * 4096 + b'"}'
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    # the middleware read the limit when the chain was built: build fresh lanes for this setting
    fresh = wsgi.SatuatapWSGI()
    original, wsgi.application = wsgi.application, fresh
    try:
        status, _, content = call("POST", "/api/v1/cases/X/steps/REG/start", token=token, body=body)
    finally:
        wsgi.application = original
    assert status == 413 and json.loads(content)["code"] == "request_too_large"


def test_the_step_actions_are_found_without_url_resolution(desk, monkeypatch):
    user, token = desk
    case = factories.open_case(user, factories.worker("32.12"))

    handler, resolved = wsgi.application.api, []
    original = handler.resolve_request

    def recording(request):
        resolved.append(request.path_info)
        return original(request)

    monkeypatch.setattr(handler, "resolve_request", recording)
    status, _, content = call("POST", f"/api/v1/cases/{case.number}/steps/REG/start", token=token, body=b"{}")
    assert status == 200, content
    assert json.loads(content)["step"]["state"] == "in_progress"
    assert call("GET", "/api/v1/me", token=token)[0] == 200
    assert resolved == ["/api/v1/me"]  # the step action was not resolved; any other path is, as before


def _comparable(content: bytes, number: str) -> dict:
    """An answer with its case number and clock times taken out (two cases walked a moment apart)."""
    answer = json.loads(content.replace(number.encode(), b"CASE"))
    for step in [answer.get("step") or {}, *answer.get("changed", [])]:
        for key in ("ready_at", "started_at", "completed_at"):
            step[key] = bool(step.get(key))
    return answer


@pytest.fixture
def resolving():
    """The API lane as it was before the step-action shortcut: every path resolved."""
    handler = wsgi.ApiLaneHandler()
    handler.step_views = {}
    return handler


def test_a_walk_answers_alike_with_and_without_url_resolution(desk, resolving):
    """The same actions on two like cases of the API lane: one through the step-action shortcut, one resolved;
    statuses, headers and bodies agree, refusals included."""
    user, token = desk
    head = factories.head("LTSA-IDM")
    head_token = account_services.api_token_create(user=head, name="lanes-head")[1]
    cases = [factories.open_case(user, factories.worker("32.12")) for _ in range(2)]
    registration = json.dumps({"outcome": factories.outcome("registration")}).encode()
    seen = []
    actions = [
        ("REG", "start", token, b"{}"),
        ("REG", "complete", token, registration),
        ("REG", "complete", token, registration),  # again: 409 invalid_transition
        ("MED", "start", token, b"{}"),  # another desk's step: 403
        ("MED", "waive", head_token, b'{"reason": "x"}'),  # too short a reason: 422 reason_required
        ("MED", "waive", head_token, b'{"reason": "diperiksa di RS rujukan"}'),
        ("NOPE", "start", token, b"{}"),  # 404 step_not_found
        ("REG", "reject", token, b'{"expected_version": "x"}'),  # 422 validation_error
        ("REG", "start", "sat_unknown", b"{}"),  # 401: no credential accepted
        ("REG", "start", token, b""),  # no body at all: 422
        ("REG", "start", token, b'{"note": '),  # unreadable: 400
        ("REG", "start", token, b'{"note": 5}'),  # invalid: 422
    ]
    for code, action, who, body in actions:
        answers = []
        for case, app in zip(cases, (None, resolving), strict=True):
            status, headers, content = call("POST", f"/api/v1/cases/{case.number}/steps/{code}/{action}", token=who,
                                            body=body, app=app)
            answers.append((status, headers, content.replace(case.number.encode(), b"CASE"),
                            _comparable(content, case.number)))
        (status, headers, raw, content), (status_resolved, headers_resolved, raw_resolved, content_resolved) = answers
        if status >= 400:  # a refusal has no clock time in it: the very same bytes
            assert raw == raw_resolved, (code, action)
        assert status == status_resolved, (code, action, content, content_resolved)
        assert content == content_resolved, (code, action)
        assert headers == headers_resolved, (code, action)
        seen.append((status, content.get("code")))
    assert seen == [(200, None), (200, None), (409, "invalid_transition"), (403, "forbidden_wrong_desk"),
                    (422, "reason_required"), (200, None), (404, "step_not_found"), (422, "validation_error"),
                    (401, "not_authenticated"), (422, "validation_error"), (400, "invalid_json"),
                    (422, "validation_error")]


def test_a_step_action_that_succeeds_skips_ninjas_machinery(desk, monkeypatch):
    """On the API lane a step action's operation is called without Ninja's per-request run (authentication, body
    model and view as Ninja calls them); a refusal before the view (here: an unknown token) is Ninja's own."""
    from ninja.operation import Operation

    user, token = desk
    case = factories.open_case(user, factories.worker("32.12"))
    assert all(isinstance(v, wsgi.StepActionShortcut) for v in wsgi.application.api.step_views.values())
    runs = []
    original = Operation.run

    def recording(self, request, **kw):
        runs.append(request.path_info)
        return original(self, request, **kw)

    monkeypatch.setattr(Operation, "run", recording)
    path = f"/api/v1/cases/{case.number}/steps/REG/start"
    status, _, content = call("POST", path, token=token, body=b'{"note": "mulai"}')
    assert status == 200 and json.loads(content)["step"]["state"] == "in_progress" and runs == []
    assert call("POST", path, token="sat_unknown", body=b"{}")[0] == 401 and runs == [path]


def test_a_step_path_off_the_expression_is_resolved_as_before(desk, resolving):
    _, token = desk
    for path, method, status in [("/api/v1/cases/X/steps/REG/start/", "POST", 404),
                                 ("/api/v1/cases/X/steps/REG/start", "GET", 405),
                                 ("/api/v1/cases/X/steps/REG/undo", "POST", 404)]:
        shortcut = call(method, path, token=token, body=b"{}")
        resolved = call(method, path, token=token, body=b"{}", app=resolving)
        assert shortcut[0] == resolved[0] == status, (path, method, shortcut)
        assert shortcut[1:] == resolved[1:]
