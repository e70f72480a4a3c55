"""Deadline arithmetic of complaints (shared by services and selectors): first response and closure timers.

The numbers come from the complaint's rule set version (crisis.rulesets, data/crisis_rules.json).
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from satuatap.core import clock
from satuatap.core.timeutil import ZONES, local_date
from satuatap.crisis import rulesets
from satuatap.crisis.constants import ZONE, ClosureRule
from satuatap.crisis.ruledata import CrisisRules
from satuatap.reference import selectors as reference_selectors

TZ = ZoneInfo(ZONES[ZONE])


def today_local(now: dt.datetime) -> dt.date:
    """The Crisis Center's calendar date (WIB) of a moment."""
    return local_date(now, ZONE)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a WIB date, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TZ)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (the month's last day when it is shorter: 31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def working_days_back(day: dt.date, days: int) -> dt.date:
    """The working day `days` working days before `day` (weekends, holidays and cuti bersama skipped)."""
    holidays = reference_selectors.holiday_dates()
    current, remaining = day, days
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if clock.is_working_day(current, holidays):
            remaining -= 1
    return current


def first_response_due(registered_at: dt.datetime, priority: str, rules: CrisisRules | None = None) -> dt.datetime:
    """Urgent: registration + N hours; normal: the same WIB clock time N working days later.

    `rules`: the complaint's rule set (default: the version in force on the registration date).
    """
    if rules is None:
        rules = rulesets.rules_on(today_local(registered_at))
    target = rules.first_response_targets[priority]
    if target.unit == "hours":
        return registered_at + dt.timedelta(hours=target.amount)
    local = registered_at.astimezone(TZ)
    due_day = reference_selectors.working_days_add(local.date(), target.amount)
    return dt.datetime.combine(due_day, local.timetz())


def rule_last_day(rule: ClosureRule, anchor: dt.date) -> dt.date:
    """The last day on which the condition of a closure rule can still be cured."""
    if rule.unit == "working_days":
        return reference_selectors.working_days_add(anchor, rule.amount)
    if rule.unit == "months":
        return add_months(anchor, rule.amount)
    return anchor + dt.timedelta(days=rule.amount)


def rule_warn_from(rule: ClosureRule, last_day: dt.date) -> dt.date:
    """From this date on, the complainant is warned of the coming closure."""
    if rule.warn_unit == "working_days":
        return working_days_back(last_day, rule.warn_before)
    return last_day - dt.timedelta(days=rule.warn_before)
