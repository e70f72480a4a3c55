from __future__ import annotations

import itertools

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.cards import keys
from satuatap.cards import services as card_services
from satuatap.journey import services as journey_services
from satuatap.journey.models import Case
from satuatap.web.demo import JOURNEY_ORDER
from tests import factories

AGENCIES = ("DISNAKER", "DINKES", "POLRI", "IMIGRASI", "BPJSTK", "BP3MI", "BANK", "DUKCAPIL", "INFO")
SIGNING_KEY = Ed25519PrivateKey.generate()
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def card_keys():
    """One test key ring (never the developer's var/ keys)."""
    ring = keys.KeyRing(private={"test-1": SIGNING_KEY}, public={"test-1": SIGNING_KEY.public_key()},
                        signing_key_id="test-1")
    keys.use(ring)
    yield ring
    keys.reset()


@pytest.fixture
def checkpoints(db):
    card_services.checkpoints_load()


@pytest.fixture
def desks(db):
    officers = {code: factories.officer("LTSA-IDM", code) for code in AGENCIES}
    officers["HEAD"] = factories.head("LTSA-IDM")
    return officers


def checkpoint_officer(code: str = "CGK"):
    user = account_services.user_create(username=f"cp.{code.lower()}.{next(_seq)}",
                                        password=None, role=Role.CHECKPOINT_OFFICER)
    card_services.checkpoint_member_add(actor=None, user=user, checkpoint_code=code)
    return user


def drive(desks, case: Case, until: str) -> Case:
    """Complete the case's steps in journey order up to and including `until`."""
    for code in JOURNEY_ORDER[: JOURNEY_ORDER.index(until) + 1]:
        step = case.steps.select_related("definition").get(code=code)
        if step.state == "done":
            continue
        overrides = {"card_number": f"BLANK-{case.pk}"} if code == "CARD" else {}
        journey_services.step_complete(actor=desks[step.agency_id], case_number=case.number, step_code=code,
                                       outcome=factories.outcome(step.definition.outcome_type, **overrides))
    case.refresh_from_db()
    return case


def new_case(desks, regency: str = "32.12") -> Case:
    return factories.open_case(desks["DISNAKER"], factories.worker(regency))


@pytest.fixture
def carded_case(desks):
    """A case whose CARD step is done (so its card is issued)."""
    return drive(desks, new_case(desks), "CARD")
