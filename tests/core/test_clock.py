import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from satuatap.core.clock import add_working_days, count_working_days, is_working_day

HOLIDAYS = {dt.date(2026, 8, 17)}  # Independence Day, a Monday


def test_weekend_and_holiday_are_not_working_days():
    assert not is_working_day(dt.date(2026, 8, 15), HOLIDAYS)  # Saturday
    assert not is_working_day(dt.date(2026, 8, 17), HOLIDAYS)
    assert is_working_day(dt.date(2026, 8, 18), HOLIDAYS)


def test_add_skips_weekend_and_holiday():
    # Friday 14 Aug + 1 working day: Sat, Sun, Mon 17 (holiday) skipped -> Tue 18
    assert add_working_days(dt.date(2026, 8, 14), 1, HOLIDAYS) == dt.date(2026, 8, 18)
    assert add_working_days(dt.date(2026, 8, 14), 0, HOLIDAYS) == dt.date(2026, 8, 14)


@given(start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), n=st.integers(0, 40))
def test_count_inverts_add(start, n):
    end = add_working_days(start, n, HOLIDAYS)
    assert count_working_days(start, end, HOLIDAYS) == n
