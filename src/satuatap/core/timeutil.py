"""Time helpers: store UTC, show the office's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

# Indonesia's three zones; an office stores one of these names.
ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def local_date(moment: dt.datetime | None = None, zone: str = "WIB") -> dt.date:
    """The calendar date of `moment` (default now) in an Indonesian zone (WIB/WITA/WIT)."""
    moment = moment or timezone.now()
    return moment.astimezone(ZoneInfo(ZONES.get(zone, zone))).date()
