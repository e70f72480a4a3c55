"""The API's error body, shared by every app's router: `{code, message, message_en, details}` (Indonesian message
first, English second, a stable snake_case code), as `config/api.py` renders every ApplicationError."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    details: Any = None
