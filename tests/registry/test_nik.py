"""NIK checks: property-based over real region codes, plus real-shape examples."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satuatap.reference.models import Region
from satuatap.registry.nik import PRE_2022_PAPUA_REGENCIES, nik_check, nik_normalize

from .conftest import make_nik

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 30)
# Exactly one of 19yy / 20yy falls in (ON - 100 years, ON], so the century is never ambiguous here.
BIRTH_DATES = st.dates(min_value=dt.date(1925, 7, 1), max_value=ON)
SERIALS = st.integers(min_value=1, max_value=9999).map(lambda n: f"{n:04d}")
SEXES = st.sampled_from(["L", "P"])
HYPOTHESIS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def district_codes(django_db_setup, django_db_blocker) -> list[str]:
    with django_db_blocker.unblock():
        return list(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", flat=True))


@st.composite
def valid_niks(draw, districts: list[str]):
    district = draw(st.sampled_from(districts))
    birth = draw(BIRTH_DATES)
    sex = draw(SEXES)
    serial = draw(SERIALS)
    return make_nik(district, birth, sex, serial), district, birth, sex


# --- properties ----------------------------------------------------------------------------------------------


@HYPOTHESIS
@given(data=st.data())
def test_generated_nik_is_valid_and_parses_back(district_codes, data):
    nik, district, birth, sex = data.draw(valid_niks(district_codes))
    result = nik_check(nik, declared_birth_date=birth, declared_sex=sex, on=ON)
    assert result.valid, result.errors
    assert result.errors == []
    assert result.warnings == []
    assert result.nik == nik
    assert result.birth_date == birth
    assert result.sex == sex
    assert result.district_code == district
    assert result.regency_code == district[:5]
    assert result.province_code == district[:2]
    assert result.district_name and result.regency_name and result.province_name


@HYPOTHESIS
@given(data=st.data())
def test_generated_nik_without_declarations_gives_the_same_date_and_sex(district_codes, data):
    nik, _, birth, sex = data.draw(valid_niks(district_codes))
    result = nik_check(nik, on=ON)
    assert (result.valid, result.birth_date, result.sex) == (True, birth, sex)


def _codes(nik: str) -> list[str]:
    return nik_check(nik, on=ON).error_codes


@HYPOTHESIS
@given(data=st.data())
def test_wrong_length_or_letters_is_a_format_error(district_codes, data):
    nik, *_ = data.draw(valid_niks(district_codes))
    position = data.draw(st.integers(min_value=0, max_value=15))
    letter = data.draw(st.sampled_from("ABOIlo"))
    assert _codes(nik[:-1]) == ["nik_format"]  # 15 digits
    assert _codes(nik + data.draw(st.sampled_from("0123456789"))) == ["nik_format"]  # 17 digits
    assert _codes(nik[:position] + letter + nik[position + 1 :]) == ["nik_format"]


@HYPOTHESIS
@given(data=st.data())
def test_impossible_birth_dates_are_rejected(district_codes, data):
    nik, _, _, sex = data.draw(valid_niks(district_codes))
    offset = 40 if sex == "P" else 0
    month_13 = nik[:8] + "13" + nik[10:]
    day_32 = nik[:6] + f"{32 + offset:02d}" + nik[8:]
    day_0 = nik[:6] + f"{offset:02d}" + nik[8:]
    feb_30 = nik[:6] + f"{30 + offset:02d}02" + nik[10:]
    for mutated in (month_13, day_32, day_0, feb_30):
        result = nik_check(mutated, on=ON)
        assert result.error_codes == ["nik_birth_date_invalid"], mutated
        assert result.birth_date is None and result.sex is None


@HYPOTHESIS
@given(data=st.data())
def test_serial_0000_is_rejected(district_codes, data):
    nik, *_ = data.draw(valid_niks(district_codes))
    assert _codes(nik[:12] + "0000") == ["nik_serial_zero"]


@HYPOTHESIS
@given(data=st.data())
def test_unknown_province_99_is_rejected(district_codes, data):
    nik, *_ = data.draw(valid_niks(district_codes))
    assert _codes("99" + nik[2:]) == ["nik_province_unknown"]


@HYPOTHESIS
@given(data=st.data())
def test_declared_values_that_differ_are_mismatches(district_codes, data):
    nik, _, birth, sex = data.draw(valid_niks(district_codes))
    other_day = birth + dt.timedelta(days=data.draw(st.integers(min_value=1, max_value=400)))
    other_sex = "L" if sex == "P" else "P"
    result = nik_check(nik, declared_birth_date=other_day, declared_sex=other_sex, on=ON)
    assert not result.valid
    assert result.error_codes == ["nik_birth_date_mismatch", "nik_sex_mismatch"]


# --- real-shape examples -------------------------------------------------------------------------------------


def test_woman_born_12_april_1995_in_indramayu():
    nik = make_nik("32.12.01", dt.date(1995, 4, 12), "P", "0003")
    assert nik == "3212015204950003"  # day 12 + 40 = 52
    result = nik_check(nik, declared_birth_date=dt.date(1995, 4, 12), declared_sex="P")
    assert result.valid
    assert result.sex == "P"
    assert result.birth_date == dt.date(1995, 4, 12)
    assert (result.province_code, result.regency_code, result.district_code) == ("32", "32.12", "32.12.01")
    assert result.regency_name == Region.objects.get(code="32.12").name
    assert "Indramayu" in result.regency_name


def test_man_has_the_plain_day():
    result = nik_check("3212011204950003")
    assert (result.valid, result.sex, result.birth_date) == (True, "L", dt.date(1995, 4, 12))


def test_separators_are_ignored_and_normalised():
    result = nik_check(" 3212-0152-0495-0003 ")
    assert result.valid and result.nik == "3212015204950003"
    assert nik_check("3212.0152.0495.0003").nik == "3212015204950003"
    assert nik_normalize("3212 0152 0495 0003") == "3212015204950003"


def test_error_messages_are_bilingual_with_indonesian_first():
    result = nik_check("12345")
    assert result.errors == [
        {
            "code": "nik_format",
            "message": "NIK harus terdiri dari 16 digit angka.",
            "message_en": "A NIK must be exactly 16 digits.",
        }
    ]


def test_century_is_chosen_so_nobody_is_born_in_the_future():
    on = dt.date(2025, 6, 30)
    # 1 December '25 would be in the future in 2025: it must be 1925.
    assert nik_check(make_nik(birth=dt.date(1925, 12, 1)), on=on).birth_date == dt.date(1925, 12, 1)
    # 1 March '25 is in the past: 2025 (a baby) is the reading that is not in the future.
    assert nik_check(make_nik(birth=dt.date(2025, 3, 1)), on=on).birth_date == dt.date(2025, 3, 1)
    assert nik_check(make_nik(birth=dt.date(2005, 3, 1)), on=on).birth_date == dt.date(2005, 3, 1)
    assert nik_check(make_nik(birth=dt.date(1987, 3, 1)), on=on).birth_date == dt.date(1987, 3, 1)


def test_declared_birth_date_settles_the_century():
    on = dt.date(2025, 6, 30)
    nik = make_nik(birth=dt.date(1925, 3, 1), sex="L")
    result = nik_check(nik, declared_birth_date=dt.date(1925, 3, 1), declared_sex="L", on=on)
    assert result.valid and result.birth_date == dt.date(1925, 3, 1)


def test_leap_day():
    assert nik_check(make_nik(birth=dt.date(2000, 2, 29))).valid
    assert nik_check(make_nik(birth=dt.date(1996, 2, 29), sex="L")).valid
    assert nik_check("3212016902970001").error_codes == ["nik_birth_date_invalid"]  # 29 Feb 1997 (woman)


def test_old_papua_code_is_accepted_with_a_warning():
    # Merauke was 91.01 (Papua) until UU 14/2022 moved it to Papua Selatan as 93.01.
    result = nik_check(make_nik("91.01.01", dt.date(1990, 1, 5), "L", "0042"))
    assert result.valid
    assert result.errors == []
    assert [w["code"] for w in result.warnings] == ["nik_region_pre2022"]
    assert result.current_regency_code == "93.01"
    assert "Merauke" in result.warnings[0]["message"]
    assert "2022" in result.warnings[0]["message"] and "2022" in result.warnings[0]["message_en"]
    assert result.province_code == "91"


@pytest.mark.parametrize(("old", "new"), sorted(PRE_2022_PAPUA_REGENCIES.items()))
def test_every_pre_2022_papua_code_is_retired_and_points_at_a_current_regency(old, new):
    assert old[:2] in {"91", "92"} and new[:2] in {"93", "94", "95", "96"}
    assert not Region.objects.filter(code=old).exists()
    assert Region.objects.filter(code=new, level=Region.Level.REGENCY).exists()
    assert nik_check(make_nik(f"{old}.01")).warning_codes == ["nik_region_pre2022"]


def test_current_papua_code_needs_no_warning():
    result = nik_check(make_nik("93.01.01"))
    assert result.valid and result.warnings == []


def test_unknown_regency_is_an_error_even_in_papua():
    assert nik_check(make_nik("32.99.01")).error_codes == ["nik_regency_unknown"]
    assert nik_check(make_nik("91.99.01")).error_codes == ["nik_regency_unknown"]


def test_unknown_district_of_a_known_regency_is_only_a_warning():
    result = nik_check(make_nik("32.12.99"))
    assert result.valid
    assert result.warning_codes == ["nik_district_unknown"]
    assert result.district_name is None and "Indramayu" in result.regency_name


def test_zero_region_codes_are_rejected():
    assert "nik_region_zero" in nik_check(make_nik("32.00.01")).error_codes
    assert "nik_region_zero" in nik_check(make_nik("32.12.00")).error_codes


def test_birth_date_mismatch_says_what_the_nik_says_and_what_was_declared():
    result = nik_check(make_nik(), declared_birth_date=dt.date(1995, 4, 13), declared_sex="P")
    assert result.error_codes == ["nik_birth_date_mismatch"]
    error = result.errors[0]
    assert "menurut NIK 12 April 1995" in error["message"]
    assert "yang diisi 13 April 1995" in error["message"]
    assert "1995-04-12" in error["message_en"] and "1995-04-13" in error["message_en"]


def test_sex_mismatch_says_what_the_nik_says_and_what_was_declared():
    result = nik_check(make_nik(sex="P"), declared_birth_date=dt.date(1995, 4, 12), declared_sex="L")
    assert result.error_codes == ["nik_sex_mismatch"]
    error = result.errors[0]
    assert "menurut NIK perempuan" in error["message"]
    assert "yang diisi laki-laki" in error["message"]
    assert "female" in error["message_en"] and "male" in error["message_en"]


def test_as_dict_is_json_ready():
    data = nik_check(make_nik()).as_dict()
    assert data["valid"] is True
    assert data["birth_date"] == dt.date(1995, 4, 12)
    assert set(data) >= {"valid", "nik", "errors", "warnings", "birth_date", "sex", "province_code"}
