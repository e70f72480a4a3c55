"""Which Crisis Center rule set version is in force, and the loader of data/crisis_rules.json.

Shared by `services` (registration, timers) and `selectors` (the agents' queue), which may not import each other;
`services.crisis_rules_load` is the public loader. A complaint follows the version in force on its registration
date (WIB), recorded on it as `rule_set`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from satuatap.core.errors import Conflict, ValidationFailed
from satuatap.core.timeutil import local_date
from satuatap.crisis.constants import ZONE
from satuatap.crisis.models import Complaint, CrisisRuleSet
from satuatap.crisis.ruledata import CrisisRules, parse, shipped_data
from satuatap.reference.cache import ttl_cached

Counts = dict[str, int]


@transaction.atomic
def load(*, data: dict[str, Any] | None = None) -> Counts:
    """Load every version of the file; a new version loads beside the old ones, a loaded one is never changed."""
    data = data if data is not None else shipped_data()
    entries = data.get("rule_sets") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValidationFailed("Berkas aturan Crisis Center harus berisi daftar rule_sets.",
                               "The Crisis Center rules file must hold a list rule_sets.", code="crisis_rules_invalid")
    parsed = [(entry, parse(entry)) for entry in entries]  # all checked before anything is written
    versions = [rules.version for _, rules in parsed]
    if len(set(versions)) != len(versions):
        raise ValidationFailed("Nomor versi aturan Crisis Center ganda dalam berkas.",
                               "A Crisis Center rule set version number appears twice in the file.",
                               code="crisis_rules_invalid", details={"versions": versions})
    created = 0
    for entry, rules in parsed:
        existing = CrisisRuleSet.objects.filter(version=rules.version).first()
        if existing is not None:
            if existing.source_hash != rules.source_hash:
                raise Conflict(
                    f"Aturan Crisis Center versi {rules.version} sudah dimuat dengan isi berbeda. Pengaduan yang "
                    "sudah dicatat menunjuk ke versi itu: muat perubahan sebagai versi baru (nomor versi lebih "
                    "tinggi, dengan tanggal berlakunya).",
                    f"Crisis Center rule set version {rules.version} is already loaded with different content. "
                    "Registered complaints point at that version: load the change as a new version (a higher "
                    "version number, with its effective date).",
                    code="crisis_rules_version_changed",
                    details={"version": rules.version, "loaded_hash": existing.source_hash,
                             "file_hash": rules.source_hash},
                )
            continue
        CrisisRuleSet.objects.create(
            version=rules.version,
            name=rules.name,
            effective_from=rules.effective_from,
            legal_basis=rules.legal_basis,
            first_response_targets=entry["first_response_targets"],
            closure_rules=entry["closure_rules"],
            clarification_working_days=rules.clarification_working_days,
            min_notice_days=rules.min_notice_days,
            source_hash=rules.source_hash,
        )
        created += 1
    return {"total": len(entries), "created": created, "updated": 0, "deleted": 0}


def _load_shipped_if_empty() -> None:
    # First use on a fresh database (tests, a new install before load_crisis_rules ran): the shipped versions.
    if CrisisRuleSet.objects.exists():
        return
    try:
        with transaction.atomic():
            load()
    except IntegrityError:  # another process loaded them at the same moment
        pass


def rule_set_in_force(on: dt.date) -> CrisisRuleSet:
    """The version with the latest effective date on or before `on` (the earliest one for an earlier date)."""
    _load_shipped_if_empty()
    row = CrisisRuleSet.objects.filter(effective_from__lte=on).order_by("-effective_from", "-version").first()
    if row is None:
        # Registered before the first version (e.g. entered late from paper records): there is no earlier one,
        # and the first version holds the rules the system applied from its start.
        row = CrisisRuleSet.objects.order_by("effective_from", "version").first()
    return row


def rules_of(row: CrisisRuleSet) -> CrisisRules:
    """A stored version read into dataclasses (kept in-process: a stored version never changes)."""
    def read() -> CrisisRules:
        return parse({
            "version": row.version, "name": row.name, "effective_from": row.effective_from.isoformat(),
            "legal_basis": row.legal_basis, "first_response_targets": row.first_response_targets,
            "closure_rules": row.closure_rules, "min_notice_days": row.min_notice_days,
            "clarification_working_days": row.clarification_working_days,
        }, digest=row.source_hash)

    return ttl_cached(("crisis-rules", row.version, row.source_hash), read, ttl=3600)


def rules_on(on: dt.date) -> CrisisRules:
    """The rules in force on a date."""
    return rules_of(rule_set_in_force(on))


def rules_for_complaint(complaint: Complaint) -> CrisisRules:
    """The rules a complaint follows: its recorded version, else the one in force on its registration date."""
    if complaint.rule_set_id is not None:
        return rules_of(complaint.rule_set)
    return rules_on(local_date(complaint.registered_at, ZONE))


def closure_statuses() -> list[str]:
    """Every status some loaded version closes automatically, in the order its rules are listed (oldest first)."""
    _load_shipped_if_empty()
    statuses: list[str] = []
    for closure_rules in CrisisRuleSet.objects.order_by("version").values_list("closure_rules", flat=True):
        for rule in closure_rules:
            if rule["status"] not in statuses:
                statuses.append(rule["status"])
    return statuses
