"""Mean and spread of the readings at one calibration point."""

import math
from decimal import Decimal

import pytest

from metrology.readings import summarize
from metrology.uncertainty import InputError


def test_the_mean_has_one_more_decimal_than_the_readings():
    summary = summarize([Decimal("10.12"), Decimal("10.15"), Decimal("10.13")])
    assert summary.mean_decimal == Decimal("10.133")
    assert summary.decimals == 2
    assert summary.mean == pytest.approx(10.133333333333333, rel=1e-15)


def test_the_most_precise_reading_sets_the_decimals():
    assert summarize(["10.1", "10.125", 10]).mean_decimal == Decimal("10.0750")


def test_gum_h2_voltage_readings_give_table_h3_mean_and_s():
    # GUM Table H.3: V̄ = 4.9990 V, s(V̄) = 0.0032 V
    summary = summarize(["5.007", "4.994", "5.005", "4.990", "4.999"])
    assert summary.mean_decimal == Decimal("4.9990")
    assert summary.s_mean == pytest.approx(0.0032, abs=0.00005)
    assert summary.dof == 4


def test_the_spread_of_large_readings_does_not_cancel():
    readings = ["10000.0000001", "10000.0000003", "10000.0000002"]
    summary = summarize(readings)
    assert summary.s == pytest.approx(1e-7, rel=1e-9)
    assert summary.s_mean == pytest.approx(1e-7 / math.sqrt(3), rel=1e-9)


def test_floats_are_read_as_they_print():
    assert summarize([0.1, 0.2]).mean_decimal == Decimal("0.15")


def test_a_single_reading_has_no_spread():
    summary = summarize([Decimal("5.00")])
    assert (summary.n, summary.s, summary.s_mean, summary.dof) == (1, None, None, 0)
    assert summary.mean_decimal == Decimal("5.000")


@pytest.mark.parametrize(
    ("readings", "message"),
    [
        ([], "no readings"),
        (["1.0", "x"], "reading 2 must be a number"),
        (["1.0", "NaN"], "reading 2 must be a finite number"),
        ([1.0, float("inf")], "reading 2 must be a finite number"),
        ([True, 1], "reading 1 must be a number"),
    ],
)
def test_a_reading_that_is_not_a_number_is_refused(readings, message):
    with pytest.raises(InputError, match=message):
        summarize(readings)
