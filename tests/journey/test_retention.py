"""Retention: the journey's share of anonymising a worker whose cases are all closed."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from satuatap.journey import services
from satuatap.journey.models import Event, Step
from tests import factories

pytestmark = pytest.mark.django_db(transaction=False)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _closed_case_with_data(desks):
    worker = factories.worker()
    case = factories.open_case(desks["DISNAKER"], worker)
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG", note="catatan pribadi")
    services.step_complete(actor=desks["DISNAKER"], case_number=case.number, step_code="REG",
                           outcome=factories.outcome("registration"))
    document = services.step_document_attach(actor=desks["DISNAKER"], case_number=case.number, step_code="REG",
                                             filename="ktp Siti Aminah.pdf", content=PDF)
    services.case_cancel(actor=desks["HEAD"], case_number=case.number, reason="mengundurkan diri")
    return worker, case, document


def test_closed_cases_lose_personal_data_but_keep_their_shape(desks, django_capture_on_commit_callbacks):
    worker, case, document = _closed_case_with_data(desks)
    path = document.file.name
    assert default_storage.exists(path)
    states_before = dict(Step.objects.filter(case=case).values_list("code", "state"))
    kinds_before = list(Event.objects.filter(case=case).values_list("kind", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        touched = services.worker_cases_anonymise(worker_id=worker.pk)

    assert touched == [case.number]
    assert not Step.objects.filter(case=case).exclude(outcome={}).exists()
    assert not Event.objects.filter(case=case).exclude(payload={}, reason="").exclude(kind="case_anonymised").exists()
    document.refresh_from_db()
    assert document.original_name == "" and not document.file and not default_storage.exists(path)
    # statistics keep what they count: the steps' states and every event, plus one marking the anonymisation
    assert dict(Step.objects.filter(case=case).values_list("code", "state")) == states_before
    assert list(Event.objects.filter(case=case).values_list("kind", flat=True)) == [*kinds_before, "case_anonymised"]


def test_an_active_case_is_never_touched(desks):
    worker = factories.worker()
    case = factories.open_case(desks["DISNAKER"], worker)
    services.step_start(actor=desks["DISNAKER"], case_number=case.number, step_code="REG", note="catatan")
    assert services.worker_cases_anonymise(worker_id=worker.pk) == []
    assert Event.objects.filter(case=case, reason="catatan").exists()
