"""The Crisis Center's rule set as data: one version of data/crisis_rules.json, checked and read into dataclasses.

No database here (models and constants import nothing from it): `rulesets` stores the versions and says which
one is in force; this module only knows the shape of a version and its content hash.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satuatap.core.errors import ValidationFailed
from satuatap.crisis.constants import FINAL_STATUSES, ClosureRule, Priority, ResponseTarget, Status

DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis_rules.json"

TARGET_UNITS = ("hours", "working_days")
ANCHORS = ("registered", "status_changed", "clarification_asked")
PERIOD_UNITS = ("days", "working_days", "months")
WARN_UNITS = ("days", "working_days")


@dataclass(frozen=True)
class CrisisRules:
    """One version: first-response targets per priority and the closure rules, with their legal basis."""

    version: int
    name: str
    effective_from: dt.date
    legal_basis: str
    first_response_targets: Mapping[str, ResponseTarget]
    closure_rules: tuple[ClosureRule, ...]
    min_notice_days: int
    clarification_working_days: int
    source_hash: str

    @property
    def closure_by_status(self) -> dict[str, ClosureRule]:
        return {rule.status: rule for rule in self.closure_rules}

    @property
    def closure_by_code(self) -> dict[str, ClosureRule]:
        return {rule.code: rule for rule in self.closure_rules}


def source_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 of a version's canonical JSON (sorted keys, no whitespace), as stored in CrisisRuleSet.source_hash."""
    canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def shipped_data() -> dict[str, Any]:
    """The versions shipped with the app (data/crisis_rules.json)."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def _invalid(version: Any, reason_id: str, reason_en: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(f"Aturan Crisis Center versi {version} tidak valid: {reason_id}",
                            f"Crisis Center rule set version {version} is invalid: {reason_en}",
                            code="crisis_rules_invalid", details={"version": version, **details})


def _int(value: Any, version: Any, where: str, *, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _invalid(version, f"{where} harus bilangan bulat >= {minimum}.",
                       f"{where} must be an integer >= {minimum}.", field=where)
    return value


def _text(value: Any, version: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(version, f"{where} wajib diisi.", f"{where} is required.", field=where)
    return value


def _one_of(value: Any, allowed: tuple[str, ...] | list[str], version: Any, where: str) -> str:
    if value not in allowed:
        raise _invalid(version, f"{where} '{value}' tidak dikenal.", f"{where} '{value}' is unknown.",
                       field=where, allowed=list(allowed))
    return value


def _target(raw: Any, version: Any, priority: str) -> ResponseTarget:
    where = f"first_response_targets.{priority}"
    if not isinstance(raw, Mapping):
        raise _invalid(version, f"{where} harus objek.", f"{where} must be an object.", field=where)
    hours = raw.get("breaching_soon_hours")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
        raise _invalid(version, f"{where}.breaching_soon_hours harus angka > 0.",
                       f"{where}.breaching_soon_hours must be a number > 0.", field=where)
    return ResponseTarget(
        amount=_int(raw.get("amount"), version, f"{where}.amount", minimum=1),
        unit=_one_of(raw.get("unit"), TARGET_UNITS, version, f"{where}.unit"),
        breaching_soon=dt.timedelta(hours=hours),
    )


def _closure_rule(raw: Any, version: Any, index: int) -> ClosureRule:
    if not isinstance(raw, Mapping):
        raise _invalid(version, f"closure_rules[{index}] harus objek.", f"closure_rules[{index}] must be an object.")
    where = f"closure_rules.{raw.get('code') or index}"
    open_statuses = [s for s in Status.values if s not in FINAL_STATUSES]
    return ClosureRule(
        code=_text(raw.get("code"), version, f"{where}.code"),
        status=_one_of(raw.get("status"), open_statuses, version, f"{where}.status"),
        anchor=_one_of(raw.get("anchor"), ANCHORS, version, f"{where}.anchor"),
        amount=_int(raw.get("amount"), version, f"{where}.amount", minimum=1),
        unit=_one_of(raw.get("unit"), PERIOD_UNITS, version, f"{where}.unit"),
        warn_before=_int(raw.get("warn_before"), version, f"{where}.warn_before", minimum=0),
        warn_unit=_one_of(raw.get("warn_unit"), WARN_UNITS, version, f"{where}.warn_unit"),
        legal_basis=_text(raw.get("legal_basis"), version, f"{where}.legal_basis"),
        reason_id=_text(raw.get("reason_id"), version, f"{where}.reason_id"),
        reason_en=_text(raw.get("reason_en"), version, f"{where}.reason_en"),
    )


def parse(entry: Mapping[str, Any], *, digest: str | None = None) -> CrisisRules:
    """Check one version of the file and read it; ValidationFailed (crisis_rules_invalid) names what is wrong."""
    if not isinstance(entry, Mapping):
        raise _invalid("?", "setiap versi harus objek.", "every version must be an object.")
    version = entry.get("version", "?")
    version = _int(version, version, "version", minimum=1)
    try:
        effective_from = dt.date.fromisoformat(str(entry.get("effective_from")))
    except ValueError:
        raise _invalid(version, f"effective_from '{entry.get('effective_from')}' bukan tanggal (YYYY-MM-DD).",
                       f"effective_from '{entry.get('effective_from')}' is not a date (YYYY-MM-DD).",
                       field="effective_from") from None
    targets_raw = entry.get("first_response_targets")
    if not isinstance(targets_raw, Mapping) or set(targets_raw) != set(Priority.values):
        raise _invalid(version, f"first_response_targets harus berisi tepat {sorted(Priority.values)}.",
                       f"first_response_targets must hold exactly {sorted(Priority.values)}.",
                       field="first_response_targets")
    rules_raw = entry.get("closure_rules")
    if not isinstance(rules_raw, list):
        raise _invalid(version, "closure_rules harus daftar.", "closure_rules must be a list.", field="closure_rules")
    rules = tuple(_closure_rule(raw, version, i) for i, raw in enumerate(rules_raw))
    for key in ("code", "status"):  # a complaint in a status meets at most one closure rule
        values = [getattr(rule, key) for rule in rules]
        doubled = sorted({v for v in values if values.count(v) > 1})
        if doubled:
            raise _invalid(version, f"closure_rules: {key} {doubled} muncul lebih dari sekali.",
                           f"closure_rules: {key} {doubled} appears more than once.", field=f"closure_rules.{key}")
    return CrisisRules(
        version=version,
        name=_text(entry.get("name"), version, "name"),
        effective_from=effective_from,
        legal_basis=_text(entry.get("legal_basis"), version, "legal_basis"),
        first_response_targets={p: _target(targets_raw[p], version, p) for p in Priority.values},
        closure_rules=rules,
        min_notice_days=_int(entry.get("min_notice_days"), version, "min_notice_days", minimum=0),
        clarification_working_days=_int(entry.get("clarification_working_days"), version,
                                        "clarification_working_days", minimum=1),
        source_hash=digest if digest is not None else source_hash(entry),
    )


@functools.cache
def shipped_first() -> CrisisRules:
    """The earliest shipped version (behind the names constants.py still exports)."""
    versions = [parse(entry) for entry in shipped_data()["rule_sets"]]
    return min(versions, key=lambda rules: (rules.effective_from, rules.version))
