"""Absolute links put into messages (status page, clarification answer form).

The public base URL comes from settings.SATUATAP_PUBLIC_URL or the environment variable of the same name.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.urls import reverse

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def public_base_url() -> str:
    base = getattr(settings, "SATUATAP_PUBLIC_URL", "") or os.environ.get("SATUATAP_PUBLIC_URL", "")
    return (base or DEFAULT_PUBLIC_URL).rstrip("/")


def status_url() -> str:
    return public_base_url() + reverse("crisis:status")


def clarification_url(token: str) -> str:
    return public_base_url() + reverse("crisis:clarification", args=[token])
