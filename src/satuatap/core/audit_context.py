"""The request being served, for audit entries written deep inside a service (who asked from where).

Services take no request (they are called from the API, pages, tasks and commands alike); the audit log still
wants the client address and path of a change. AuditContextMiddleware keeps the current request in a context
variable for the duration of the request; outside a request (tasks, commands) there is none.
"""

from __future__ import annotations

import contextvars

_current = contextvars.ContextVar("satuatap_audit_request", default=None)


def current_request():
    """The HttpRequest being served in this context, or None (task, command, test without client)."""
    return _current.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
