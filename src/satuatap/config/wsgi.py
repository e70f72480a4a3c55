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
            self.step_views[action] = self.make_view_atomic(match.func)

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
