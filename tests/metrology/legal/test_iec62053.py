"""IEC 62053-21 Table 6 and 62053-22 Table 4: every class, connection, current limit and power factor."""

from decimal import Decimal

import pytest

from metrology.errors import InputError
from metrology.legal.iec62053 import mpe, relative_mpe

D = Decimal

# Direct-connected, Ib = 10 A, Imax = 60 A. (class, current in A, power factor, limit in %).
# The current limits 0.05 Ib, 0.1 Ib and 0.2 Ib are tested on the limit and just around it.
DIRECT = [
    ("1", "0.5", "1", "1.5"),  # on 0.05 Ib
    ("1", "0.99", "1", "1.5"),
    ("1", "1", "1", "1.0"),  # on 0.1 Ib
    ("1", "1.01", "1", "1.0"),
    ("1", "60", "1", "1.0"),  # on Imax
    ("1", "1", "0.5L", "1.5"),  # on 0.1 Ib
    ("1", "1.99", "0.8C", "1.5"),
    ("1", "2", "0.5L", "1.0"),  # on 0.2 Ib
    ("1", "2.01", "0.8C", "1.0"),
    ("1", "60", "0.5L", "1.0"),
    ("2", "0.5", "1", "2.5"),
    ("2", "0.99", "1", "2.5"),
    ("2", "1", "1", "2.0"),
    ("2", "1.01", "1", "2.0"),
    ("2", "60", "1", "2.0"),
    ("2", "1", "0.5L", "2.5"),
    ("2", "1.99", "0.5L", "2.5"),
    ("2", "2", "0.5L", "2.0"),
    ("2", "60", "0.5L", "2.0"),
]

# Transformer-operated, In = 5 A, Imax = 6 A. Limits 0.01, 0.02, 0.05 and 0.1 In.
TRANSFORMER = [
    ("1", "0.1", "1", "1.5"),  # on 0.02 In
    ("1", "0.249", "1", "1.5"),
    ("1", "0.25", "1", "1.0"),  # on 0.05 In
    ("1", "6", "1", "1.0"),
    ("1", "0.25", "0.5L", "1.5"),
    ("1", "0.499", "0.8C", "1.5"),
    ("1", "0.5", "0.5L", "1.0"),  # on 0.1 In
    ("1", "6", "0.8C", "1.0"),
    ("2", "0.1", "1", "2.5"),
    ("2", "0.249", "1", "2.5"),
    ("2", "0.25", "1", "2.0"),
    ("2", "6", "1", "2.0"),
    ("2", "0.25", "0.5L", "2.5"),
    ("2", "0.499", "0.5L", "2.5"),
    ("2", "0.5", "0.5L", "2.0"),
    ("2", "6", "0.5L", "2.0"),
    ("0.2S", "0.05", "1", "0.4"),  # on 0.01 In
    ("0.2S", "0.249", "1", "0.4"),
    ("0.2S", "0.25", "1", "0.2"),  # on 0.05 In
    ("0.2S", "6", "1", "0.2"),
    ("0.2S", "0.1", "0.5L", "0.5"),  # on 0.02 In
    ("0.2S", "0.499", "0.8C", "0.5"),
    ("0.2S", "0.5", "0.5L", "0.3"),  # on 0.1 In
    ("0.2S", "6", "0.8C", "0.3"),
    ("0.5S", "0.05", "1", "1.0"),
    ("0.5S", "0.249", "1", "1.0"),
    ("0.5S", "0.25", "1", "0.5"),
    ("0.5S", "6", "1", "0.5"),
    ("0.5S", "0.1", "0.5L", "1.0"),
    ("0.5S", "0.499", "0.8C", "1.0"),
    ("0.5S", "0.5", "0.5L", "0.6"),
    ("0.5S", "6", "0.8C", "0.6"),
]


@pytest.mark.parametrize(("cls", "current", "pf", "expected"), DIRECT)
def test_direct_connected_meters(cls, current, pf, expected):
    got = relative_mpe(
        current, reference_current="10", i_max="60", accuracy_class=cls, power_factor=pf
    )
    assert got == D(expected)


@pytest.mark.parametrize(("cls", "current", "pf", "expected"), TRANSFORMER)
def test_transformer_operated_meters(cls, current, pf, expected):
    got = relative_mpe(
        current,
        reference_current="5",
        i_max="6",
        accuracy_class=cls,
        power_factor=pf,
        connection="transformer",
    )
    assert got == D(expected)


@pytest.mark.parametrize(
    ("cls", "current", "pf", "connection", "message"),
    [
        ("1", "0.49", "1", "direct", "below 0.05 Ib = 0.5"),  # just below 0.05 Ib
        ("2", "0.99", "0.5L", "direct", "below 0.1 Ib = 1"),
        ("1", "60.1", "1", "direct", "above Imax"),
        ("2", "5", "0.8C", "direct", "class 2 no limit at a capacitive power factor"),
        ("1", "5", "0.25L", "direct", "only the limits on special request"),
        ("1", "0.099", "1", "transformer", "below 0.02 In = 0.1"),
        ("0.2S", "0.049", "1", "transformer", "below 0.01 In = 0.05"),
        ("0.5S", "0.099", "0.5L", "transformer", "below 0.02 In = 0.1"),
        ("0.5S", "1", "1", "direct", "transformer-operated"),
    ],
)
def test_conditions_outside_the_tables_are_refused(cls, current, pf, connection, message):
    reference, top = ("10", "60") if connection == "direct" else ("5", "6")
    with pytest.raises(InputError, match=message):
        relative_mpe(
            current,
            reference_current=reference,
            i_max=top,
            accuracy_class=cls,
            power_factor=pf,
            connection=connection,
        )


@pytest.mark.parametrize(
    ("written", "expected"), [("0,5 s", "0.6"), ("0.5S", "0.6"), (" 0.2 S", "0.3")]
)
def test_the_class_is_read_as_technicians_write_it(written, expected):
    got = relative_mpe(
        "5",
        reference_current="5",
        i_max="6",
        accuracy_class=written,
        power_factor="0.5 ind",
        connection="transformer",
    )
    assert got == D(expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accuracy_class": "3"}, "must be one of 1, 2, 0.2S, 0.5S"),
        ({"connection": "wireless"}, "direct or transformer"),
        ({"i_max": "5"}, "must be larger than the reference current"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, message):
    arguments = {"reference_current": "10", "i_max": "60", "accuracy_class": "1", **kwargs}
    with pytest.raises(InputError, match=message):
        relative_mpe("5", **arguments)


def test_the_limit_on_an_energy():
    assert mpe("2", "10", reference_current="10", i_max="60", accuracy_class="2") == D("0.04")
