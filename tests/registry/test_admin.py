"""The admin lists workers with a masked NIK and offers no way around the registration service."""

from __future__ import annotations

import pytest
from django.test import Client

from satuatap.core.masking import mask_nik
from satuatap.registry import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_worker_list_masks_the_nik_and_search_by_full_nik_works(admin_user, disnaker, worker_data):
    worker = services.worker_register(actor=disnaker, **worker_data)
    services.family_consent_record(
        actor=disnaker,
        worker=worker,
        consenter_name="Rasminah",
        relation="mother",
        consent_date=worker.created_at.date(),
        village_head_acknowledged=False,
    )
    client = Client()
    factories.otp_login(client, admin_user)
    page = client.get("/admin/registry/worker/")
    assert page.status_code == 200
    html = page.content.decode()
    assert mask_nik(worker.nik) in html
    assert worker.nik not in html
    assert "Siti Aminah" in html
    assert "Siti Aminah" in client.get("/admin/registry/worker/", {"q": worker.nik}).content.decode()
    assert "Siti Aminah" not in client.get("/admin/registry/worker/", {"q": worker.nik[:15]}).content.decode()
    assert client.get("/admin/registry/worker/add/").status_code == 403
    assert client.get(f"/admin/registry/worker/{worker.pk}/change/").status_code == 200  # view only
    assert client.get("/admin/registry/familyconsent/").status_code == 200
