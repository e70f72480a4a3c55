from __future__ import annotations

import io
import json

import pytest


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def gateway_ok(provider_id: str = "gw-1"):
    return FakeResponse(json.dumps({"id": provider_id}).encode())


@pytest.fixture
def outbox_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "outbox"


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.TASKS


@pytest.fixture
def sms_gateway(monkeypatch):
    monkeypatch.setenv("NOTIFY_SMS_GATEWAY_URL", "https://sms.example.test/send")
    monkeypatch.setenv("NOTIFY_SMS_GATEWAY_TOKEN", "tok-sms")
    monkeypatch.setenv("NOTIFY_WHATSAPP_GATEWAY_URL", "https://wa.example.test/send")
    monkeypatch.setenv("NOTIFY_WHATSAPP_GATEWAY_TOKEN", "tok-wa")
