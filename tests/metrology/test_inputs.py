"""Input quantities: distributions, how their uncertainty is given, and what is refused."""

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrology.uncertainty import Input, InputError, evaluate_gum


@pytest.mark.parametrize(
    ("dist", "divisor"),
    [("rectangular", math.sqrt(3)), ("triangular", math.sqrt(6)), ("arcsine", math.sqrt(2))],
)
def test_a_half_width_gives_the_standard_uncertainty_of_its_distribution(dist, divisor):
    # JCGM 101 6.4: a/√3, a/√6, a/√2
    assert Input("x", 1.0, half_width=0.6, dist=dist).standard_uncertainty == 0.6 / divisor


def test_distribution_names_have_common_aliases():
    assert Input("x", 0.0, half_width=1.0, dist="U-shaped").dist == "arcsine"
    assert Input("x", 0.0, half_width=1.0, dist="uniform").dist == "rectangular"
    assert Input("x", 0.0, u=1.0, dist="Gaussian").dist == "normal"


def test_a_curvilinear_trapezoid_adds_the_inexactness_of_its_limits():
    # JCGM 101 6.4.3.3: V(X) = (b − a)²/12 + d²/9; S1-9.5 δθ: a = 0.050, d = 0.025 -> 0.030046.
    # The reference JSON lists u = 0.032275 (= √(a²/3 + d²/3)), which its own sampling formula
    # X = μ + (a + d(2r₁−1))(2r₂−1) does not give; test_montecarlo checks the draws' variance.
    x = Input("dt", 0.0, half_width=0.05, limit_half_width=0.025, dist="curvilinear_trapezoid")
    assert x.standard_uncertainty == pytest.approx(0.0300462606, rel=1e-9)


def test_a_student_t_given_by_scale_uses_the_scale_as_u_for_the_gum():
    x = Input("L", 50.0, scale=25.0, dist="t", dof=18)
    assert x.standard_uncertainty == 25.0
    assert x.t_scale() == 25.0
    y = Input("L", 50.0, u=25.0, dist="t", dof=18)
    assert y.t_scale() == pytest.approx(25.0 * math.sqrt(16 / 18))


def test_an_input_keeps_what_was_entered_and_can_be_replaced():
    x = Input("dT", 0.0, half_width=0.05, dist="rectangular")
    assert x.u is None and x.half_width == 0.05
    moved = dataclasses.replace(x, value=0.1)
    assert moved.standard_uncertainty == x.standard_uncertainty


def test_numbers_may_be_given_as_decimal_or_text():
    from decimal import Decimal

    x = Input("x", Decimal("10.012"), u="0.003", dof=Decimal(9))
    assert (x.value, x.u, x.dof) == (10.012, 0.003, 9.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"u": -0.1}, "must not be negative"),
        ({"u": math.nan}, "must be a finite number"),
        ({"u": math.inf}, "must be a finite number"),
        ({"u": "abc"}, "must be a number"),
        ({}, "needs its standard uncertainty u"),
        ({"u": 0.1, "half_width": 0.2, "dist": "rectangular"}, "only one of u and half_width"),
        ({"dist": "rectangular"}, "give the standard uncertainty u or the half_width"),
        ({"half_width": 0.1}, "normal input 'x' needs its standard uncertainty u"),
        ({"u": 0.1, "dist": "gamma"}, "unknown distribution 'gamma'"),
        ({"u": 0.1, "dist": "t"}, "needs its degrees of freedom"),
        ({"u": 0.1, "dof": 0}, "must be positive"),
        ({"u": 0.1, "dof": -3}, "must be positive"),
        ({"scale": 0.1, "half_width": 0.3, "dist": "rectangular"}, "only one of"),
        ({"scale": 0.1, "dist": "rectangular"}, "scale only applies to a Student t"),
        ({"half_width": 0.1, "dist": "curvilinear_trapezoid"}, "needs half_width and a limit"),
        ({"u": 0.1, "limit_half_width": 0.1}, "only applies to a curvilinear_trapezoid"),
    ],
)
def test_a_bad_input_is_refused_with_a_plain_message(kwargs, message):
    with pytest.raises(InputError, match=message):
        Input("x", 1.0, **kwargs)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("2x", "not a valid name"),
        ("a b", "not a valid name"),
        ("lambda", "not a valid name"),
        ("_x", "must not start with '_'"),
        ("sqrt", "reserved"),
        ("pi", "reserved"),
        (None, "not a valid name"),
    ],
)
def test_an_input_name_must_be_usable_in_a_model(name, message):
    with pytest.raises(InputError, match=message):
        Input(name, 1.0, u=0.1)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, None, "one"])
def test_a_value_that_is_not_a_finite_number_is_refused(value):
    with pytest.raises(InputError, match="the value of 'x' must be a"):
        Input("x", value, u=0.1)


def test_inputs_with_the_same_name_are_refused():
    with pytest.raises(InputError, match="given twice"):
        evaluate_gum("x", [Input("x", 1.0, u=0.1), Input("x", 2.0, u=0.1)])


def test_no_inputs_at_all_is_refused():
    with pytest.raises(InputError, match="no inputs"):
        evaluate_gum("1 + 1", [])


@pytest.mark.parametrize(
    ("correlations", "message"),
    [
        ({("a", "b"): 1.5}, r"within \[-1, 1\]"),
        ({("a", "b"): -1.01}, r"within \[-1, 1\]"),
        ({("a", "zz"): 0.5}, "'zz', which is not an input"),
        ({("a", "a"): 0.5}, "correlated with itself"),
        ([("a", "b")], "must be \\(name, name, r\\)"),
        ([("a", "b", 0.2), ("b", "a", 0.3)], "given twice, differently"),
        ({("a", "b"): math.nan}, "finite number"),
        (
            {("a", "b"): 0.9, ("a", "c"): 0.9, ("b", "c"): -0.9},
            "contradict each other.*positive semi-definite",
        ),
    ],
)
def test_impossible_correlations_are_refused(correlations, message):
    inputs = [Input("a", 1.0, u=0.1), Input("b", 1.0, u=0.1), Input("c", 1.0, u=0.1)]
    with pytest.raises(InputError, match=message):
        evaluate_gum("a + b + c", inputs, correlations)


def test_full_correlation_is_allowed_and_adds_linearly():
    inputs = [Input("a", 1.0, u=0.1), Input("b", 1.0, u=0.2)]
    assert evaluate_gum("a + b", inputs, {("a", "b"): 1.0}).u == pytest.approx(0.3)
    assert evaluate_gum("a - b", inputs, [["a", "b", 1.0]]).u == pytest.approx(0.1)


@settings(max_examples=30, deadline=None)
@given(st.floats(max_value=-1e-300, allow_nan=False, allow_infinity=False))
def test_any_negative_uncertainty_is_refused_clearly(u):
    with pytest.raises(InputError, match="must not be negative"):
        Input("x", 1.0, u=u)


@settings(max_examples=30, deadline=None)
@given(st.floats(allow_nan=False).filter(lambda r: abs(r) > 1))
def test_any_correlation_beyond_one_is_refused_clearly(r):
    inputs = [Input("a", 1.0, u=0.1), Input("b", 1.0, u=0.1)]
    with pytest.raises(InputError, match="must be within|finite number"):
        evaluate_gum("a * b", inputs, {("a", "b"): r})
