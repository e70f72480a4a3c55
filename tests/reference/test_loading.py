"""Loading reference data: counts, idempotency, offices and desks, country names, holidays."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from satuatap.reference import services
from satuatap.reference.models import Agency, Country, Holiday, Office, ProcessDefinition, Region, StepDefinition

AGENCY_CODES = {"DISNAKER", "INFO", "DUKCAPIL", "DINKES", "IMIGRASI", "POLRI", "BANK", "BPJSTK", "BP3MI"}


def _table_counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "countries": Country.objects.count(),
        "agencies": Agency.objects.count(),
        "offices": Office.objects.count(),
        "desks": Office.desks.through.objects.count(),
        "processes": ProcessDefinition.objects.count(),
        "steps": StepDefinition.objects.count(),
        "holidays": Holiday.objects.count(),
    }


@pytest.mark.django_db
def test_region_counts_match_kemendagri_2025():
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 38
    assert Region.objects.filter(level=Region.Level.REGENCY).count() == 514
    assert Region.objects.filter(level=Region.Level.DISTRICT).count() == 7285
    assert Region.objects.filter(level=Region.Level.VILLAGE).count() == 0  # villages only with --villages
    indramayu = Region.objects.get(code="32.12")
    assert (indramayu.name, indramayu.kind, indramayu.parent_id) == ("Kabupaten Indramayu", "kabupaten", "32")
    assert Region.objects.get(code="35.78").kind == "kota"
    assert Region.objects.get(code="32.12.01").parent_id == "32.12"


@pytest.mark.django_db
def test_second_load_changes_nothing_and_repairs_edits():
    before = _table_counts()
    Region.objects.filter(code="32.12").update(name="Indramayu (edited)")
    Country.objects.filter(code="HK").update(name_id="Hong Kong DAK Tiongkok")
    Office.objects.get(code="LTSA-NNK").desks.add("IMIGRASI")

    first = services.reference_load(progress=False)
    assert first["regencies"]["updated"] == 1
    assert first["countries"]["updated"] == 1
    assert first["offices"]["updated"] == 1
    assert Region.objects.get(code="32.12").name == "Kabupaten Indramayu"

    second = services.reference_load(progress=False)
    for kind, counts in second.items():
        assert (counts["created"], counts["updated"], counts["deleted"]) == (0, 0, 0), kind
    assert second["provinces"]["total"] == 38
    assert second["regencies"]["total"] == 514
    assert second["districts"]["total"] == 7285
    assert _table_counts() == before


@pytest.mark.django_db
def test_agencies_are_the_eight_desks_plus_bp3mi():
    assert set(Agency.objects.values_list("code", flat=True)) == AGENCY_CODES
    assert all(a.legal_basis.startswith("PP 59/2021 art. 31") for a in Agency.objects.all())


@pytest.mark.django_db
def test_offices_and_desks():
    offices = {o.code: o for o in Office.objects.select_related("regency").prefetch_related("desks")}
    assert {"LTSA-LPG", "LTSA-SBY", "LTSA-IDM", "LTSA-NNK", "LTSA-LTM", "LTSA-CLP"} <= set(offices)
    assert offices["LTSA-SBY"].regency.name == "Kota Surabaya"
    assert (offices["LTSA-NNK"].regency_id, offices["LTSA-NNK"].zone) == ("65.03", "WITA")
    assert offices["LTSA-LTM"].zone == "WITA"
    nunukan = {a.code for a in offices["LTSA-NNK"].desks.all()}
    assert "IMIGRASI" not in nunukan
    assert nunukan == AGENCY_CODES - {"IMIGRASI"}
    for code, office in offices.items():
        if code != "LTSA-NNK":
            assert {a.code for a in office.desks.all()} == AGENCY_CODES, code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "name_id"),
    [
        ("TW", "Taiwan"),
        ("SA", "Arab Saudi"),
        ("HK", "Hong Kong"),
        ("MO", "Makau"),
        ("KR", "Korea Selatan"),
        ("MY", "Malaysia"),
        ("JP", "Jepang"),
        ("TL", "Timor Leste"),
        ("PS", "Palestina"),
    ],
)
def test_country_names_in_indonesian(code, name_id):
    assert Country.objects.get(code=code).name_id == name_id


@pytest.mark.django_db
def test_countries_from_iso_3166():
    assert Country.objects.count() == 249
    hk = Country.objects.get(code="HK")
    assert (hk.alpha3, hk.numeric, hk.name_en) == ("HKG", "344", "Hong Kong")
    assert Country.objects.get(code="DE").name_id == "Jerman"


@pytest.mark.django_db
def test_holidays_include_independence_day_and_cuti_bersama(calendar_2026):
    independence = Holiday.objects.get(date=dt.date(2026, 8, 17))
    assert not independence.joint_leave
    christmas_eve = Holiday.objects.get(date=dt.date(2026, 12, 24))
    assert christmas_eve.joint_leave
    assert "Cuti Bersama" in christmas_eve.name
    assert Holiday.objects.filter(date__year=2026, joint_leave=True).count() >= 5


@pytest.mark.django_db
def test_holiday_load_syncs_the_loaded_years(calendar_2026):
    Holiday.objects.create(date=dt.date(2026, 7, 7), name="bukan hari libur")
    Holiday.objects.create(date=dt.date(2000, 7, 7), name="outside the loaded years")
    counts = services.holiday_load(today=dt.date(2026, 6, 1))
    assert counts["deleted"] == 1
    assert not Holiday.objects.filter(date=dt.date(2026, 7, 7)).exists()
    assert Holiday.objects.filter(date=dt.date(2000, 7, 7)).exists()  # history is kept


@pytest.mark.django_db
def test_load_reference_command_prints_counts():
    out, err = io.StringIO(), io.StringIO()
    call_command("load_reference", stdout=out, stderr=err)
    text = out.getvalue()
    assert "provinces" in text and "7285" in text
    assert "reference" in err.getvalue()  # the progress bar


@pytest.mark.django_db
def test_office_with_unknown_desk_is_refused():
    from satuatap.core.errors import ValidationFailed

    data = {"offices": [{"code": "LTSA-X", "name": "X", "regency": "32.12", "zone": "WIB", "desks": ["NOPE"]}]}
    with pytest.raises(ValidationFailed) as exc:
        services.office_load(data=data)
    assert exc.value.code == "office_data_invalid"
    assert not Office.objects.filter(code="LTSA-X").exists()
