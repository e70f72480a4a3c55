"""Fixtures for the officers' pages: desk officers of LTSA Indramayu, a case, and logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from satuatap.journey import services
from tests import factories

AGENCIES = ("DISNAKER", "DINKES", "POLRI", "IMIGRASI", "BPJSTK", "BP3MI", "BANK", "DUKCAPIL", "INFO")


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desks(db):
    """One desk officer per agency at LTSA Indramayu, plus its head."""
    officers = {code: factories.officer("LTSA-IDM", code) for code in AGENCIES}
    officers["HEAD"] = factories.head("LTSA-IDM")
    return officers


@pytest.fixture
def worker(db):
    return factories.worker("32.12")


@pytest.fixture
def case(desks, worker):
    return services.case_open(
        job_order_number=factories.job_order().number,
        actor=desks["DISNAKER"],
        worker=worker,
        office_code="LTSA-IDM",
        scheme="P2P",
        destination_country="HK",
    )


def verified(client: Client, user) -> Client:
    """Log `user` in with the second factor done (a confirmed TOTP device bound to the session)."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def as_user(user) -> Client:
    """A client logged in as `user`; heads and admins also pass the second factor."""
    client = Client()
    if user.role in ("office_head", "admin"):
        return verified(client, user)
    client.force_login(user)
    return client


def do_step(desks, case, code: str, **overrides):
    """Start and complete a step through the services, by the officer of its desk."""
    step = case.steps.select_related("definition").get(code=code)
    actor = desks[step.agency_id]
    services.step_start(actor=actor, case_number=case.number, step_code=code)
    return services.step_complete(
        actor=actor,
        case_number=case.number,
        step_code=code,
        outcome=factories.outcome(step.definition.outcome_type, **overrides),
    )
