"""The WSGI application: two middleware chains, chosen per request.

Integrations call the API with a bearer token and no cookies. For them the page middleware (sessions, language,
CSRF tokens, login state, second factor, htmx, messages, login lockout, static files) has nothing to do but still
costs time on every call, and the step actions are the busiest requests the system serves. Such a request goes
through `SATUATAP_API_MIDDLEWARE` (settings), which keeps what an API answer needs: the security headers and CSP,
the JSON error shape, body limits, NUL refusal, the audit context and Idempotency-Key. Everything else, including
any API call that carries a cookie (the pages' own calls, a browser on /api/docs), goes through the full
`MIDDLEWARE`, so session authentication and its CSRF check stay exactly as they were.
"""

from __future__ import annotations

import os

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satuatap.config.settings")


def api_lane(environ) -> bool:
    """A call under /api/ that authenticates with an Authorization header and carries no cookie."""
    return (
        environ.get("PATH_INFO", "").startswith("/api/")
        and "HTTP_AUTHORIZATION" in environ
        and not environ.get("HTTP_COOKIE")
    )


class ApiLaneHandler(WSGIHandler):
    """Django's WSGI handler with the API lane's middleware list instead of MIDDLEWARE."""

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
