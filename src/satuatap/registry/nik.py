"""NIK (Nomor Induk Kependudukan) checks for registration: structure, region, and what the candidate declared.

The structure (16 digits, province code, day + 40 for women, a real date, serial not 0000) comes from
`lokal.nik.parse_nik`; the region codes are checked against our Region table (Kepmendagri 2025 data).
A structural check cannot prove the NIK is registered at Dukcapil: that is the civil-registration desk's job.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone
from lokal.nik import parse_nik

from satuatap.reference.models import Region

# Regency codes of old Papua (91) and Papua Barat (92) retired when UU 14, 15 and 16/2022 created Papua
# Selatan (93), Papua Tengah (94) and Papua Pegunungan (95), and UU 29/2022 Papua Barat Daya (96). A NIK
# keeps the code it was issued with, so these stay acceptable; the value is the regency's code today.
PRE_2022_PAPUA_REGENCIES: dict[str, str] = {
    "91.01": "93.01",  # Merauke
    "91.16": "93.02",  # Boven Digoel
    "91.17": "93.03",  # Mappi
    "91.18": "93.04",  # Asmat
    "91.04": "94.01",  # Nabire
    "91.07": "94.02",  # Puncak Jaya
    "91.08": "94.03",  # Paniai
    "91.09": "94.04",  # Mimika
    "91.25": "94.05",  # Puncak
    "91.26": "94.06",  # Dogiyai
    "91.27": "94.07",  # Intan Jaya
    "91.28": "94.08",  # Deiyai
    "91.02": "95.01",  # Jayawijaya
    "91.12": "95.02",  # Pegunungan Bintang
    "91.13": "95.03",  # Yahukimo
    "91.14": "95.04",  # Tolikara
    "91.21": "95.05",  # Mamberamo Tengah
    "91.22": "95.06",  # Yalimo
    "91.23": "95.07",  # Lanny Jaya
    "91.24": "95.08",  # Nduga
    "92.01": "96.01",  # Sorong
    "92.04": "96.02",  # Sorong Selatan
    "92.05": "96.03",  # Raja Ampat
    "92.09": "96.04",  # Tambrauw
    "92.10": "96.05",  # Maybrat
    "92.71": "96.71",  # Kota Sorong
}

_MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_SEX_ID = {"L": "laki-laki", "P": "perempuan"}
_SEX_EN = {"L": "male", "P": "female"}
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass
class NikIssue:
    code: str
    message: str
    message_en: str


@dataclass
class NikCheck:
    """Result of `nik_check`; `valid` is False as soon as there is one error (warnings never block)."""

    valid: bool
    nik: str | None
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    birth_date: dt.date | None = None
    sex: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    province_name: str | None = None
    regency_name: str | None = None
    district_name: str | None = None
    # For a pre-2022 Papua NIK: the regency's code today (e.g. "93.01" for "91.01").
    current_regency_code: str | None = None

    @property
    def error_codes(self) -> list[str]:
        return [e["code"] for e in self.errors]

    @property
    def warning_codes(self) -> list[str]:
        return [w["code"] for w in self.warnings]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def nik_normalize(raw: str) -> str:
    """The input without spaces, dots and dashes (a NIK is often written 3212-0152-0495-0001)."""
    return _SEPARATORS.sub("", str(raw or ""))


def format_date_id(day: dt.date) -> str:
    """12 April 1995."""
    return f"{day.day} {_MONTHS_ID[day.month - 1]} {day.year}"


def _issue(code: str, message: str, message_en: str) -> dict[str, str]:
    return asdict(NikIssue(code=code, message=message, message_en=message_en))


def _birth_date(digits: str, *, on: dt.date, declared: dt.date | None) -> dt.date | None:
    """The birth date in DDMMYY (women DD + 40); the century is the one that is not in the future of `on`.

    The two-digit year is ambiguous across centuries: a declared date with the same day, month and two
    digits decides it, as long as it is not in the future either.
    """
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40
    if (
        declared is not None
        and declared <= on
        and (declared.day, declared.month, declared.year % 100) == (day, month, yy)
    ):
        return declared
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= on:
            return candidate
    return None


def nik_check(
    nik: str,
    *,
    declared_birth_date: dt.date | None = None,
    declared_sex: str | None = None,
    on: dt.date | None = None,
) -> NikCheck:
    """Check a NIK's structure and region codes, and that it agrees with the declared birth date and sex."""
    on = on or timezone.localdate()
    parsed = parse_nik(nik_normalize(nik), reference_date=on)
    result = NikCheck(valid=False, nik=parsed.nik)
    errors = result.errors

    if parsed.nik is None:
        errors.append(
            _issue(
                "nik_format",
                "NIK harus terdiri dari 16 digit angka.",
                "A NIK must be exactly 16 digits.",
            )
        )
        return result
    digits = parsed.nik
    result.province_code = parsed.province_code
    result.regency_code = parsed.regency_code
    result.district_code = parsed.district_code
    lokal_codes = {issue.code for issue in parsed.errors}

    _check_region(result, province_known="province" not in lokal_codes, zero="wilayah" in lokal_codes)

    # lokal infers the century from the year alone; recompute with the full date so nobody is born after `on`.
    birth_date = _birth_date(digits, on=on, declared=declared_birth_date)
    if birth_date is None:
        errors.append(
            _issue(
                "nik_birth_date_invalid",
                f"Tanggal lahir di NIK ({digits[6:8]}-{digits[8:10]}-{digits[10:12]}) bukan tanggal yang ada "
                "(untuk perempuan tanggal ditambah 40).",
                f"The birth date in the NIK ({digits[6:8]}-{digits[8:10]}-{digits[10:12]}) is not a real date "
                "(women add 40 to the day).",
            )
        )
    else:
        result.birth_date = birth_date
        result.sex = "P" if int(digits[6:8]) > 40 else "L"

    if "serial" in lokal_codes or digits[12:] == "0000":
        errors.append(
            _issue(
                "nik_serial_zero",
                "Nomor urut NIK (4 digit terakhir) tidak boleh 0000.",
                "The NIK serial number (last 4 digits) cannot be 0000.",
            )
        )

    if result.birth_date is not None and declared_birth_date is not None and result.birth_date != declared_birth_date:
        errors.append(
            _issue(
                "nik_birth_date_mismatch",
                f"Tanggal lahir tidak cocok dengan NIK: menurut NIK {format_date_id(result.birth_date)}, "
                f"sedangkan yang diisi {format_date_id(declared_birth_date)}.",
                f"Birth date does not match the NIK: the NIK says {result.birth_date.isoformat()}, "
                f"but {declared_birth_date.isoformat()} was entered.",
            )
        )
    if result.sex is not None and declared_sex and declared_sex != result.sex:
        errors.append(
            _issue(
                "nik_sex_mismatch",
                f"Jenis kelamin tidak cocok dengan NIK: menurut NIK {_SEX_ID[result.sex]}, sedangkan yang diisi "
                f"{_SEX_ID.get(declared_sex, declared_sex)} (pada NIK perempuan, tanggal lahir ditambah 40).",
                f"Sex does not match the NIK: the NIK says {_SEX_EN[result.sex]}, but "
                f"{_SEX_EN.get(declared_sex, declared_sex)} was entered (women's NIKs add 40 to the birth day).",
            )
        )

    result.valid = not errors
    return result


