"""Scoring an office against one rubric version: pure functions over plain values (no database), so every
boundary of the rubric is testable and every point carries its reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from satuatap.core.errors import ValidationFailed

NOT_CLASSIFIED = "not_classified"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_REQUIRED = ("id", "label_id", "label_en", "weight", "direction", "full", "partial")


def month_parse(text: str) -> dt.date:
    """'2026-10' → date(2026, 10, 1); ValidationFailed otherwise."""
    m = _MONTH.match((text or "").strip())
    if not m:
        raise ValidationFailed("Bulan harus berformat YYYY-MM.", "Month must be YYYY-MM.", code="month_invalid",
                               details={"month": text})
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def source_hash(rubric: dict[str, Any]) -> str:
    """SHA-256 of a rubric version's canonical JSON (sorted keys, no whitespace)."""
    return hashlib.sha256(json.dumps(rubric, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _invalid(version: Any, msg_id: str, msg_en: str) -> ValidationFailed:
    return ValidationFailed(f"Rubrik versi {version}: {msg_id}", f"Rubric version {version}: {msg_en}",
                            code="rubric_invalid", details={"version": version})


def validate(rubric: dict[str, Any]) -> None:
    """A rubric version must name its month, classes (best first, descending minimum score) and criteria."""
    version = rubric.get("version")
    if not isinstance(version, int) or version < 1:
        raise _invalid(version, "versi harus bilangan bulat positif.", "version must be a positive integer.")
    month_parse(rubric.get("effective_month", ""))
    classes = rubric.get("classes") or []
    if not classes or any("code" not in c or "min_score" not in c for c in classes):
        raise _invalid(version, "kelas tidak lengkap.", "classes are incomplete.")
    mins = [c["min_score"] for c in classes]
    if mins != sorted(mins, reverse=True) or mins[-1] != 0:
        raise _invalid(version, "batas kelas harus menurun dan berakhir di 0.",
                       "class thresholds must descend and end at 0.")
    seen: set[str] = set()
    for c in rubric.get("criteria") or []:
        missing = [k for k in _REQUIRED if k not in c]
        if missing:
            raise _invalid(version, f"kriteria tanpa {missing}.", f"criterion missing {missing}.")
        if c["id"] in seen:
            raise _invalid(version, f"kriteria {c['id']} ganda.", f"duplicate criterion {c['id']}.")
        seen.add(c["id"])
        if c["direction"] not in ("higher", "lower"):
            raise _invalid(version, f"arah {c['direction']} tidak dikenal.", f"unknown direction {c['direction']}.")
        better_or_equal = c["full"] >= c["partial"] if c["direction"] == "higher" else c["full"] <= c["partial"]
        if not better_or_equal or c["weight"] <= 0:
            raise _invalid(version, f"ambang {c['id']} tidak konsisten.", f"thresholds of {c['id']} inconsistent.")
    if not seen:
        raise _invalid(version, "tidak ada kriteria.", "no criteria.")


@dataclass(frozen=True)
class Metric:
    """A measured value for one criterion, or None with the reason it is not scored (no data)."""

    value: float | None
    detail: str = ""
    detail_en: str = ""


def _fmt(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value * 100:.1f}%"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def score_criterion(criterion: dict[str, Any], metric: Metric) -> dict[str, Any]:
    """Full weight at or beyond `full`, half at or beyond `partial`, else 0; not scored without a value."""
    weight = Decimal(str(criterion["weight"]))
    unit = criterion.get("unit", "")
    row: dict[str, Any] = {
        "id": criterion["id"], "label_id": criterion["label_id"], "label_en": criterion["label_en"],
        "weight": float(weight), "value": metric.value, "unit": unit, "full": criterion["full"],
        "partial": criterion["partial"], "direction": criterion["direction"], "source": criterion.get("source", ""),
    }
    if metric.value is None:
        row.update(scored=False, points=None, level="no_data",
                   reason_id=f"Tidak dinilai: {metric.detail or 'belum ada data'}.",
                   reason_en=f"Not scored: {metric.detail_en or 'no data yet'}.")
        return row
    value, full, partial = metric.value, criterion["full"], criterion["partial"]
    if criterion["direction"] == "higher":
        level = "full" if value >= full else "partial" if value >= partial else "none"
        cmp_id, cmp_en = "≥", "≥"
    else:
        level = "full" if value <= full else "partial" if value <= partial else "none"
        cmp_id, cmp_en = "≤", "≤"
    points = {"full": weight, "partial": weight / 2, "none": Decimal(0)}[level]
    shown, f_full, f_part = _fmt(value, unit), _fmt(full, unit), _fmt(partial, unit)
    if level == "full":
        reason_id = f"{shown} {cmp_id} {f_full}: poin penuh."
        reason_en = f"{shown} {cmp_en} {f_full}: full points."
    elif level == "partial":
        reason_id = f"{shown} belum {cmp_id} {f_full} tetapi {cmp_id} {f_part}: setengah poin."
        reason_en = f"{shown} is not {cmp_en} {f_full} but {cmp_en} {f_part}: half points."
    else:
        reason_id = f"{shown} belum {cmp_id} {f_part}: tanpa poin."
        reason_en = f"{shown} is not {cmp_en} {f_part}: no points."
    if metric.detail:
        reason_id += f" ({metric.detail})"
        reason_en += f" ({metric.detail_en or metric.detail})"
    row.update(scored=True, points=float(points), level=level, reason_id=reason_id, reason_en=reason_en)
    return row


@dataclass(frozen=True)
class Result:
    score: Decimal | None
    klass: str
    criteria: list[dict[str, Any]]


def classify(rubric: dict[str, Any], metrics: dict[str, Metric]) -> Result:
    """Score = 100 * points / weight of the scored criteria; class = the first whose minimum the score reaches.
    Not classified when the scored weight is under the rubric's `min_scored_weight`."""
    rows = [score_criterion(c, metrics.get(c["id"], Metric(None))) for c in rubric["criteria"]]
    scored = [r for r in rows if r["scored"]]
    weight = sum(Decimal(str(r["weight"])) for r in scored)
    if not scored or weight < Decimal(str(rubric.get("min_scored_weight", 0))) or weight == 0:
        return Result(None, NOT_CLASSIFIED, rows)
    points = sum(Decimal(str(r["points"])) for r in scored)
    score = (points / weight * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    for c in rubric["classes"]:
        if score >= Decimal(str(c["min_score"])):
            return Result(score, c["code"], rows)
    return Result(score, rubric["classes"][-1]["code"], rows)  # pragma: no cover - last min_score is 0
