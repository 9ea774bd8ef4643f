"""OIML R 76-1:2006: Table 6 at every band edge of every class, Table 3, and the test helpers."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrology.errors import InputError
from metrology.legal import oiml_r76
from metrology.legal.oiml_r76 import (
    bands,
    check_instrument,
    discrimination_load,
    discrimination_passes,
    eccentricity_test_load,
    error_before_rounding,
    mpe,
    repeatability,
    standard_weight_limit,
    zero_setting_limit,
)

D = Decimal

# Table 6 with e = 1: (class, load in e, MPE on initial verification in e).
# Each band limit is tested just below (−e/10), on, and just above (+e/10): a load on the limit
# belongs to the lower band ("0 ≤ m ≤ 500 e", "500 e < m ≤ 2 000 e").
TABLE_6 = [
    ("I", "0", "0.5"),
    ("I", "49999.9", "0.5"),
    ("I", "50000", "0.5"),
    ("I", "50000.1", "1"),
    ("I", "199999.9", "1"),
    ("I", "200000", "1"),
    ("I", "200000.1", "1.5"),
    ("I", "10000000", "1.5"),  # class I has no upper limit
    ("II", "0", "0.5"),
    ("II", "4999.9", "0.5"),
    ("II", "5000", "0.5"),
    ("II", "5000.1", "1"),
    ("II", "19999.9", "1"),
    ("II", "20000", "1"),
    ("II", "20000.1", "1.5"),
    ("II", "99999.9", "1.5"),
    ("II", "100000", "1.5"),
    ("III", "0", "0.5"),
    ("III", "499.9", "0.5"),
    ("III", "500", "0.5"),
    ("III", "500.1", "1"),
    ("III", "1999.9", "1"),
    ("III", "2000", "1"),
    ("III", "2000.1", "1.5"),
    ("III", "9999.9", "1.5"),
    ("III", "10000", "1.5"),
    ("IIII", "0", "0.5"),
    ("IIII", "49.9", "0.5"),
    ("IIII", "50", "0.5"),
    ("IIII", "50.1", "1"),
    ("IIII", "199.9", "1"),
    ("IIII", "200", "1"),
    ("IIII", "200.1", "1.5"),
    ("IIII", "999.9", "1.5"),
    ("IIII", "1000", "1.5"),
]

# Just above the last band of Table 6 there is no MPE (the largest n of the class).
BEYOND_TABLE = [("II", "100000.1"), ("III", "10000.1"), ("IIII", "1000.1")]


@pytest.mark.parametrize(("cls", "load", "expected"), TABLE_6)
def test_table_6_on_initial_verification(cls, load, expected):
    assert mpe(load, "1", cls) == D(expected)


@pytest.mark.parametrize(("cls", "load", "expected"), TABLE_6)
def test_in_service_the_mpe_is_twice_table_6(cls, load, expected):
    assert mpe(load, "1", cls, in_service=True) == 2 * D(expected)  # R 76-1 3.5.2


@pytest.mark.parametrize(("cls", "load", "expected"), TABLE_6)
def test_the_table_scales_with_e(cls, load, expected):
    e = D("0.005")
    assert mpe(D(load) * e, e, cls) == D(expected) * e


@pytest.mark.parametrize(("cls", "load"), BEYOND_TABLE)
def test_a_load_beyond_the_last_band_is_refused(cls, load):
    with pytest.raises(InputError, match=f"beyond Table 6 for class {cls}"):
        mpe(load, "1", cls)


def test_a_shop_scale_of_15_kg_by_5_g():
    # 3 kg = 600 e (1 e band), 15 kg = 3 000 e (1.5 e band), 2.5 kg = 500 e (0.5 e band)
    assert mpe("2.5", "0.005", "III") == D("0.0025")
    assert mpe("3", "0.005", "III") == D("0.005")
    assert mpe("15", "0.005", "III") == D("0.0075")
    assert mpe("15", "0.005", "III", in_service=True) == D("0.015")


@pytest.mark.parametrize(
    ("load", "e", "cls", "message"),
    [
        ("-0.001", "1", "III", "the load must not be negative"),
        ("10", "0", "III", "e must be greater than zero"),
        ("10", "-1", "III", "e must be greater than zero"),
        ("10", "1", "V", "the accuracy class must be one of I, II, III, IIII"),
        ("10", "1", "3", "the accuracy class must be one of"),
        ("ten", "1", "III", "the load must be a number"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(load, e, cls, message):
    with pytest.raises(ValueError, match=message):
        mpe(load, e, cls)


def test_the_class_is_read_whatever_its_case():
    assert mpe("600", "1", " iii ") == D("1")


def test_bands_give_the_band_limits_in_the_unit_of_e():
    assert bands("0.005", "III") == (
        oiml_r76.Band(D(0), D("2.5"), D("0.0025")),
        oiml_r76.Band(D("2.5"), D("10"), D("0.005")),
        oiml_r76.Band(D("10"), D("50"), D("0.0075")),
    )
    assert bands("1", "I")[-1].upper is None
    assert [b.mpe for b in bands("1", "II", in_service=True)] == [D(1), D(2), D(3)]


@given(
    cls=st.sampled_from(oiml_r76.CLASSES),
    a=st.decimals(min_value=0, max_value=1000, places=1),
    b=st.decimals(min_value=0, max_value=1000, places=1),
)
def test_the_mpe_never_decreases_as_the_load_grows(cls, a, b):
    low, high = sorted((a, b))
    top = {"I": 200_001, "II": 100_000, "III": 10_000, "IIII": 1_000}[cls]
    scale = D(top) / 1000  # spread the loads over the whole table of the class
    assert mpe(low * scale, "1", cls) <= mpe(high * scale, "1", cls)


@given(
    cls=st.sampled_from(oiml_r76.CLASSES),
    m=st.decimals(min_value=0, max_value=1000, places=2),
    e=st.sampled_from([D("0.001"), D("0.01"), D("0.1"), D("1"), D("2"), D("5"), D("20")]),
)
def test_in_service_is_exactly_twice_and_always_a_half_multiple_of_e(cls, m, e):
    initial = mpe(m * e, e, cls)
    assert mpe(m * e, e, cls, in_service=True) == 2 * initial
    assert initial / e in (D("0.5"), D("1"), D("1.5"))


# Table 3: classification. Each row: Max, e, class, unit, expected n, expected Min, problems.
GOOD_INSTRUMENTS = [
    ("50", "0.001", "I", "g", "50000", "0.1"),  # n min 50 000 on the edge, Min 100 e
    ("220", "0.001", "I", "g", "220000", "0.1"),  # class I has no n max
    ("200", "0.01", "II", "g", "20000", "0.2"),  # Min 20 e for e ≤ 0.05 g
    ("1", "0.01", "II", "g", "100", "0.2"),  # n min 100 on the edge
    ("5000", "0.05", "II", "g", "100000", "1.0"),  # n max 100 000 on the edge
    ("500", "0.1", "II", "g", "5000", "5.0"),  # e ≥ 0.1 g: n min 5 000, Min 50 e
    ("10", "0.1", "III", "g", "100", "2.0"),  # 0.1 g ≤ e ≤ 2 g: n min 100
    ("20", "0.002", "III", "kg", "10000", "0.040"),  # e = 2 g, n max 10 000 on the edge
    ("2.5", "0.005", "III", "kg", "500", "0.100"),  # e ≥ 5 g: n min 500 on the edge
    ("15", "0.005", "III", "kg", "3000", "0.100"),
    ("60", "0.02", "III", "kg", "3000", "0.40"),
    ("60", "0.02", "III", "t", "3000", "0.40"),  # a 60 t weighbridge with e = 20 kg
    ("0.5", "0.005", "IIII", "kg", "100", "0.050"),  # n min 100, Min 10 e
    ("5", "0.005", "IIII", "kg", "1000", "0.050"),  # n max 1 000 on the edge
]


@pytest.mark.parametrize(("top", "e", "cls", "unit", "n", "min_capacity"), GOOD_INSTRUMENTS)
def test_instruments_that_fit_their_class(top, e, cls, unit, n, min_capacity):
    check = check_instrument(top, e, cls, unit=unit)
    assert check.problems == ()
    assert check.ok
    assert check.n == D(n)
    assert check.min_capacity == D(min_capacity)


BAD_INSTRUMENTS = [
    ("49.999", "0.001", "I", "g", "n = Max/e = 49999 is less than the 50000 required"),
    ("50", "0.0001", "I", "g", "e = 0.0001 g does not fit class I, which needs e ≥ 0.001 g"),
    ("0.99", "0.01", "II", "g", "n = Max/e = 99 is less than the 100 required"),
    ("5000.05", "0.05", "II", "g", "n = Max/e = 100001 is more than the 100000 allowed"),
    ("499.9", "0.1", "II", "g", "n = Max/e = 4999 is less than the 5000 required"),
    ("9.9", "0.1", "III", "g", "n = Max/e = 99 is less than the 100 required"),
    ("20.002", "0.002", "III", "kg", "n = Max/e = 10001 is more than the 10000 allowed"),
    ("2.495", "0.005", "III", "kg", "n = Max/e = 499 is less than the 500 required"),
    ("10", "0.05", "III", "g", "e = 0.05 g does not fit class III"),
    ("0.495", "0.005", "IIII", "kg", "n = Max/e = 99 is less than the 100 required"),
    ("5.005", "0.005", "IIII", "kg", "n = Max/e = 1001 is more than the 1000 allowed"),
    ("10", "2", "IIII", "g", "e = 2 g does not fit class IIII, which needs e ≥ 5 g"),
    ("15", "0.003", "III", "kg", "e = 0.003 kg must be 1, 2 or 5 × 10^k kg"),
    ("15.001", "0.005", "III", "kg", "is not a whole number of verification scale intervals"),
]


@pytest.mark.parametrize(("top", "e", "cls", "unit", "problem"), BAD_INSTRUMENTS)
def test_instruments_that_do_not_fit_their_class(top, e, cls, unit, problem):
    check = check_instrument(top, e, cls, unit=unit)
    assert not check.ok
    assert any(problem in p for p in check.problems), check.problems


def test_e_between_two_lines_of_table_3_fits_no_line_and_has_no_minimum_capacity():
    check = check_instrument("30", "0.003", "III", unit="kg")  # e = 3 g: 2 g < e < 5 g
    assert check.min_capacity is None
    assert any("0.1 g ≤ e ≤ 2 g or e ≥ 5 g" in p for p in check.problems)


@pytest.mark.parametrize(
    ("top", "e", "d", "cls", "problem"),
    [
        ("200", "0.01", "0.001", "II", None),  # e = 10 d, e = 10^k: allowed (3.4.2)
        ("200", "0.01", "0.002", "II", None),
        ("200", "0.01", "0.01", "II", None),  # d = e
        ("200", "0.1", "0.001", "II", "must not be more than 10 d"),
        ("200", "0.02", "0.01", "II", "e = 0.02 g must be 10^k g"),
        ("15", "0.005", "0.001", "III", "d smaller than e is allowed only in classes I and II"),
        ("200", "0.01", "0.02", "II", "must not be larger than e"),
        ("200", "0.01", "0.003", "II", "d = 0.003 g must be 1, 2 or 5 × 10^k g"),
    ],
)
def test_the_actual_scale_interval_d(top, e, d, cls, problem):
    check = check_instrument(top, e, cls, unit="g", d=d)
    if problem is None:
        assert check.ok, check.problems
    else:
        assert any(problem in p for p in check.problems), check.problems


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_capacity": "0", "e": "1", "unit": "g"}, "Max must be greater than zero"),
        ({"max_capacity": "10", "e": "0", "unit": "g"}, "e must be greater than zero"),
        ({"max_capacity": "10", "e": "1", "unit": "lb"}, "the unit of mass must be one of"),
        ({"max_capacity": "10", "e": "1", "unit": "g", "d": "0"}, "d must be greater than zero"),
    ],
)
def test_check_instrument_refuses_bad_numbers(kwargs, message):
    with pytest.raises(InputError, match=message):
        check_instrument(accuracy_class="III", **kwargs)


def test_repeatability_uses_the_mpe_at_the_load_and_passes_on_the_boundary():
    # 10 kg on e = 5 g is 2 000 e: MPE 1 e = 5 g (on the band limit, the lower band)
    passed = repeatability(["10.000", "10.005", "10.005"], "10", "0.005", "III")
    assert (passed.error, passed.mpe, passed.passed) == (D("0.005"), D("0.005"), True)
    failed = repeatability(["10.000", "10.010"], "10", "0.005", "III")
    assert not failed.passed
    in_service = repeatability(["10.000", "10.010"], "10", "0.005", "III", in_service=True)
    assert in_service.passed


def test_repeatability_needs_two_results():
    with pytest.raises(InputError, match="at least two results"):
        repeatability(["10"], "10", "0.005", "III")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"max_capacity": "15"}, "5"),  # 3.6.2.1: 1/3 Max
        ({"max_capacity": "15", "supports": 3}, "5"),
        ({"max_capacity": "12", "max_additive_tare": "3"}, "5"),  # 1/3 (Max + tare)
        ({"max_capacity": "60000", "supports": 5}, "15000"),  # 3.6.2.2: 1/(N − 1)
        ({"max_capacity": "70000", "supports": 8}, "10000"),
        ({"max_capacity": "1000", "special_receptor": True}, "100"),  # 3.6.2.3: 1/10
    ],
)
def test_eccentricity_test_load(kwargs, expected):
    assert eccentricity_test_load(**kwargs) == D(expected)


@pytest.mark.parametrize("supports", [0, -1, 2.5, True])
def test_eccentricity_refuses_a_nonsense_number_of_supports(supports):
    with pytest.raises(InputError, match="points of support"):
        eccentricity_test_load("15", supports=supports)


def test_standard_weights_may_err_by_a_third_of_the_initial_mpe():
    assert standard_weight_limit("15", "0.005", "III") == D("0.0025")  # 7.5 g / 3


def test_zero_setting_is_within_a_quarter_of_e():
    assert zero_setting_limit("0.005") == D("0.00125")


def test_discrimination_adds_1_4_d_and_needs_a_rise_of_one_d():
    assert discrimination_load("0.005") == D("0.007")
    assert discrimination_passes("10.000", "10.005", "0.005")
    assert discrimination_passes("10.000", "10.010", "0.005")
    assert not discrimination_passes("10.000", "10.000", "0.005")
    assert not discrimination_passes("10.000", "10.004", "0.005")


def test_error_before_rounding_with_change_point_weights():
    # I = 1 000 e at L = 1 000 e; the indication changed after ΔL = 0.3 e:
    # P = 1 000 + 0.5 − 0.3 = 1 000.2 e, E = 0.2 e; with E0 = 0.1 e, Ec = 0.1 e
    assert error_before_rounding("1000", "1000", "0.3", "1") == D("0.2")
    assert error_before_rounding("1000", "1000", "0.3", "1", zero_error="0.1") == D("0.1")
    assert error_before_rounding("5.005", "5", "0.0035", "0.005") == D("0.004")
