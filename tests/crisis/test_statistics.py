"""Complaint statistics: procedural or not, by category, status and country, for agents and monitors."""

from __future__ import annotations

import pytest
from django.test import Client

from satuatap.accounts import services as account_services
from satuatap.crisis.models import Complaint
from tests import factories
from tests.crisis.conftest import register

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {account_services.api_token_create(user=user, name='t')[1]}"}


def test_counts_procedural_or_not_by_category_and_country(agent):
    register(category="wages_unpaid", country="HK")
    register(category="lost_contact", country="MY")
    register(category="lost_contact", country="MY")
    Complaint.objects.filter(category="wages_unpaid").update(procedural=True)
    Complaint.objects.filter(category="lost_contact").update(procedural=False)
    stats = Client().get("/api/v1/complaints/stats", **_bearer(agent)).json()
    assert stats["total"] == 3
    assert stats["procedural"] == {"yes": 1, "no": 2, "unknown": 0}
    assert stats["by_category"] == {"lost_contact": 2, "wages_unpaid": 1}
    assert stats["by_country"] == {"HK": 1, "MY": 2}


def test_monitors_may_read_statistics_other_desks_may_not(other_officer):
    register()
    assert Client().get("/api/v1/complaints/stats", **_bearer(factories.monitor())).status_code == 200
    r = Client().get("/api/v1/complaints/stats", **_bearer(other_officer))
    assert r.status_code == 403
