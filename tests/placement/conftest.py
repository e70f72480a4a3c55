"""Fixtures for placement: the shipped job list and rule set, officers, and builders for companies and job orders."""

from __future__ import annotations

import itertools

import pytest

from satuatap.accounts import services as account_services
from satuatap.accounts.models import Role
from satuatap.placement import services
from tests import factories

_seq = itertools.count(1)


@pytest.fixture
def placement_ref(db):
    services.placement_reference_load()


@pytest.fixture
def admin(db):
    return account_services.user_create(username=f"padmin{next(_seq)}", password=None, role=Role.ADMIN)


@pytest.fixture
def head(db):
    return factories.head("LTSA-IDM")


@pytest.fixture
def officer(db):
    return factories.officer("LTSA-IDM", "DISNAKER")
