"""Selectors: regions, countries, offices and working days over holidays and cuti bersama."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satuatap.core import clock
from satuatap.core.errors import NotFound
from satuatap.reference import selectors


@pytest.mark.django_db
def test_regions_list_filters():
    assert len(selectors.regions_list()) == 38  # no filter: the provinces
    children = list(selectors.regions_list(parent="32.12"))
    assert children and all(r.parent_id == "32.12" and r.level == 3 for r in children)
    assert list(selectors.regions_list(parent="3212")) == children
    assert [r.code for r in selectors.regions_list(q="indramayu", level=2)] == ["32.12"]
    assert [r.code for r in selectors.regions_list(q="32.12.0", limit=3)] == ["32.12.01", "32.12.02", "32.12.03"]
    assert len(selectors.regions_list(level=2, limit=10)) == 10
    assert list(selectors.regions_list(parent="nonsense")) == []


@pytest.mark.django_db
def test_region_get_and_not_found():
    assert selectors.region_get(code="3578").name == "Kota Surabaya"
    with pytest.raises(NotFound) as exc:
        selectors.region_get(code="99.99")
    err = exc.value
    assert (err.code, err.status) == ("region_not_found", 404)
    assert "Wilayah" in err.message and "Region" in err.message_en


@pytest.mark.django_db
def test_country_agency_office_get():
    assert selectors.country_get(code="sau").code == "SA"
    assert selectors.country_get(code="tw").name_id == "Taiwan"
    assert selectors.office_get(code="ltsa-nnk").zone == "WITA"
    assert selectors.agency_get(code="IMIGRASI").name_id == "Kantor Imigrasi"
    for getter, code in [
        (selectors.country_get, "country_not_found"),
        (selectors.office_get, "office_not_found"),
        (selectors.agency_get, "agency_not_found"),
    ]:
        with pytest.raises(NotFound) as exc:
            getter(code="ZZZZ")
        assert exc.value.code == code


@pytest.mark.django_db
def test_working_days_skip_weekend_and_holiday(calendar_2026):
    friday = dt.date(2026, 8, 14)
    # Monday 17 August is Independence Day: one working day after Friday is Tuesday.
    assert selectors.working_days_add(friday, 1) == dt.date(2026, 8, 18)
    assert selectors.working_days_add(friday, 0) == friday
    assert selectors.working_days_between(friday, dt.date(2026, 8, 18)) == 1
    # Cuti bersama on the 24th, Christmas on the 25th, then the weekend.
    assert selectors.working_days_add(dt.date(2026, 12, 23), 1) == dt.date(2026, 12, 28)


@pytest.mark.django_db
def test_holiday_dates_cache_is_cleared_by_loading(calendar_2026):
    from satuatap.reference import services
    from satuatap.reference.models import Holiday

    assert dt.date(2026, 8, 17) in selectors.holiday_dates()
    extra = dt.date(2031, 7, 7)  # outside the loaded years, so holiday_load keeps it
    Holiday.objects.create(date=extra, name="hari libur daerah")
    assert extra not in selectors.holiday_dates()  # still the cached set
    services.holiday_load(today=dt.date(2026, 6, 1))
    assert extra in selectors.holiday_dates()


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)), days=st.integers(0, 60))
def test_working_days_add_and_between_agree(calendar_2026, start, days):
    end = selectors.working_days_add(start, days)
    assert selectors.working_days_between(start, end) == days
    assert days == 0 or clock.is_working_day(end, selectors.holiday_dates())
