"""Registry services: who may register, NIK rules at registration, duplicates, address, corrections, consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from satuatap.core.errors import Conflict, PermissionDenied, ValidationFailed
from satuatap.registry import selectors, services
from satuatap.registry.models import Worker

from .conftest import make_nik

pytestmark = pytest.mark.django_db


def test_disnaker_officer_registers_a_worker(disnaker, worker_data):
    worker = services.worker_register(actor=disnaker, **{**worker_data, "nik": "3212-0152-0495-0001"})
    worker.refresh_from_db()
    assert worker.nik == "3212015204950001"
    assert (worker.province_id, worker.regency_id, worker.district_id) == ("32", "32.12", "32.12.01")
    assert worker.village_id is None
    assert worker.phone == "+628123456789"
    assert worker.nik_warnings == []
    assert worker.created_by == disnaker
    assert worker.name == "Siti Aminah"


@pytest.mark.parametrize("who", ["dukcapil", "office_head", "admin_user"])
def test_dukcapil_office_head_and_admin_may_register(request, who, worker_data):
    actor = request.getfixturevalue(who)
    assert services.worker_register(actor=actor, **worker_data).pk


@pytest.mark.parametrize("who", ["dinkes", "monitor"])
def test_other_roles_may_not_register(request, who, worker_data):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied) as exc:
        services.worker_register(actor=actor, **worker_data)
    assert (exc.value.code, exc.value.status) == ("forbidden_role", 403)
    assert not Worker.objects.exists()


def test_inactive_officer_may_not_register(disnaker, worker_data):
    disnaker.is_active = False
    disnaker.save()
    with pytest.raises(PermissionDenied):
        services.worker_register(actor=disnaker, **worker_data)


def test_duplicate_nik_is_a_conflict_pointing_at_the_existing_worker(disnaker, dukcapil, worker_data):
    first = services.worker_register(actor=disnaker, **worker_data)
    with pytest.raises(Conflict) as exc:
        services.worker_register(actor=dukcapil, **{**worker_data, "nik": "3212 0152 0495 0001", "name": "Siti A."})
    assert (exc.value.code, exc.value.status) == ("worker_exists", 409)
    assert exc.value.details == {"worker_id": first.pk}
    assert "3212015204950001" not in exc.value.message  # the message shows the NIK masked
    assert Worker.objects.count() == 1


def test_invalid_nik_lists_every_issue(disnaker, worker_data):
    with pytest.raises(ValidationFailed) as exc:
        services.worker_register(actor=disnaker, **{**worker_data, "birth_date": dt.date(1995, 4, 13), "sex": "L"})
    assert (exc.value.code, exc.value.status) == ("nik_invalid", 422)
    codes = [e["code"] for e in exc.value.details["errors"]]
    assert codes == ["nik_birth_date_mismatch", "nik_sex_mismatch"]
    assert exc.value.message.startswith("NIK tidak valid")
    assert not Worker.objects.exists()


def test_malformed_nik(disnaker, worker_data):
    with pytest.raises(ValidationFailed) as exc:
        services.worker_register(actor=disnaker, **{**worker_data, "nik": "32120152049500"})
    assert [e["code"] for e in exc.value.details["errors"]] == ["nik_format"]


def test_old_papua_nik_is_registered_with_its_warning(disnaker, worker_data):
    nik = make_nik("91.01.01", dt.date(1995, 4, 12), "P", "0007")
    worker = services.worker_register(actor=disnaker, **{**worker_data, "nik": nik})
    worker.refresh_from_db()
    assert [w["code"] for w in worker.nik_warnings] == ["nik_region_pre2022"]
    # The address is where the worker lives now, independent of the NIK's region.
    assert worker.regency_id == "32.12"


def test_address_from_regency_only(disnaker, worker_data):
    data = {**worker_data, "district_code": None, "regency_code": "32.12"}
    worker = services.worker_register(actor=disnaker, **data)
    assert (worker.province_id, worker.regency_id, worker.district_id) == ("32", "32.12", None)


def test_address_codes_without_dots_are_accepted(disnaker, worker_data):
    worker = services.worker_register(actor=disnaker, **{**worker_data, "district_code": "321201"})
    assert worker.district_id == "32.12.01"


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        ({"district_code": None}, "address_region_required"),
        ({"district_code": "32.12.99"}, "region_not_found"),
        ({"district_code": None, "regency_code": "32.99"}, "region_not_found"),
        ({"district_code": "32.12"}, "region_not_found"),  # a regency is not a district
        ({"district_code": "32.12.01", "regency_code": "35.78"}, "region_mismatch"),
    ],
)
def test_address_region_must_exist_and_agree(disnaker, worker_data, codes, error):
    with pytest.raises(ValidationFailed) as exc:
        services.worker_register(actor=disnaker, **{**worker_data, **codes})
    assert exc.value.code == error


def test_invalid_phone_blocks_registration(disnaker, worker_data):
    with pytest.raises(ValidationFailed) as exc:
        services.worker_register(actor=disnaker, **{**worker_data, "phone": "123"})
    assert exc.value.code == "phone_invalid"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "  ", "field_required"),
        ("birth_place", "", "field_required"),
        ("education", "phd", "choice_invalid"),
        ("marital_status", "complicated", "choice_invalid"),
        ("sex", "X", "choice_invalid"),
    ],
)
def test_required_fields_and_choices(disnaker, worker_data, field, value, error):
    with pytest.raises(ValidationFailed) as exc:
        services.worker_register(actor=disnaker, **{**worker_data, field: value})
    assert exc.value.code == error


# --- corrections ---------------------------------------------------------------------------------------------


@pytest.fixture
def worker(disnaker, worker_data):
    return services.worker_register(actor=disnaker, **worker_data)


def test_update_phone_and_address(dukcapil, worker):
    updated = services.worker_update(actor=dukcapil, worker=worker, phone="+85291234567", regency_code="35.78")
    updated.refresh_from_db()
    assert updated.phone == "+85291234567"
    assert (updated.province_id, updated.regency_id, updated.district_id) == ("35", "35.78", None)


def test_update_sex_alone_must_still_agree_with_the_nik(dukcapil, worker):
    with pytest.raises(ValidationFailed) as exc:
        services.worker_update(actor=dukcapil, worker=worker, sex="L")
    assert [e["code"] for e in exc.value.details["errors"]] == ["nik_sex_mismatch"]


def test_correcting_nik_birth_date_and_sex_together(dukcapil, worker):
    nik = make_nik(birth=dt.date(1994, 4, 12), sex="L", serial="0009")
    updated = services.worker_update(actor=dukcapil, worker=worker, nik=nik, birth_date=dt.date(1994, 4, 12), sex="L")
    updated.refresh_from_db()
    assert (updated.nik, updated.birth_date, updated.sex) == (nik, dt.date(1994, 4, 12), "L")


def test_changing_nik_to_another_workers_nik_is_a_conflict(disnaker, worker, worker_data):
    other_nik = make_nik(serial="0002")
    other = services.worker_register(actor=disnaker, **{**worker_data, "nik": other_nik})
    with pytest.raises(Conflict) as exc:
        services.worker_update(actor=disnaker, worker=other, nik=worker.nik)
    assert exc.value.details == {"worker_id": worker.pk}


def test_update_unknown_field_is_refused(disnaker, worker):
    with pytest.raises(ValidationFailed) as exc:
        services.worker_update(actor=disnaker, worker=worker, created_by=None)
    assert exc.value.code == "field_not_updatable"


def test_update_needs_an_identity_role(dinkes, worker):
    with pytest.raises(PermissionDenied):
        services.worker_update(actor=dinkes, worker=worker, name="X")


# --- family consent ------------------------------------------------------------------------------------------


def test_family_consent_recorded_and_counted(disnaker, worker):
    assert selectors.worker_has_consent(worker=worker) is False
    consent = services.family_consent_record(
        actor=disnaker,
        worker=worker,
        consenter_name="Rasminah",
        relation="mother",
        consent_date=dt.date(2025, 1, 10),
        village_head_acknowledged=True,
        village_head_name="H. Darsono",
    )
    assert consent.recorded_by == disnaker
    assert selectors.worker_has_consent(worker=worker) is True


def test_consent_without_village_head_does_not_count(disnaker, worker):
    services.family_consent_record(
        actor=disnaker,
        worker=worker,
        consenter_name="Rasminah",
        relation="mother",
        consent_date=dt.date(2025, 1, 10),
        village_head_acknowledged=False,
    )
    assert selectors.worker_has_consent(worker=worker) is False


def test_married_worker_needs_the_spouses_consent(disnaker, worker):
    worker = services.worker_update(actor=disnaker, worker=worker, marital_status="married")
    kwargs = {"actor": disnaker, "worker": worker, "consent_date": dt.date(2025, 1, 10)}
    kwargs |= {"village_head_acknowledged": True, "village_head_name": "H. Darsono"}
    services.family_consent_record(consenter_name="Rasminah", relation="mother", **kwargs)
    assert selectors.worker_has_consent(worker=worker) is False
    services.family_consent_record(consenter_name="Tarsono", relation="spouse", **kwargs)
    assert selectors.worker_has_consent(worker=worker) is True


def test_consent_cannot_be_dated_in_the_future(disnaker, worker):
    with pytest.raises(ValidationFailed) as exc:
        services.family_consent_record(
            actor=disnaker,
            worker=worker,
            consenter_name="Rasminah",
            relation="mother",
            consent_date=timezone.localdate() + dt.timedelta(days=1),
            village_head_acknowledged=False,
        )
    assert exc.value.code == "consent_date_future"


def test_acknowledged_consent_names_the_village_head(disnaker, worker):
    with pytest.raises(ValidationFailed) as exc:
        services.family_consent_record(
            actor=disnaker,
            worker=worker,
            consenter_name="Rasminah",
            relation="mother",
            consent_date=dt.date(2025, 1, 10),
            village_head_acknowledged=True,
        )
    assert exc.value.code == "village_head_name_required"


def test_consent_needs_an_identity_role(monitor, worker):
    with pytest.raises(PermissionDenied):
        services.family_consent_record(
            actor=monitor,
            worker=worker,
            consenter_name="Rasminah",
            relation="mother",
            consent_date=dt.date(2025, 1, 10),
            village_head_acknowledged=False,
        )


def test_a_concurrent_duplicate_caught_by_the_database_is_still_a_409(disnaker, worker, worker_data):
    """The unique index is the last line: a race past the pre-check becomes worker_exists, not a 500."""
    clone = Worker(**{f.attname: getattr(worker, f.attname) for f in Worker._meta.concrete_fields if f.attname != "id"})
    with pytest.raises(Conflict) as exc:
        services._save_unique(clone)
    assert exc.value.details == {"worker_id": worker.pk}


def test_names_with_text_direction_controls_are_refused():
    from tests import factories

    worker = factories.worker()
    with pytest.raises(ValidationFailed) as caught:
        services.worker_update(actor=factories.officer("LTSA-IDM", "DISNAKER"), worker=worker,
                               name="Siti \u202eNurhaliza")
    assert caught.value.code == "text_direction_control"
    worker.refresh_from_db()
    assert "\u202e" not in worker.name
