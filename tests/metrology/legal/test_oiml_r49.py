"""OIML R 49-1:2013: the flow zones and temperature split of both classes, at every edge."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrology.errors import InputError
from metrology.legal.oiml_r49 import (
    check_meter,
    flow_rates,
    mpe,
    relative_mpe,
    zone,
)

D = Decimal

# A DN 20 meter, Q3 = 2.5 m³/h, R = 160: Q1 = 0.015625, Q2 = 0.025, Q4 = 3.125 m³/h.
Q3, R = "2.5", "160"

# (class, flow rate in m³/h, water temperature in °C, MPE in %). Each zone limit (Q1, Q2, Q4)
# is tested just below, on and just above, and the temperature split at 30 °C likewise.
TABLE = [
    # class 1: lower zone ±3 % at any temperature
    (1, "0.015625", "20", "3"),  # on Q1
    (1, "0.015626", "20", "3"),
    (1, "0.0249", "20", "3"),  # just below Q2
    (1, "0.0249", "30.1", "3"),
    (1, "0.0249", "90", "3"),
    # class 1: upper zone ±1 % up to 30 °C, ±2 % above
    (1, "0.025", "20", "1"),  # on Q2
    (1, "0.0251", "20", "1"),
    (1, "2.5", "0.1", "1"),
    (1, "2.5", "29.9", "1"),
    (1, "2.5", "30", "1"),  # on 30 °C
    (1, "2.5", "30.1", "2"),
    (1, "3.125", "30", "1"),  # on Q4
    (1, "3.125", "30.1", "2"),
    (1, "3.1249", "180", "2"),
    # class 2: lower zone ±5 % at any temperature
    (2, "0.015625", "20", "5"),
    (2, "0.015626", "20", "5"),
    (2, "0.0249", "20", "5"),
    (2, "0.0249", "30.1", "5"),
    (2, "0.0249", "90", "5"),
    # class 2: upper zone ±2 % up to 30 °C, ±3 % above
    (2, "0.025", "20", "2"),
    (2, "0.0251", "20", "2"),
    (2, "2.5", "0.1", "2"),
    (2, "2.5", "29.9", "2"),
    (2, "2.5", "30", "2"),
    (2, "2.5", "30.1", "3"),
    (2, "3.125", "30", "2"),
    (2, "3.125", "30.1", "3"),
    (2, "3.1249", "180", "3"),
]

OUTSIDE = [
    ("0.015624", "20", "below the minimum flow rate Q1 = 0.015625"),  # just below Q1
    ("3.1251", "20", "above the overload flow rate Q4 = 3.125"),  # just above Q4
    ("2.5", "0.09", "outside 0.1 °C … 180 °C"),
    ("2.5", "180.1", "outside 0.1 °C … 180 °C"),
    ("-1", "20", "the flow rate must not be negative"),
]


@pytest.mark.parametrize(("cls", "flow", "temperature", "expected"), TABLE)
def test_mpe_by_zone_and_temperature(cls, flow, temperature, expected):
    got = relative_mpe(flow, q3=Q3, ratio=R, accuracy_class=cls, temperature=temperature)
    assert got == D(expected)


@pytest.mark.parametrize(("cls", "flow", "temperature", "expected"), TABLE)
def test_in_service_doubles_every_line(cls, flow, temperature, expected):
    got = relative_mpe(
        flow, q3=Q3, ratio=R, accuracy_class=cls, temperature=temperature, in_service=True
    )
    assert got == 2 * D(expected)


@pytest.mark.parametrize(("cls", "flow", "temperature", "expected"), TABLE)
def test_the_mpe_on_a_volume_is_the_percentage_of_that_volume(cls, flow, temperature, expected):
    volume = D("100")  # litres
    got = mpe(volume, flow, q3=Q3, ratio=R, accuracy_class=cls, temperature=temperature)
    assert got == D(expected)


@pytest.mark.parametrize("cls", [1, 2])
@pytest.mark.parametrize(("flow", "temperature", "message"), OUTSIDE)
def test_flows_and_temperatures_outside_the_rated_conditions_are_refused(
    cls, flow, temperature, message
):
    with pytest.raises(InputError, match=message):
        relative_mpe(flow, q3=Q3, ratio=R, accuracy_class=cls, temperature=temperature)


def test_q2_is_exactly_the_start_of_the_upper_zone():
    rates = flow_rates(Q3, R)
    assert zone(rates.q1, rates) == "lower"
    assert zone(rates.q2, rates) == "upper"
    assert zone(rates.q4, rates) == "upper"


@pytest.mark.parametrize(
    ("q3", "ratio", "q1", "q2", "q4"),
    [
        ("2.5", "160", "0.015625", "0.025", "3.125"),
        ("2.5", "100", "0.025", "0.04", "3.125"),
        ("1.6", "100", "0.016", "0.0256", "2"),
        ("4", "80", "0.05", "0.08", "5"),
        ("10", "40", "0.25", "0.4", "12.5"),
        ("100", "400", "0.25", "0.4", "125"),
    ],
)
def test_flow_rates_from_q3_and_r(q3, ratio, q1, q2, q4):
    rates = flow_rates(q3, ratio)
    assert (rates.q1, rates.q2, rates.q3, rates.q4) == (D(q1), D(q2), D(q3), D(q4))


@given(
    q3=st.decimals(min_value=D("0.1"), max_value=10_000, places=2),
    ratio=st.decimals(min_value=D("1.7"), max_value=2000, places=1),
)
def test_the_ratios_of_the_flow_rates(q3, ratio):
    rates = flow_rates(q3, ratio)
    assert rates.q4 == D("1.25") * rates.q3
    assert rates.q2 == D("1.6") * rates.q1
    assert abs(rates.q3 / rates.q1 - ratio) <= ratio * D("1e-20")
    assert rates.q1 < rates.q2 < rates.q3 < rates.q4


@given(
    cls=st.sampled_from([1, 2]),
    temperature=st.decimals(min_value=D("0.1"), max_value=180, places=1),
    a=st.decimals(min_value=D("0.015625"), max_value=D("3.125"), places=6),
    b=st.decimals(min_value=D("0.015625"), max_value=D("3.125"), places=6),
)
def test_the_mpe_never_grows_with_the_flow_and_in_service_is_twice(cls, temperature, a, b):
    low, high = sorted((a, b))
    kwargs = {"q3": Q3, "ratio": R, "accuracy_class": cls, "temperature": temperature}
    assert relative_mpe(low, **kwargs) >= relative_mpe(high, **kwargs)
    assert relative_mpe(low, in_service=True, **kwargs) == 2 * relative_mpe(low, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accuracy_class": 3}, "must be 1 or 2"),
        ({"accuracy_class": "B"}, "must be 1 or 2"),
        ({"q3": "0"}, "Q3 must be greater than zero"),
        ({"ratio": "1.6"}, "must be greater than 1.6"),
        ({"ratio": "-40"}, "R = Q3/Q1 must be greater than zero"),
        ({"temperature": "warm"}, "the water temperature must be a number"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, message):
    arguments = {"q3": Q3, "ratio": R, "accuracy_class": 2, "temperature": 20, **kwargs}
    with pytest.raises(InputError, match=message):
        relative_mpe("1", **arguments)


def test_the_volume_must_be_positive():
    with pytest.raises(InputError, match="the volume must be greater than zero"):
        mpe("0", "1", q3=Q3, ratio=R, accuracy_class=2, temperature=20)


@pytest.mark.parametrize(
    ("q3", "ratio", "problems"),
    [
        ("2.5", "160", 0),
        ("1.6", "100", 0),
        ("6.3", "315", 0),
        ("63", "40", 0),
        ("1000", "1000", 0),
        ("3", "160", 1),
        ("2.5", "150", 1),
        ("5", "120", 2),
    ],
)
def test_check_meter_series(q3, ratio, problems):
    assert len(check_meter(q3, ratio)) == problems
