from __future__ import annotations

import pytest

from tests import factories

AGENCIES = ("DISNAKER", "DINKES", "POLRI", "IMIGRASI", "BPJSTK", "BP3MI", "BANK", "DUKCAPIL", "INFO")


@pytest.fixture
def desks(db):
    """One desk officer per agency at LTSA Indramayu, plus its head."""
    officers = {code: factories.officer("LTSA-IDM", code) for code in AGENCIES}
    officers["HEAD"] = factories.head("LTSA-IDM")
    return officers


@pytest.fixture
def worker(db):
    return factories.worker("32.12")
