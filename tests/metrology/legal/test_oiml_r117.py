"""OIML R 117-1:2007 (= MI-005 2.1–2.4): Tables 2 and 3 at every edge, Emin and the greater-of rule."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrology.errors import InputError
from metrology.legal import oiml_r117
from metrology.legal.oiml_r117 import (
    check_measuring_system,
    emin,
    mpe,
    relative_mpe,
    table_mpe,
)

D = Decimal

# Table 2: (class, line A in %, line B in %).
TABLE_2 = [
    ("0.3", "0.3", "0.2"),
    ("0.5", "0.5", "0.3"),
    ("1.0", "1.0", "0.6"),
    ("1.5", "1.5", "1.0"),
    ("2.5", "2.5", "1.5"),
]


@pytest.mark.parametrize(("cls", "line_a", "line_b"), TABLE_2)
def test_table_2(cls, line_a, line_b):
    assert relative_mpe(cls, "A") == D(line_a)
    assert relative_mpe(cls, "B") == D(line_b)


# Tables 2 and 3 as "the Table 2 percentage applied to a volume": (V in L, volume it is applied
# to, in L). Every limit of Table 3 is tested just below, on and just above; the MPE is
# continuous across them, as the Table is built to be.
TABLE_3 = [
    ("0.05", "0.4"),  # V < 0.1 L: 4 × value applied to 0.1 L
    ("0.099", "0.4"),
    ("0.1", "0.4"),  # 0.1 L ≤ V < 0.2 L: 4 × value
    ("0.101", "0.404"),
    ("0.199", "0.796"),
    ("0.2", "0.8"),  # 0.2 L ≤ V < 0.4 L: 2 × value applied to 0.4 L
    ("0.201", "0.8"),
    ("0.399", "0.8"),
    ("0.4", "0.8"),  # 0.4 L ≤ V < 1 L: 2 × value
    ("0.401", "0.802"),
    ("0.999", "1.998"),
    ("1", "2"),  # 1 L ≤ V < 2 L: value applied to 2 L
    ("1.001", "2"),
    ("1.999", "2"),
    ("2", "2"),  # V ≥ 2 L: Table 2
    ("2.001", "2.001"),
    ("20", "20"),
]


@pytest.mark.parametrize(("cls", "line_a", "line_b"), TABLE_2)
@pytest.mark.parametrize(("volume", "applied_to"), TABLE_3)
def test_tables_2_and_3_for_every_class_and_line(cls, line_a, line_b, volume, applied_to):
    assert table_mpe(volume, cls, "A") == D(line_a) * D(applied_to) / 100
    assert table_mpe(volume, cls, "B") == D(line_b) * D(applied_to) / 100


# A class 0.5 fuel dispenser, line A, written out in litres.
FUEL_DISPENSER_TABLE = [
    ("0.099", "0.002"),
    ("0.1", "0.002"),
    ("0.199", "0.00398"),
    ("0.2", "0.004"),
    ("0.4", "0.004"),
    ("0.999", "0.00999"),
    ("1", "0.01"),
    ("2", "0.01"),
    ("2.001", "0.010005"),
    ("20", "0.1"),
    ("50", "0.25"),
]


@pytest.mark.parametrize(("volume", "expected"), FUEL_DISPENSER_TABLE)
def test_the_table_mpe_of_a_fuel_dispenser(volume, expected):
    assert table_mpe(volume, oiml_r117.FUEL_DISPENSER_CLASS) == D(expected)


# Emin: (MMQ in L, Emin in % × L, i.e. Emin = value × A / 100). MMQ ≥ 2 L: 2 × MMQ;
# MMQ < 2 L: twice the Table 3 volume.
EMIN = [
    ("0.05", "0.8"),
    ("0.1", "0.8"),
    ("0.2", "1.6"),
    ("0.5", "2"),
    ("1", "4"),
    ("1.999", "4"),
    ("2", "4"),
    ("2.001", "4.002"),
    ("5", "10"),
    ("10", "20"),
]


@pytest.mark.parametrize(("cls", "line_a", "line_b"), TABLE_2)
@pytest.mark.parametrize(("mmq", "times_a"), EMIN)
def test_emin_for_every_class(cls, line_a, line_b, mmq, times_a):
    assert emin(mmq, cls) == D(line_a) * D(times_a) / 100  # always line A


# The MPE is the greater of the Table 2/3 value and Emin: a class 0.5 dispenser.
# (MMQ, V, MPE in L)
GREATER_OF = [
    ("2", "2", "0.02"),  # Emin = 2 × 2 L × 0.5 % = 0.02 L governs up to 4 L
    ("2", "3.999", "0.02"),
    ("2", "4", "0.02"),  # 0.5 % of 4 L = 0.02 L: the two agree
    ("2", "4.001", "0.020005"),
    ("2", "20", "0.1"),
    ("5", "5", "0.05"),  # MMQ 5 L: Emin = 0.05 L up to 10 L
    ("5", "9.999", "0.05"),
    ("5", "10", "0.05"),
    ("5", "10.001", "0.050005"),
    ("0.5", "0.5", "0.01"),  # MMQ 0.5 L: Emin = 2 × 0.005 L
    ("0.5", "1.999", "0.01"),
    ("0.5", "2", "0.01"),
    ("0.5", "2.001", "0.010005"),
]


@pytest.mark.parametrize(("mmq", "volume", "expected"), GREATER_OF)
def test_the_mpe_is_the_greater_of_the_table_and_emin(mmq, volume, expected):
    assert mpe(volume, "0.5", mmq=mmq) == D(expected)


def test_line_b_for_the_meter_alone_keeps_the_emin_of_the_system():
    assert mpe("20", "0.5", mmq="2", line="B") == D("0.06")  # 0.3 % of 20 L
    assert mpe("2", "0.5", mmq="2", line="B") == D("0.02")  # Emin (line A) governs


@pytest.mark.parametrize(
    ("volume", "mmq", "unit", "expected"),
    [
        ("20000", "2000", "mL", "100"),
        ("20", "2", "dm3", "0.1"),
        ("0.02", "0.002", "m3", "0.0001"),
        ("2", "0.5", "m3", "0.01"),  # 2 m³ road tanker delivery, MMQ 500 L
    ],
)
def test_units_of_volume(volume, mmq, unit, expected):
    assert mpe(volume, "0.5", mmq=mmq, unit=unit) == D(expected)


@given(
    cls=st.sampled_from([str(c) for c in oiml_r117.CLASSES]),
    line=st.sampled_from(oiml_r117.LINES),
    a=st.decimals(min_value=D("0.001"), max_value=100, places=3),
    b=st.decimals(min_value=D("0.001"), max_value=100, places=3),
)
def test_the_table_mpe_never_decreases_as_the_volume_grows(cls, line, a, b):
    low, high = sorted((a, b))
    assert table_mpe(low, cls, line) <= table_mpe(high, cls, line)


@given(
    mmq=st.decimals(min_value=D("0.01"), max_value=50, places=2),
    extra=st.decimals(min_value=0, max_value=1000, places=2),
)
def test_the_mpe_is_never_below_emin_nor_below_the_table(mmq, extra):
    volume = mmq + extra
    value = mpe(volume, "0.5", mmq=mmq)
    assert value >= emin(mmq, "0.5")
    assert value >= table_mpe(volume, "0.5")
    assert value in (emin(mmq, "0.5"), table_mpe(volume, "0.5"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mpe("1.99", "0.5", mmq="2"), "less than the minimum measured quantity 2 L"),
        (lambda: mpe("0", "0.5", mmq="2"), "the volume must be greater than zero"),
        (lambda: mpe("-5", "0.5", mmq="2"), "the volume must be greater than zero"),
        (lambda: mpe("5", "0.5", mmq="0"), "the minimum measured quantity must be greater"),
        (lambda: mpe("5", "0.2", mmq="2"), "must be one of 0.3, 0.5, 1.0, 1.5, 2.5"),
        (lambda: mpe("5", "class 0.5", mmq="2"), "must be one of 0.3, 0.5, 1.0, 1.5, 2.5"),
        (lambda: mpe("5", "0.5", mmq="2", line="C"), "must be A \\(measuring system\\) or B"),
        (lambda: mpe("5", "0.5", mmq="2", unit="gal"), "the unit of volume must be one of"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(InputError, match=message):
        call()


@pytest.mark.parametrize("cls", ["0.5", 0.5, "0.50", D("0.5")])
def test_the_class_is_read_as_a_number(cls):
    assert relative_mpe(cls) == D("0.5")


@pytest.mark.parametrize(
    ("mmq", "interval", "problem"),
    [
        ("2", "0.01", None),  # Emin = 0.02 L = 2 R: on the limit
        ("2", "0.001", None),
        ("2", "0.02", "less than twice the scale interval"),
        ("5", "0.02", None),  # Emin = 0.05 L
        ("3", "0.01", "must be 1, 2 or 5 × 10^n"),
    ],
)
def test_check_measuring_system(mmq, interval, problem):
    problems = check_measuring_system(mmq, interval, "0.5")
    if problem is None:
        assert problems == ()
    else:
        assert any(problem in p for p in problems), problems
