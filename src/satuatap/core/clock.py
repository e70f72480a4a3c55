"""Working-day arithmetic for SLAs.

Pure functions over a set of non-working dates (public holidays + cuti bersama), so the holiday data can
live in the reference tables and this module depends on nothing. Weekends are Saturday and Sunday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


def is_working_day(day: dt.date, holidays: Container[dt.date]) -> bool:
    """A working day is a weekday that is not a public holiday or joint leave day."""
    return day.weekday() not in WEEKEND and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: Container[dt.date]) -> dt.date:
    """The date that is `days` working days after `start` (start itself is day 0)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


def count_working_days(start: dt.date, end: dt.date, holidays: Container[dt.date]) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current, holidays):
            count += 1
    return count
