"""Matching a complaint's worker to the registry, and whether that worker left through the system.

Shared by services (the suggestion stored at intake, the confirmed match) and selectors (candidates shown
to the agent). An agent always confirms: a match is a suggestion with a method and a confidence.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from satuatap.journey.models import Step, StepState
from satuatap.registry.models import Worker
from satuatap.registry.nik import nik_normalize

CONFIDENCE_NIK = Decimal("1.00")
CONFIDENCE_PASSPORT = Decimal("0.95")
# Name + birth date: at most this (same birth date, identical name), lower as the names differ.
CONFIDENCE_NAME_MAX = Decimal("0.90")
NAME_SIMILARITY_MIN = 0.80
# The journey steps whose completion means the worker left through the system (PMI card, departure).
PROCEDURAL_STEPS = ("CARD", "DEP")

_NIK = re.compile(r"^\d{16}$")
_PASSPORT = re.compile(r"^[A-Z][0-9A-Z]{6,8}$")
_NOT_LETTER = re.compile(r"[^a-z ]+")
_TITLES = frozenset({"bin", "binti", "bt", "bte", "sdr", "sdri", "ibu", "bapak", "bpk", "hj", "h"})


@dataclass(frozen=True)
class MatchCandidate:
    worker: Worker
    method: str  # crisis.models.MatchMethod values
    confidence: Decimal


def passport_normalize(raw: str) -> str:
    return re.sub(r"[\s\-]", "", (raw or "")).upper()


def name_normalize(name: str) -> str:
    """Lower case, accents and punctuation dropped, honorifics and "bin/binti" removed, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = [w for w in _NOT_LETTER.sub(" ", text).split() if w not in _TITLES]
    return " ".join(words)


def name_similarity(a: str, b: str) -> float:
    a, b = name_normalize(a), name_normalize(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    # word order varies ("Siti Aminah" / "Aminah Siti"): compare sorted words too, keep the better
    direct = SequenceMatcher(None, a, b).ratio()
    ordered = SequenceMatcher(None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))).ratio()
    # one name inside the other ("Nur Halimah" / "Nur Halimah binti Ahmad"): father's name or a dropped part
    words_a, words_b = set(a.split()), set(b.split())
    shorter = min(len(words_a), len(words_b))
    contained = 0.9 * len(words_a & words_b) / shorter if shorter >= 2 else 0.0
    return max(direct, ordered, contained)


def match_candidates(*, nik: str = "", passport: str = "", name: str = "", birth_date: dt.date | None = None,
                     limit: int = 5) -> list[MatchCandidate]:
    """Registry workers this complaint may be about, best first: NIK 1.0, passport 0.95, name + birth date < 1."""
    found: dict[int, MatchCandidate] = {}

    def offer(candidate: MatchCandidate) -> None:
        current = found.get(candidate.worker.pk)
        if current is None or candidate.confidence > current.confidence:
            found[candidate.worker.pk] = candidate

    digits = nik_normalize(nik or "")
    if _NIK.match(digits):
        for worker in Worker.objects.filter(nik=digits):
            offer(MatchCandidate(worker, "nik", CONFIDENCE_NIK))
    number = passport_normalize(passport)
    if _PASSPORT.match(number):
        steps = Step.objects.filter(
            code="PASS", state__in=(StepState.DONE, StepState.EXPIRED), outcome__passport_number=number
        ).select_related("case__worker")
        for step in steps:
            offer(MatchCandidate(step.case.worker, "passport", CONFIDENCE_PASSPORT))
    if name and birth_date:
        for worker in Worker.objects.filter(birth_date=birth_date)[:500]:
            similarity = name_similarity(name, worker.name)
            if similarity >= NAME_SIMILARITY_MIN:
                confidence = (CONFIDENCE_NAME_MAX * Decimal(str(round(similarity, 2)))).quantize(Decimal("0.01"))
                offer(MatchCandidate(worker, "name_birth_date", confidence))
    ordered = sorted(found.values(), key=lambda c: (-c.confidence, c.worker.name, c.worker.pk))
    return ordered[: max(1, limit)]


def worker_left_procedurally(worker: Worker) -> bool:
    """True when a journey case of this worker has its PMI card issued or its departure recorded."""
    return Step.objects.filter(case__worker=worker, code__in=PROCEDURAL_STEPS, state=StepState.DONE).exists()
