"""Every app's admin writes audit entries, not only the accounts admins."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from satuatap.accounts.admin import AuditedAdminMixin
from satuatap.accounts.models import AuditEntry, Role
from satuatap.accounts.services import user_create
from satuatap.reference.models import Office

pytestmark = pytest.mark.django_db


def test_every_registered_admin_is_audited():
    plain = [type(a).__name__ for a in admin.site._registry.values() if not isinstance(a, AuditedAdminMixin)]
    assert plain == []


def test_a_change_in_another_apps_admin_is_an_audit_entry():
    user = user_create(username="admin.audit", password=None, role=Role.ADMIN)
    request = RequestFactory().post("/admin/reference/office/LTSA-IDM/change/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    office = Office.objects.get(code="LTSA-IDM")
    before = AuditEntry.objects.count()
    admin.site._registry[Office].log_change(request, office, [{"changed": {"fields": ["name"]}}])
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.username == "admin.audit" and entry.action == "update" and entry.client_address == "10.1.2.3"
    assert entry.object_type == "reference.office" and entry.object_id == "LTSA-IDM"
