"""Synthetic national data for the statistics tests and the national-scale benchmark.

Produces rows (dicts keyed by column name) of workers, cases, steps, events and job-order links shaped like the
journey engine writes them: a case opens, its steps complete one after another (some late against their SLA), and
it departs, is cancelled or is still open. Nothing here writes: the tests write the rows with the ORM, the
benchmark with COPY. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
UTC = dt.UTC

# Shares near the published figures (DOMAIN.md): most placements to Hong Kong, Taiwan, Malaysia …, ~61 % women,
# East / Central / West Java, NTB and Lampung send most.
COUNTRY_WEIGHTS = {"HK": 24, "TW": 23, "MY": 18, "JP": 8, "SG": 6, "KR": 5, "SA": 3, "BN": 2, "AE": 2, "IT": 1,
                   "DE": 1, "PL": 1, "TR": 1, "QA": 1, "KW": 1}
PROVINCE_WEIGHTS = {"35": 22, "33": 18, "32": 17, "52": 10, "18": 8, "12": 3, "73": 3, "53": 3, "36": 2, "34": 1}
SCHEME_WEIGHTS = {"P2P": 85, "G2G": 8, "UKPS": 4, "MANDIRI": 3}
FEMALE_SHARE = 0.61


@dataclass
class Universe:
    """Reference rows the generator draws from (read from the database by the caller)."""

    offices: list[tuple[str, str]]  # (office code, regency code)
    regencies: dict[str, list[str]]  # province code -> regency codes
    job_orders: list[tuple[int, str, str]]  # (job order id, country code, job title code)
    processes: dict[str, tuple[int, list[tuple[int, str, str, int, int]]]]  # scheme -> (process id, [(def id,
    #   code, agency, sort order, sla working days)])


@dataclass
class Ids:
    """Next primary keys to use (rows get explicit ids, so steps and events can point at each other)."""

    worker: int = 1
    case: int = 1
    step: int = 1
    event: int = 1
    link: int = 1


@dataclass
class Chunk:
    workers: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


def _weighted(rng: random.Random, weights: dict[str, int], allowed: set[str] | None = None) -> str:
    items = [(k, w) for k, w in weights.items() if allowed is None or k in allowed]
    return rng.choices([k for k, _ in items], [w for _, w in items])[0]


def _add_working(day: dt.date, days: int) -> dt.date:
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _nik(worker_id: int) -> str:
    # Unique by construction and outside every real region code (synthetic people must never match real ones).
    return f"9{worker_id:015d}"


def generate(*, universe: Universe, cases: int, first_day: dt.date, last_day: dt.date, ids: Ids, seed: int = 1,
             chunk_size: int = 5000, number_prefix: str = "GEN", now: dt.datetime | None = None) -> Iterator[Chunk]:
    """Yield chunks of rows for `cases` cases opened between `first_day` and `last_day` (WIB dates); nothing
    happens after `now` (cases still in progress then stay open)."""
    rng = random.Random(seed)
    now = now or dt.datetime.now(UTC)
    span = (last_day - first_day).days + 1
    provinces_known = {p for p in PROVINCE_WEIGHTS if universe.regencies.get(p)}
    other_provinces = [p for p in universe.regencies if p not in PROVINCE_WEIGHTS and universe.regencies[p]]
    jobs_by_country: dict[str, list[tuple[int, str]]] = {}
    for jo_id, country, job in universe.job_orders:
        jobs_by_country.setdefault(country, []).append((jo_id, job))
    countries = set(jobs_by_country)
    chunk = Chunk()
    for _ in range(cases):
        if rng.random() < 0.1 and other_provinces:
            province = rng.choice(other_provinces)
        else:
            province = _weighted(rng, PROVINCE_WEIGHTS, provinces_known)
        regency = rng.choice(universe.regencies[province])
        near = [o for o, r in universe.offices if r[:2] == province]
        office = rng.choice(near) if near and rng.random() < 0.9 else rng.choice(universe.offices)[0]
        female = rng.random() < FEMALE_SHARE
        scheme = _weighted(rng, SCHEME_WEIGHTS, set(universe.processes))
        country = _weighted(rng, COUNTRY_WEIGHTS, countries)
        jo_id, _job = rng.choice(jobs_by_country[country])
        day = first_day + dt.timedelta(days=rng.randrange(span))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        if day < first_day:
            day = first_day + dt.timedelta(days=(7 - first_day.weekday()) % 7)
        opened = dt.datetime.combine(day, dt.time(8), WIB) + dt.timedelta(minutes=rng.randrange(420))
        if opened > now:
            continue
        birth = dt.date(rng.randrange(1975, 2004), rng.randrange(1, 13), rng.randrange(1, 29))
        worker_id, case_id = ids.worker, ids.case
        ids.worker += 1
        ids.case += 1
        chunk.workers.append({
            "id": worker_id, "nik": _nik(worker_id), "name": f"Pekerja {worker_id}",
            "birth_place": "-", "birth_date": birth, "sex": "P" if female else "L", "address": "",
            "province_id": province, "regency_id": regency, "district_id": None, "village_id": None, "phone": "",
            "education": "", "marital_status": "", "nik_warnings": [], "created_at": opened,
            "created_by_id": None, "updated_at": opened,
        })
        number = f"{number_prefix}-{office}-{case_id:08d}"
        process_id, defs = universe.processes[scheme]
        fate = rng.random()  # < 0.72 departs, < 0.85 cancelled midway, else stops where it is (open)
        stop_at = len(defs) if fate < 0.72 else rng.randrange(1, len(defs))
        events: list[dict[str, Any]] = []

        def event(kind: str, at: dt.datetime, step_id: int | None = None, agency: str | None = None,
                  from_state: str = "", to_state: str = "", _case_id: int = case_id, _office: str = office,
                  _events: list[dict[str, Any]] = events) -> None:
            _events.append({"id": None, "case_id": _case_id, "step_id": step_id, "kind": kind, "actor_id": None,
                           "office_id": _office, "agency_id": agency, "from_state": from_state,
                           "to_state": to_state, "reason": "", "payload": {}, "created_at": at})

        event("case_opened", opened, to_state="open")
        t = opened
        ready_day = day
        steps: list[dict[str, Any]] = []
        cancelled_at = None
        for n, (def_id, code, agency, sort_order, sla) in enumerate(defs):
            step = {"id": ids.step, "case_id": case_id, "definition_id": def_id, "code": code, "agency_id": agency,
                    "state": "locked", "version": 1, "ready_at": None, "due_on": None, "started_at": None,
                    "completed_at": None, "actor_id": None, "outcome": {}, "reason": "", "valid_until": None,
                    "blocks_case": False, "sort_order": sort_order}
            ids.step += 1
            steps.append(step)
            if n > stop_at:
                continue
            step.update(state="ready", version=2, ready_at=t, due_on=_add_working(ready_day, sla))
            if n == stop_at:
                if fate < 0.85 and fate >= 0.72:
                    cancelled_at = t + dt.timedelta(days=rng.randrange(1, 20))
                continue
            # Most steps finish within their SLA; about one in eight is late.
            hours = rng.uniform(1, 20) if rng.random() < 0.875 else rng.uniform(30, 24 * 8)
            done = t + dt.timedelta(hours=hours)
            if done > now:
                step.update(state="ready")
                break
            step.update(state="done", version=4, started_at=t + dt.timedelta(minutes=30), completed_at=done)
            event("step_completed", done, step["id"], agency, "in_progress", "done")
            t = done
            ready_day = t.astimezone(WIB).date()
        status, closed = "open", None
        if fate < 0.72 and steps[-1]["state"] == "done":
            ready_event = steps[-2]["completed_at"] if len(steps) > 1 else t
            event("case_status_changed", ready_event, None, None, "open", "ready_to_depart")
            event("case_status_changed", t, None, None, "ready_to_depart", "departed")
            status, closed = "departed", t
        elif cancelled_at is not None and cancelled_at <= now:
            event("case_status_changed", cancelled_at, None, None, "open", "cancelled")
            status, closed = "cancelled", cancelled_at
        last = max(e["created_at"] for e in events)
        chunk.cases.append({
            "id": case_id, "number": number, "worker_id": worker_id, "office_id": office, "scheme": scheme,
            "process_id": process_id, "status": status, "destination_country": country, "version": len(events) + 1,
            "opened_at": opened, "opened_by_id": None, "updated_at": last, "closed_at": closed,
        })
        chunk.steps.extend(steps)
        events.sort(key=lambda e: e["created_at"])
        for e in events:
            e["id"] = ids.event
            ids.event += 1
        chunk.events.extend(events)
        chunk.links.append({
            "id": ids.link, "job_order_id": jo_id, "case_ref": number, "worker_id": worker_id, "linked_at": opened,
            "linked_by_id": None, "released_at": closed if status == "cancelled" else None, "released_by_id": None,
            "release_reason": "dibatalkan" if status == "cancelled" else "",
        })
        ids.link += 1
        if len(chunk.cases) >= chunk_size:
            yield chunk
            chunk = Chunk()
    if chunk.cases:
        yield chunk
