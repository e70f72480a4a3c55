"""The WSGI application: two middleware chains, chosen per request.

Integrations call the API with a bearer token and no cookies. For them the page middleware (sessions, language,
CSRF tokens, login state, second factor, htmx, messages, login lockout, static files) has nothing to do but still
costs time on every call, and the step actions are the busiest requests the system serves. Such a request goes
through `SATUATAP_API_MIDDLEWARE` (settings), which keeps what an API answer needs: the security headers and CSP,
the JSON error shape, body limits, NUL refusal, the audit context and Idempotency-Key. Everything else, including
any API call that carries a cookie (the pages' own calls, a browser on /api/docs), goes through the full
`MIDDLEWARE`, so session authentication and its CSRF check stay exactly as they were.

In the API lane the four step actions (start, complete, reject, waive: most of what the system serves) skip URL
resolution: their paths are matched by one expression and their Ninja view, looked up once at start-up, is called
with the same keyword arguments the resolver would give it. Every middleware of the lane runs as before; only the
walk through the API's URL patterns is saved. Anything the expression does not match is resolved as usual.

They also skip Ninja's per-request machinery on the way that succeeds (`StepActionShortcut`): the operation's own
authentication callbacks, its body model and its view function are called as Ninja calls them, and an exception
from the view goes to the API's own handler, as in Ninja. Whenever that way does not plainly succeed (no
credential accepted, a body that does not parse or validate), Ninja's view answers instead, from the start, so
every refusal is Ninja's own.
"""

from __future__ import annotations

import os
import re

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satuatap.config.settings")


def api_lane(environ) -> bool:
    """A call under /api/ that authenticates with an Authorization header and carries no cookie."""
    return (
        environ.get("PATH_INFO", "").startswith("/api/")
        and "HTTP_AUTHORIZATION" in environ
        and not environ.get("HTTP_COOKIE")
    )


# The routes of journey.api's step actions, as the resolver matches them (Ninja's default path converter: [^/]+).
STEP_ACTIONS = ("start", "complete", "reject", "waive")
STEP_ACTION = re.compile(r"/api/v1/cases/(?P<case_number>[^/]+)/steps/(?P<step_code>[^/]+)/"
                         rf"(?P<action>{'|'.join(STEP_ACTIONS)})")


class StepActionShortcut:
    """A step action's Ninja operation called without Ninja's per-request machinery (see the module's docstring):
    `ninja_view` answers whatever this does not plainly carry through."""

    def __init__(self, operation, ninja_view) -> None:
        self.operation = operation
        self.ninja_view = ninja_view
        self.callbacks = tuple(operation.auth_callbacks)
        self.api = operation.api
        # the one body parameter (Ninja's body model has it as its only field) and its pydantic model
        (body,) = [m for m in operation.models if m.__ninja_param_source__ == "body"]
        ((self.body_name, field),) = body.model_fields.items()
        self.body_model = field.annotation

    @classmethod
    def of(cls, ninja_view):
        """The shortcut for a resolved Ninja view, or None when the view is not the plain case it handles: one
        synchronous POST operation without throttles, authenticated by synchronous callbacks, whose parameters
        are the two path values and one JSON body of a pydantic model."""
        from ninja.operation import Operation, PathView
        from ninja.utils import is_async_callable
        from pydantic import BaseModel

        cells = [c.cell_contents for c in (getattr(ninja_view, "__closure__", None) or ())]
        path_views = [c for c in cells if isinstance(c, PathView)]
        if len(path_views) != 1:
            return None
        operations = [op for op in path_views[0].operations if "POST" in op.methods]
        if len(operations) != 1 or type(operations[0]) is not Operation:
            return None
        op = operations[0]
        sources = sorted(m.__ninja_param_source__ for m in op.models)
        if (sources != ["body", "path"] or op.throttle_objects or op.stream_format or not op.auth_callbacks
                or any(is_async_callable(c) or getattr(c, "is_async", False) for c in op.auth_callbacks)
                or op.signature.response_arg):
            return None
        shortcut = cls(op, ninja_view)
        path = next(m for m in op.models if m.__ninja_param_source__ == "path")
        body = next(m for m in op.models if m.__ninja_param_source__ == "body")
        annotation = shortcut.body_model
        if (set(path.model_fields) != {"case_number", "step_code"}
                or any((k,) != tuple(v) for k, v in (getattr(path, "__ninja_flatten_map__", None) or {}).items())
                or getattr(body, "__ninja_flatten_map__", None)
                or getattr(body, "__read_from_single_attr__", None) != shortcut.body_name
                or any(f.annotation is not str for f in path.model_fields.values())
                or not (isinstance(annotation, type) and issubclass(annotation, BaseModel))):
            return None
        return shortcut

    def __call__(self, request, *, case_number: str, step_code: str):
        op = self.operation
        if request.method != "POST":  # Ninja's 405
            return self.ninja_view(request, case_number=case_number, step_code=step_code)
        if op.csrf_exempt:
            request._ninja_csrf_exempt = True
        user = None
        for callback in self.callbacks:
            try:
                user = callback(request)
            except Exception:  # Ninja turns it into the API's error answer: let it, from the start
                user = None
                break
            if user:
                break
        if not user:
            return self.ninja_view(request, case_number=case_number, step_code=step_code)
        request.auth = user
        try:
            data = self.api.parser.parse_body(request)
            payload = self.body_model.model_validate(data, context={"request": request})
        except Exception:  # unreadable or invalid: Ninja's own 400/422
            return self.ninja_view(request, case_number=case_number, step_code=step_code)
        try:
            return op.view_func(request, case_number=case_number, step_code=step_code, **{self.body_name: payload})
        except Exception as exc:
            return self.api.on_exception(request, exc)


class ApiLaneHandler(WSGIHandler):
    """Django's WSGI handler with the API lane's middleware list instead of MIDDLEWARE, and the step actions'
    views found without URL resolution (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.step_views: dict[str, object] = {}
        if self._view_middleware or self._template_response_middleware or self._exception_middleware:
            return  # Django's _get_response runs these around the view: leave the step actions to it as well
        resolver = get_resolver()
        for action in STEP_ACTIONS:
            match = resolver.resolve(f"/api/v1/cases/C/steps/S/{action}")
            if match.kwargs != {"case_number": "C", "step_code": "S"}:
                raise RuntimeError(f"the step route for {action} no longer matches STEP_ACTION")
            # as Django would call it (ATOMIC_REQUESTS, if a database sets it, wraps the view in a transaction)
            shortcut = StepActionShortcut.of(match.func)
            self.step_views[action] = self.make_view_atomic(shortcut or match.func)

    def _get_response(self, request):
        found = STEP_ACTION.fullmatch(request.path_info) if getattr(request, "urlconf", None) is None else None
        view = self.step_views.get(found["action"]) if found is not None else None
        if view is None:
            return super()._get_response(request)
        response = view(request, case_number=found["case_number"], step_code=found["step_code"])
        self.check_response(response, view)
        if callable(getattr(response, "render", None)):  # deferred rendering, as Django's _get_response does it
            response = response.render()
        return response

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler reads settings.MIDDLEWARE; this runs once, at start-up, before any request is served.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.SATUATAP_API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class SatuatapWSGI:
    """Sends each request to the API lane or to the full chain (see the module's docstring)."""

    def __init__(self) -> None:
        self.full = WSGIHandler()
        self.api = ApiLaneHandler()

    def __call__(self, environ, start_response):
        handler = self.api if api_lane(environ) else self.full
        return handler(environ, start_response)


django.setup(set_prefix=False)
application = SatuatapWSGI()
