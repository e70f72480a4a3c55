"""Outbox API: admins read every message; Crisis Center agents the messages about complaints only."""

from __future__ import annotations

from tests.config.matrix import Row, expect


def setup(world):
    from satuatap.notify.models import Message

    message = Message.objects.filter(ref__startswith="complaint:").order_by("pk").first()
    world.ids["message_complaint"] = message.pk if message else world.ids["message"]


ROWS = [
    Row("GET", "api/v1/notifications/", "/api/v1/notifications/", expect(403, anonymous=401, crisis=200, admin=200)),
    Row("GET", "api/v1/notifications/<message_id>", "/api/v1/notifications/{message_complaint}",
        expect(403, anonymous=401, crisis=200, admin=200), note="a complaint message"),
]
