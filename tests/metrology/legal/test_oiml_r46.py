"""OIML R 46-1:2012 base MPE: every class at every current limit, at unity and reactive power factor."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrology.errors import InputError
from metrology.legal import iec62053
from metrology.legal.oiml_r46 import CLASSES, IEC_EQUIVALENT, mpe, relative_mpe

D = Decimal

# A direct-connected meter 0.25–0.5(60) A: Imin = 0.25 A, Itr = 0.5 A, Imax = 60 A.
CURRENTS = {"i_min": "0.25", "i_tr": "0.5", "i_max": "60"}

# (class, current in A, power factor, base MPE in %). Imin, Itr and Imax are each tested on the
# limit and just inside/outside; a current on Itr belongs to the upper range.
TABLE = [
    ("A", "0.25", "1", "2.5"),
    ("A", "0.49", "1", "2.5"),
    ("A", "0.5", "1", "2.0"),
    ("A", "0.51", "1", "2.0"),
    ("A", "60", "1", "2.0"),
    ("A", "0.5", "0.5L", "2.5"),
    ("A", "60", "0.8C", "2.5"),
    ("B", "0.25", "1", "1.5"),
    ("B", "0.49", "1", "1.5"),
    ("B", "0.5", "1", "1.0"),
    ("B", "0.51", "1", "1.0"),
    ("B", "60", "1", "1.0"),
    ("B", "0.5", "0.5L", "1.5"),
    ("B", "60", "0.8C", "1.5"),
    ("C", "0.25", "1", "1.0"),
    ("C", "0.49", "1", "1.0"),
    ("C", "0.5", "1", "0.5"),
    ("C", "0.51", "1", "0.5"),
    ("C", "60", "1", "0.5"),
    ("C", "0.5", "0.5L", "0.6"),
    ("C", "60", "0.8C", "0.6"),
    ("D", "0.25", "1", "0.4"),
    ("D", "0.49", "1", "0.4"),
    ("D", "0.5", "1", "0.2"),
    ("D", "0.51", "1", "0.2"),
    ("D", "60", "1", "0.2"),
    ("D", "0.5", "0.5L", "0.3"),
    ("D", "60", "0.8C", "0.3"),
]


@pytest.mark.parametrize(("cls", "current", "pf", "expected"), TABLE)
def test_base_mpe(cls, current, pf, expected):
    assert relative_mpe(current, accuracy_class=cls, power_factor=pf, **CURRENTS) == D(expected)


@pytest.mark.parametrize(("cls", "current", "pf", "expected"), TABLE)
def test_the_mpe_on_an_energy_is_the_percentage_of_it(cls, current, pf, expected):
    got = mpe("10", current, accuracy_class=cls, power_factor=pf, **CURRENTS)  # 10 kWh
    assert got == D(expected) / 10


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    ("current", "pf", "message"),
    [
        ("0.24", "1", "outside Imin = 0.25 … Imax = 60"),  # just below Imin
        ("60.1", "1", "outside Imin = 0.25 … Imax = 60"),  # just above Imax
        ("0.49", "0.5L", "below Itr = 0.5 only at unity power factor"),
        ("5", "0.49L", "outside 0.5 inductive … 0.8 capacitive"),
        ("5", "0.79C", "outside 0.5 inductive … 0.8 capacitive"),
        ("5", "0.9", "inductive \\(L\\) or capacitive \\(C\\)"),
    ],
)
def test_conditions_outside_the_table_are_refused(cls, current, pf, message):
    with pytest.raises(InputError, match=message):
        relative_mpe(current, accuracy_class=cls, power_factor=pf, **CURRENTS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accuracy_class": "E"}, "must be one of A, B, C, D"),
        ({"accuracy_class": "1"}, "for IEC 62053 classes use"),
        ({"i_min": "0.5"}, "Imin < Itr < Imax"),
        ({"i_tr": "70"}, "Imin < Itr < Imax"),
        ({"i_max": "0"}, "Imax must be greater than zero"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, message):
    arguments = {**CURRENTS, "accuracy_class": "B", **kwargs}
    with pytest.raises(InputError, match=message):
        relative_mpe("5", **arguments)


@given(
    cls=st.sampled_from(CLASSES),
    a=st.decimals(min_value=D("0.25"), max_value=60, places=3),
    b=st.decimals(min_value=D("0.25"), max_value=60, places=3),
)
def test_the_mpe_never_grows_with_the_current(cls, a, b):
    low, high = sorted((a, b))
    assert relative_mpe(low, accuracy_class=cls, **CURRENTS) >= relative_mpe(
        high, accuracy_class=cls, **CURRENTS
    )


@pytest.mark.parametrize(("r46", "iec"), sorted(IEC_EQUIVALENT.items()))
def test_each_class_matches_its_iec_class_at_unity_power_factor_above_itr(r46, iec):
    ours = relative_mpe("10", accuracy_class=r46, **CURRENTS)
    theirs = iec62053.relative_mpe(
        "10", reference_current="5", i_max="60", accuracy_class=iec, connection="transformer"
    )
    assert ours == theirs
