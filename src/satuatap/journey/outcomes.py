"""What an officer must record to complete a step, validated per step type (`StepDefinition.outcome_type`).

Each type is a pydantic model. `validate_outcome` returns the cleaned data, the date until which the step's
output stays valid (certificate, SKCK, passport) and whether the outcome blocks the case (an unfit
medical result: such a case cannot reach CARD or DEP).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from satuatap.core.errors import ValidationFailed

_TEXT = Field(min_length=1, max_length=100)


class _Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str = Field(default="", max_length=1000)

    def blocks_case(self) -> bool:
        return False


class NoOutcome(_Outcome):
    pass


class Registration(_Outcome):
    identity_checked: Literal[True] = Field(description="identity checked against Dukcapil data")
    anti_trafficking_interview: Literal[True] = Field(description="anti-trafficking interview held")
    job_order_number: str = Field(default="", max_length=60)


class Selection(_Outcome):
    passed: Literal[True] = Field(description="selection passed (use reject when it did not)")
    selected_by: str = Field(default="", max_length=150)


class Medical(_Outcome):
    result: Literal["fit", "unfit"]
    certificate_number: str = _TEXT
    valid_until: dt.date | None = None
    clinic: str = Field(default="", max_length=150)

    @model_validator(mode="after")
    def _fit_needs_validity(self):
        if self.result == "fit" and self.valid_until is None:
            raise ValueError("valid_until is required for a fit result")
        return self

    def blocks_case(self) -> bool:
        return self.result == "unfit"


class Certificate(_Outcome):
    certificate_number: str = _TEXT
    issuer: str = Field(min_length=1, max_length=150)
    valid_until: dt.date | None = None


class Agreement(_Outcome):
    agreement_number: str = _TEXT


class Police(_Outcome):
    skck_number: str = _TEXT
    valid_until: dt.date


_PASSPORT_RE = re.compile(r"^[A-Z][0-9A-Z]{6,8}$")


class Passport(_Outcome):
    passport_number: str = Field(min_length=7, max_length=9)
    expiry: dt.date

    @field_validator("passport_number")
    @classmethod
    def _shape(cls, value: str) -> str:
        value = value.upper()
        if not _PASSPORT_RE.match(value):
            raise ValueError("passport number: a letter followed by 6-8 letters or digits")
        return value


class Bpjs(_Outcome):
    membership_number: str = Field(pattern=r"^[0-9]{11}$", description="KPJ number, 11 digits")
    programs: list[Literal["JKK", "JKM", "JHT"]] = Field(default_factory=lambda: ["JKK", "JKM"])

    @field_validator("programs")
    @classmethod
    def _mandatory(cls, value: list[str]) -> list[str]:
        # Permenaker 4/2023: work-accident (JKK) and death (JKM) cover are mandatory; JHT is optional.
        if not {"JKK", "JKM"} <= set(value):
            raise ValueError("JKK and JKM are mandatory")
        return sorted(set(value))


class Visa(_Outcome):
    visa_number: str = _TEXT
    # Recorded as it is; the placement rules (VISA_TYPE) refuse tourist, umrah and visit visas with their
    # legal basis, so the refusal is a decision on record rather than a form error.
    visa_type: Literal["work", "tourist", "umrah", "visit"] = "work"
    valid_until: dt.date | None = None


class Contract(_Outcome):
    contract_number: str = _TEXT
    employer_name: str = Field(min_length=1, max_length=150)
    contract_months: int = Field(ge=1, le=60)


class Orientation(_Outcome):
    certificate_number: str = _TEXT


class Card(_Outcome):
    card_number: str = _TEXT


class Departure(_Outcome):
    checkpoint: str = Field(min_length=2, max_length=100)
    departed_on: dt.date
    flight_or_vessel: str = Field(min_length=2, max_length=30)


class Bank(_Outcome):
    bank_name: str = Field(min_length=2, max_length=100)
    account_number: str = Field(pattern=r"^[0-9]{6,20}$")


OUTCOME_TYPES: dict[str, type[_Outcome]] = {
    "none": NoOutcome,
    "registration": Registration,
    "selection": Selection,
    "medical": Medical,
    "certificate": Certificate,
    "agreement": Agreement,
    "police": Police,
    "passport": Passport,
    "bpjs": Bpjs,
    "visa": Visa,
    "contract": Contract,
    "orientation": Orientation,
    "card": Card,
    "departure": Departure,
    "bank": Bank,
}


@dataclass(frozen=True)
class CleanOutcome:
    data: dict[str, Any]
    valid_until: dt.date | None
    blocks_case: bool


def outcome_schema(outcome_type: str) -> dict[str, Any]:
    """JSON schema of the fields a step type needs (for forms and API clients)."""
    return OUTCOME_TYPES.get(outcome_type, NoOutcome).model_json_schema()


def validate_outcome(outcome_type: str, data: dict[str, Any] | None, *, today: dt.date) -> CleanOutcome:
    """Validate the outcome fields of a step; raise ValidationFailed (422) listing each bad field."""
    model = OUTCOME_TYPES.get(outcome_type, NoOutcome)
    try:
        parsed = model.model_validate(data or {})
    except ValidationError as exc:
        raise ValidationFailed(
            "Data hasil langkah tidak lengkap atau tidak valid.",
            "The step's outcome data is incomplete or invalid.",
            code="outcome_invalid",
            details=[
                {"field": ".".join(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
            ],
        ) from None
    valid_until = getattr(parsed, "valid_until", None) or getattr(parsed, "expiry", None)
    if valid_until is not None and valid_until <= today:
        field = "expiry" if hasattr(parsed, "expiry") else "valid_until"
        raise ValidationFailed(
            f"Dokumen sudah tidak berlaku ({field} {valid_until.isoformat()}).",
            f"The document is no longer valid ({field} {valid_until.isoformat()}).",
            code="outcome_expired",
            details=[{"field": field, "value": valid_until.isoformat()}],
        )
    if isinstance(parsed, Departure) and parsed.departed_on > today:
        raise ValidationFailed(
            "Tanggal keberangkatan tidak boleh di masa depan.",
            "The departure date cannot be in the future.",
            code="outcome_invalid",
            details=[{"field": "departed_on", "value": parsed.departed_on.isoformat()}],
        )
    return CleanOutcome(
        data=parsed.model_dump(mode="json"), valid_until=valid_until, blocks_case=parsed.blocks_case()
    )
