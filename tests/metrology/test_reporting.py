"""Rounding and wording of a result for a certificate (GUM 7.2.6, ILAC P14, EA-4/02)."""

from decimal import Decimal

import pytest

from metrology.reporting import format_number, report, round_uncertainty
from metrology.uncertainty import InputError


def test_the_derived_ea_4_02_rounding_vectors(published):
    cases = {c["id"]: c for c in published["rounding_cases"]}
    for example in cases["EA-4/02-rounding"]["derived_examples"]:
        if "U_calc" in example:
            expected = Decimal(repr(example["two_sig"]))
            assert round_uncertainty(example["U_calc"]) == expected, example["note"]


def test_u_of_0_0585_rounds_half_up_to_0_059():
    assert round_uncertainty(0.0585) == Decimal("0.059")  # EA-S2 style: 0.0585 -> 0.059


def test_one_significant_digit_is_rounded_up_when_nearest_lowers_u_by_more_than_5_percent():
    # EA-4/02 6.3: 0.0148 -> 0.01 would lower U by 32 %, so 0.02
    assert round_uncertainty(0.0148, significant=1) == Decimal("0.02")
    # 1.049 -> 1 lowers it by 4.7 %: allowed
    assert round_uncertainty(1.049, significant=1) == Decimal("1")
    # EA-S9 prints 0.05 V for 0.0488 V
    assert round_uncertainty(0.0488, significant=1) == Decimal("0.05")


def test_gum_7_2_6_examples():
    # GUM 7.2.6: 28.05 kHz is rounded down to 28 kHz
    assert round_uncertainty(28.05) == Decimal("28")
    # GUM 7.2.6: 10.057 62 Ω with u_c = 27 mΩ is reported as 10.058 Ω
    assert report(10.05762, 0.027, 1).value == Decimal("10.058")
    # GUM 7.2.6: 10.47 mΩ "may be rounded up to 11": our rule rounds to nearest at two digits
    assert round_uncertainty(10.47) == Decimal("10")


def test_the_value_takes_the_decimal_place_of_the_rounded_u():
    # EA-4/02 derived: y = 10 000.178 000 7665, U = 0.017 -> 10 000.178
    r = report(10000.1780007665, 0.01666, 2)
    assert (r.value, r.U, r.decimals) == (Decimal("10000.178"), Decimal("0.017"), 3)
    # JCGM 101 9.3 GUF half-width 0.1056 -> 0.11; 1.2340 -> 1.23
    r = report(1.2340, 0.1055, 1.96)
    assert (r.value, r.U) == (Decimal("1.23"), Decimal("0.11"))


def test_a_u_rounded_to_tens_rounds_the_value_to_tens():
    r = report(123456.7, 1234, 2, unit="Pa")
    assert (r.value, r.U, r.decimals) == (Decimal("1.235E+5"), Decimal("1.2E+3"), -2)
    assert r.text() == "123500 Pa ± 1200 Pa (k = 2.00, p ≈ 95 %)"


def test_certificate_text_in_english_and_vietnamese():
    r = report(Decimal("100.01250"), Decimal("0.00113"), 2, unit="Ω")
    assert r.text_en == "100.0125 Ω ± 0.0011 Ω (k = 2.00, p ≈ 95 %)"
    assert r.text_vi == "100,0125 Ω ± 0,0011 Ω (k = 2,00, p ≈ 95 %)"


def test_gum_h1_result_reads_as_the_gum_states_it(published):
    # GUM H.1.6: l = 50.000 838 mm ± 0.000 093 mm (k = 2.92, p ≈ 99 %); the GUM rounds u_c to
    # 32 nm before multiplying by 2.92; from the unrounded 31.66 nm, U = 92.5 nm -> 92 nm.
    r = report(50000838.0, 92.48, 2.9208, coverage=0.99, unit="nm")
    assert r.text() == "50000838 nm ± 92 nm (k = 2.92, p ≈ 99 %)"


def test_a_coverage_other_than_95_percent_prints_as_given():
    assert report(1.0, 0.1, 2, coverage=0.9545).text("vi") == "1,00 ± 0,10 (k = 2,00, p ≈ 95,45 %)"


def test_the_cmc_is_a_floor_for_the_reported_u():
    # ILAC P14: U_reported = max(U_calc, U_CMC)
    r = report(20.0031, 0.0042, 2, unit="°C", cmc=Decimal("0.010"))
    assert (r.U, r.value, r.cmc_applied) == (Decimal("0.010"), Decimal("20.003"), True)
    r = report(20.0031, 0.042, 2, unit="°C", cmc=Decimal("0.010"))
    assert (r.U, r.cmc_applied) == (Decimal("0.042"), False)


def test_rounding_never_lands_below_the_cmc():
    r = report(1.0, 0.00100, 2, cmc="0.001049")
    assert r.U == Decimal("0.0011")
    assert r.U >= Decimal("0.001049")
    assert r.cmc_applied


def test_format_number_uses_the_decimal_comma_in_vietnamese():
    assert format_number(Decimal("-1234.50"), "vi") == "-1234,50"
    assert format_number(Decimal("1234.50"), "en") == "1234.50"
    with pytest.raises(InputError, match="unknown language"):
        format_number(Decimal("1"), "fr")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((1.0, 0, 2), {}, "must be positive"),
        ((1.0, -0.1, 2), {}, "must be positive"),
        ((1.0, "abc", 2), {}, "must be a number"),
        ((1.0, float("nan"), 2), {}, "finite number"),
        ((1.0, 0.1, 0), {}, "coverage factor k must be positive"),
        ((1.0, 0.1, 2), {"coverage": 1.5}, "between 0 and 1"),
        ((1.0, 0.1, 2), {"cmc": -1}, "CMC must be positive"),
    ],
)
def test_a_result_that_cannot_be_reported_is_refused(args, kwargs, message):
    with pytest.raises(InputError, match=message):
        report(*args, **kwargs)
