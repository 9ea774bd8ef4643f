"""|error| ≤ MPE with the boundary passing, and the power-factor notation of meter tables."""

from decimal import Decimal

import pytest

from metrology.errors import InputError
from metrology.legal import conforms, verdict
from metrology.legal.power_factor import CAPACITIVE, INDUCTIVE, UNITY, parse
from metrology.legal.verdict import spread

D = Decimal


@pytest.mark.parametrize(
    ("error", "mpe", "passed"),
    [
        ("0", "0.5", True),
        ("0.4999", "0.5", True),
        ("0.5", "0.5", True),  # on the limit: passes
        ("-0.5", "0.5", True),
        ("0.5001", "0.5", False),
        ("-0.5001", "0.5", False),
        ("0", "0", True),
        ("0.0001", "0", False),
    ],
)
def test_an_error_conforms_when_its_magnitude_does_not_exceed_the_mpe(error, mpe, passed):
    assert conforms(error, mpe) is passed
    assert verdict(error, mpe).passed is passed


def test_the_margin_says_by_how_much():
    assert verdict("-0.3", "0.5").margin == D("0.2")
    assert verdict("0.7", "0.5").margin == D("-0.2")


@pytest.mark.parametrize(
    ("error", "mpe", "message"),
    [
        ("0.1", "-0.5", "must not be negative"),
        ("abc", "0.5", "the error must be a number"),
        ("0.1", "NaN", "must be a finite number"),
    ],
)
def test_bad_numbers_are_refused(error, mpe, message):
    with pytest.raises(InputError, match=message):
        verdict(error, mpe)


def test_spread_is_largest_minus_smallest():
    assert spread(["1.002", "0.998", "1.000"]) == D("0.004")
    with pytest.raises(InputError, match="at least two results"):
        spread(["1"])


@pytest.mark.parametrize(
    ("written", "value", "kind"),
    [
        ("1", "1", UNITY),
        (1, "1", UNITY),
        ("1.0L", "1", UNITY),
        ("0.5L", "0.5", INDUCTIVE),
        ("0.5 ind", "0.5", INDUCTIVE),
        ("0,5 inductive", "0.5", INDUCTIVE),
        ("0.8C", "0.8", CAPACITIVE),
        ("0.8 cap", "0.8", CAPACITIVE),
        ("0.8 leading", "0.8", CAPACITIVE),
    ],
)
def test_power_factors_as_technicians_write_them(written, value, kind):
    pf = parse(written)
    assert (pf.value, pf.kind) == (D(value), kind)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("0.5", "inductive \\(L\\) or capacitive \\(C\\)"),
        ("0.5X", "written like 1, 0.5L or 0.8C"),
        ("1.2", "between 0 and 1"),
        ("0L", "between 0 and 1"),
        ("", "written like 1, 0.5L or 0.8C"),
    ],
)
def test_unreadable_power_factors_are_refused(written, message):
    with pytest.raises(InputError, match=message):
        parse(written)
