"""Reading a model text safely, and differentiating it exactly."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrology.model import compile_model, parse_model
from metrology.uncertainty import Input, ModelError, evaluate_gum, propagate_with_uncertainties


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "'__import__' is not a function a model may use"),
        ("__import__('os').system('ls')", "attribute access"),
        ("os.system", "attribute access"),
        ("x.real", "attribute access"),
        ("(1).__class__", "attribute access"),
        ("x[0]", "indexing"),
        ("x if y else 1", "'if ... else'"),
        ("lambda: 1", "'lambda'"),
        ("x < y", "a comparison"),
        ("x ^ 2", "write a power as x**2"),
        ("x % 2", "'%' is not allowed"),
        ("'text'", "only real numbers"),
        ("1j * x", "only real numbers"),
        ("True * x", "only real numbers"),
        ("_secret * 2", "names starting with '_' are not allowed"),
        ("sqrt", "is a function"),
        ("sqrt(x, y)", "takes exactly one argument"),
        ("sqrt(x=1)", "takes exactly one argument"),
        ("max(x, y)", "'max' is not a function a model may use"),
        ("x +", "cannot read the model"),
        ("   ", "the model is empty"),
        ("[x for x in y]", "a comprehension"),
        ("1e999 * x", "too large"),
    ],
)
def test_a_model_outside_the_whitelist_is_refused_with_a_pointed_message(text, message):
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_model(text)


def test_a_model_that_is_not_text_is_refused():
    with pytest.raises(ModelError, match="must be text"):
        parse_model(42)


def test_an_unknown_name_is_refused_with_a_suggestion():
    with pytest.raises(ModelError, match="'R_x', which is not an input; did you mean 'R_s'"):
        evaluate_gum("R_x * 2", [Input("R_s", 1.0, u=0.1)])


def test_division_by_zero_at_the_estimate_names_the_divisor():
    inputs = [Input("T1", 20.0, u=0.1), Input("T0", 20.0, u=0.1), Input("L", 1.0, u=0.1)]
    with pytest.raises(ModelError, match=r"divides by zero at the estimate: 'T1 - T0' is zero"):
        evaluate_gum("L / (T1 - T0)", inputs)


def test_a_constant_division_by_zero_is_found_when_compiling():
    with pytest.raises(ModelError, match="divides by zero"):
        evaluate_gum("x / (2 - 2)", [Input("x", 1.0, u=0.1)])


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("log(x)", 0.0, "not defined at the estimate: 'log\\(x\\)' with x = 0"),
        ("sqrt(x)", -1.0, "not defined at the estimate"),
        ("x ** 0.5", -4.0, "not defined at the estimate"),
        ("exp(x)", 1000.0, "overflows"),
        ("x * 1e308 * 10", 10.0, "non-finite value"),
    ],
)
def test_a_model_that_fails_at_the_estimate_raises_a_model_error(text, value, message):
    with pytest.raises(ModelError, match=message):
        evaluate_gum(text, [Input("x", value, u=0.1)])


def test_a_model_without_a_derivative_at_the_estimate_points_to_monte_carlo():
    with pytest.raises(ModelError, match="no finite derivative.*'sqrt\\(x\\)'.*Monte Carlo"):
        evaluate_gum("sqrt(x)", [Input("x", 0.0, u=0.1)])


def test_the_generated_code_cannot_reach_builtins():
    compiled = compile_model("x * 2", ("x",))
    assert compiled.estimate((3.0,)) == 6.0
    with pytest.raises(ModelError):
        compile_model("open('f')", ("x",))


def test_names_are_listed_in_order_of_first_use_without_functions_or_pi():
    assert parse_model("b * sin(a) + pi * b / c").names == ("b", "a", "c")


def test_one_compiled_model_evaluates_floats_arrays_and_uncertainties_alike():
    compiled = compile_model("a * exp(-b) + abs(a - 3) ** 2 / log10(b + 10)", ("a", "b"))
    xs = (1.5, 0.25)
    value = compiled.estimate(xs)
    arrays = compiled.evaluate_arrays([np.array([1.5, 1.5]), np.array([0.25, 0.25])])
    assert arrays == pytest.approx([value, value], rel=1e-15)
    y = propagate_with_uncertainties(
        "a * exp(-b) + abs(a - 3) ** 2 / log10(b + 10)",
        [Input("a", 1.5, u=0.1), Input("b", 0.25, u=0.1)],
    )
    assert y.nominal_value == pytest.approx(value, rel=1e-15)


ALL_FUNCTIONS = (
    "sqrt(a) + exp(b) * log(a) - log10(a * b) + sin(b) * cos(a) / tan(b) + atan(a - b)"
    " + abs(b - a) + a ** b + 2 ** a + b ** 3 - pi / a"
)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.2, 5.0), st.floats(0.2, 1.4))
def test_sensitivities_of_every_function_match_numerical_derivatives(a, b):
    if abs(a - b) < 1e-3:
        return  # abs has no derivative there
    _, grad = compile_model(ALL_FUNCTIONS, ("a", "b")).gradient((a, b))
    f = compile_model(ALL_FUNCTIONS, ("a", "b")).estimate
    for i, x in enumerate((a, b)):
        h = 1e-6 * max(1.0, abs(x))
        up = [a, b]
        down = [a, b]
        up[i] += h
        down[i] -= h
        numeric = (f(up) - f(down)) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.2, 5.0), st.floats(0.2, 1.4))
def test_sensitivities_match_the_uncertainties_package(a, b):
    inputs = [Input("a", a, u=0.01), Input("b", b, u=0.02)]
    if abs(a - b) < 1e-3:
        return
    gum = evaluate_gum(ALL_FUNCTIONS, inputs)
    y = propagate_with_uncertainties(ALL_FUNCTIONS, inputs)
    derivatives = {var.tag: c for var, c in y.derivatives.items()}
    assert gum.sensitivities == pytest.approx(derivatives, rel=1e-9)
    assert gum.u == pytest.approx(y.std_dev, rel=1e-9)


def test_a_sensitivity_is_exact_where_a_relative_step_would_cancel():
    # README lesson from GUM H.1: with y ≈ 5e7, a step of 1e-7·|x| loses digits; ours is exact.
    _, grad = compile_model("L * (1 + a * t)", ("L", "a", "t")).gradient((5e7, 1.15e-5, 0.0))
    assert grad == (1.0, 0.0, 5e7 * 1.15e-5)


def test_a_deeply_nested_model_is_refused_cleanly():
    with pytest.raises(ModelError):
        parse_model("(" * 5000 + "x" + ")" * 5000)


def test_a_long_sum_compiles_without_nesting_limits():
    text = " + ".join(f"x{i % 10}" for i in range(500))
    compiled = compile_model(text, tuple(f"x{i}" for i in range(10)))
    value, grad = compiled.gradient(tuple(float(i) for i in range(10)))
    assert value == sum(i % 10 for i in range(500))
    assert grad == (50.0,) * 10


def test_unary_minus_and_plus_and_constant_folding():
    compiled = compile_model("-x + +2 * -(3 - 1) + pi", ("x",))
    assert compiled.estimate((1.0,)) == pytest.approx(-1 - 4 + math.pi)
    assert compiled.gradient((1.0,))[1] == (-1.0,)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.2, 5.0), st.floats(0.2, 1.4))
def test_the_walked_and_the_compiled_gradient_agree(a, b):
    compiled = compile_model(ALL_FUNCTIONS, ("a", "b"))
    walked = compiled._walk_gradient([a, b])
    for _ in range(3):
        generated = compiled.gradient((a, b))
    assert compiled._gradient is not None  # compiled after a few calls
    assert generated[0] == pytest.approx(walked[0], rel=1e-14)
    assert generated[1] == pytest.approx(walked[1], rel=1e-12, abs=1e-15)


def test_a_model_used_once_is_not_compiled():
    compiled = compile_model("x * y + 0.5 * x", ("x", "y"))
    assert compiled.gradient((2.0, 3.0)) == (7.0, (3.5, 2.0))
    assert compiled._gradient is None or compiled._calls >= 3