def _check_region(result: NikCheck, *, province_known: bool, zero: bool) -> None:
    """Province and regency must exist today or be a retired pre-2022 Papua code; an unknown district only warns."""
    errors, warnings = result.errors, result.warnings
    if zero:
        errors.append(
            _issue(
                "nik_region_zero",
                "Kode kabupaten/kota dan kecamatan di NIK tidak boleh 00.",
                "The regency and district codes in a NIK cannot be 00.",
            )
        )
        return
    codes = [result.province_code, result.regency_code, result.district_code]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    result.province_name = names.get(result.province_code)
    result.regency_name = names.get(result.regency_code)
    result.district_name = names.get(result.district_code)

    if not province_known or result.province_name is None:
        errors.append(
            _issue(
                "nik_province_unknown",
                f"Kode provinsi {result.province_code} di NIK tidak dikenal.",
                f"Province code {result.province_code} in the NIK is unknown.",
            )
        )
        return
    if result.regency_name is None:
        successor = PRE_2022_PAPUA_REGENCIES.get(result.regency_code or "")
        if successor is None:
            errors.append(
                _issue(
                    "nik_regency_unknown",
                    f"Kode kabupaten/kota {result.regency_code} di NIK tidak ada di provinsi {result.province_name}.",
                    f"Regency code {result.regency_code} in the NIK does not exist in {result.province_name}.",
                )
            )
            return
        result.current_regency_code = successor
        successor_name = Region.objects.filter(code=successor).values_list("name", flat=True).first() or successor
        result.regency_name = successor_name
        warnings.append(
            _issue(
                "nik_region_pre2022",
                f"NIK memakai kode wilayah lama Papua sebelum pemekaran 2022 ({result.regency_code}); "
                f"sekarang {successor_name} ({successor}). NIK tetap sah.",
                f"The NIK uses an old Papua region code from before the 2022 split ({result.regency_code}); "
                f"today {successor_name} ({successor}). The NIK is still valid.",
            )
        )
        return
    if result.district_name is None:
        warnings.append(
            _issue(
                "nik_district_unknown",
                f"Kode kecamatan {result.district_code} di NIK tidak ada di data Kemendagri terbaru "
                f"(mungkin kode lama sebelum pemekaran); {result.regency_name} dikenal.",
                f"District code {result.district_code} in the NIK is not in the latest Kemendagri data "
                f"(perhaps an old code from before a split); {result.regency_name} is known.",
            )
        )
