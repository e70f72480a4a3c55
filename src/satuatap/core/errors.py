"""One error type for the whole application, mapped to HTTP in one place (the API's handlers).

Every error carries a stable machine code, an Indonesian message (first language of the users) and an
English one. Views and the API never show a stack trace.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business error with a stable code and a bilingual message."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        message_en: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | list[Any] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details if details is not None else {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_en": self.message_en, "details": self.details}


class NotAuthenticated(ApplicationError):
    status = 401
    code = "not_authenticated"


class PermissionDenied(ApplicationError):
    status = 403
    code = "forbidden"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class ValidationFailed(ApplicationError):
    status = 422
    code = "validation_error"
