"""Monte Carlo (JCGM 101) against the published examples of its clause 9, and its guarantees."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrology import montecarlo
from metrology.uncertainty import (
    Input,
    InputError,
    ModelError,
    evaluate_gum,
    evaluate_mc,
    validate,
)

MILLION = 1_000_000


def test_jcgm101_9_2_2_sum_of_four_normals(published, make_inputs):
    case = published["cases"]["S1-9.2.2"]
    mc = evaluate_mc(case["model"], make_inputs(case), trials=MILLION, seed=1)
    assert mc.value == pytest.approx(0.0, abs=0.01)  # JCGM 101 Table 2: y = 0.00
    assert mc.u == pytest.approx(2.00, abs=0.01)  # JCGM 101 Table 2: u = 2.00
    assert mc.low == pytest.approx(-3.92, abs=0.02)  # JCGM 101 Table 2: [−3.92, 3.92]
    assert mc.high == pytest.approx(3.92, abs=0.02)
    gum = evaluate_gum(case["model"], make_inputs(case))
    assert gum.interval == pytest.approx((-3.92, 3.92), abs=0.005)  # Table 2: GUF [−3.92, 3.92]
    assert validate(gum, mc).validated  # the GUF is exact here


def test_jcgm101_9_2_3_sum_of_four_rectangulars(published, make_inputs):
    case = published["cases"]["S1-9.2.3"]
    mc = evaluate_mc(case["model"], make_inputs(case), trials=MILLION, seed=2)
    assert mc.u == pytest.approx(2.00, abs=0.01)  # JCGM 101 Table 3: u = 2.00
    assert mc.low == pytest.approx(-3.88, abs=0.02)  # JCGM 101 Table 3: MCM [−3.88, 3.88]
    assert mc.high == pytest.approx(3.88, abs=0.02)


def test_jcgm101_9_2_4_guf_is_not_validated_when_one_rectangular_dominates(published, make_inputs):
    case = published["cases"]["S1-9.2.4"]
    mc = evaluate_mc(case["model"], make_inputs(case), trials=MILLION, seed=3)
    gum = evaluate_gum(case["model"], make_inputs(case))
    assert gum.u == pytest.approx(10.1, abs=0.05)  # JCGM 101 Table 4: u = 10.1
    assert gum.interval[1] == pytest.approx(19.9, abs=0.05)  # Table 4: GUF [−19.9, 19.9]
    assert mc.low == pytest.approx(-17.0, abs=0.1)  # Table 4: MCM [−17.0, 17.0]
    assert mc.high == pytest.approx(17.0, abs=0.1)
    check = validate(gum, mc, ndig=2)
    assert not check.validated  # JCGM 101 9.2.4: the GUF is not validated
    assert check.d_low == pytest.approx(2.9, abs=0.1)
    assert check.tolerance == 0.5  # u = 10 (two digits) -> δ = 0.5


def test_jcgm101_9_3_mass_calibration_monte_carlo(published, make_inputs):
    case = published["cases"]["S1-9.3"]
    inputs, constants = make_inputs(case), case["constants"]
    mc = evaluate_mc(case["model"], inputs, trials=MILLION, seed=4, constants=constants)
    assert mc.value == pytest.approx(1.2341, abs=0.0005)  # JCGM 101 Table 6: 1.2341 mg
    assert mc.u == pytest.approx(0.0754, abs=0.0005)  # JCGM 101 Table 6: u = 0.0754 mg
    assert mc.shortest[0] == pytest.approx(1.0834, abs=0.003)  # Table 6 (recalled): [1.0834,
    assert mc.shortest[1] == pytest.approx(1.3825, abs=0.003)  # 1.3825] mg
    gum = evaluate_gum(case["model"], inputs, constants=constants)
    assert not validate(gum, mc).validated  # JCGM 101 9.3: the GUF u 0.0539 is far too small


@pytest.mark.parametrize("scenario", range(6))
def test_jcgm101_9_4_comparison_loss_matches_the_analytic_moments(published, scenario):
    case = published["cases"]["S1-9.4"]
    s = case["expected"]["scenarios"][scenario]
    inputs = [Input("X1", s["x1"], u=0.005), Input("X2", 0.0, u=0.005)]
    corr = {("X1", "X2"): s["r"]} if s["r"] else None
    mc = evaluate_mc(case["model"], inputs, corr, trials=MILLION, seed=5)
    # JCGM 101 9.4 (derived analytic moments): mean and sd within 1 % at 10^6 trials
    assert mc.value == pytest.approx(s["analytic_mean"], rel=0.01)
    assert mc.u == pytest.approx(s["analytic_sd"], rel=0.01)
    gum = evaluate_gum(case["model"], inputs, corr)
    assert gum.u == pytest.approx(s["guf_u"], rel=1e-9, abs=1e-15)  # first order: 2·x1·u


def test_jcgm101_9_4_shortest_interval_starts_at_zero_for_x1_zero():
    inputs = [Input("X1", 0.0, u=0.005), Input("X2", 0.0, u=0.005)]
    mc = evaluate_mc("X1**2 + X2**2", inputs, trials=MILLION, seed=6)
    # Y = u²·χ²₂: shortest 95 % interval [0, u²·5.991] = [0, 1.50e-4] (JCGM 101 9.4, derived)
    assert mc.shortest[0] == pytest.approx(0.0, abs=2e-7)
    assert mc.shortest[1] == pytest.approx(0.005**2 * 5.9915, rel=0.01)


def test_jcgm101_9_5_gauge_block_with_supplement_1_distributions(published, make_inputs):
    case = published["cases"]["S1-9.5"]
    inputs, constants = make_inputs(case, mc=True), case["constants"]
    mc = evaluate_mc(
        case["model"], inputs, coverage=0.99, trials=MILLION, seed=7, constants=constants
    )
    assert mc.value == pytest.approx(838, abs=0.5)  # JCGM 101 Table 11: 838 nm
    assert mc.u == pytest.approx(36, abs=0.5)  # JCGM 101 Table 11: u = 36 nm
    assert mc.u == pytest.approx(35.81, abs=0.3)  # recomputed at 5·10^6 trials: 35.81 nm
    assert mc.shortest[0] == pytest.approx(745, abs=1)  # Table 11: MCM [745, 932] nm
    assert mc.shortest[1] == pytest.approx(932, abs=1)
    gum = evaluate_gum(case["model"], inputs, coverage=0.99, constants=constants)
    assert gum.u == pytest.approx(32, abs=0.5)  # JCGM 101 Table 11: GUF u = 32 nm


def test_npl_log_model_monte_carlo_finds_the_exact_shortest_interval(published, make_inputs):
    case = published["cases"]["NPL-DEM-ES-011-9.2-log"]
    mc = evaluate_mc(case["model"], make_inputs(case), trials=MILLION, seed=8)
    assert mc.value == pytest.approx(-0.665, abs=0.002)  # NPL DEM-ES-011 Table 9.2: −0.665
    assert mc.u == pytest.approx(0.606, abs=0.002)  # NPL Table 9.2: u = 0.606
    assert mc.shortest[0] == pytest.approx(math.log(0.15), abs=0.003)  # exact ln 0.15 = −1.897
    assert mc.shortest[1] == pytest.approx(math.log(1.1), abs=0.003)  # exact ln 1.1 = 0.095
    gum = evaluate_gum(case["model"], make_inputs(case))
    assert gum.value == pytest.approx(-0.511, abs=0.0005)  # NPL Table 9.2: GUF −0.511
    assert gum.u == pytest.approx(0.481, abs=0.0005)  # NPL Table 9.2: u = 0.481
    assert gum.interval[1] == pytest.approx(0.432, abs=0.0005)  # NPL: upper 95 % limit 0.432


def test_nist_tn1900_e13_monte_carlo_with_student_t_inputs(published, make_inputs):
    case = published["cases"]["NIST-TN1900-E13"]
    # t with 3 dof has an infinite fourth moment, so the sample sd settles slowly: at 10^6 trials
    # it wanders by ±0.02e-6 from seed to seed; 4·10^6 keeps it well inside the tolerance.
    mc = evaluate_mc(case["model"], make_inputs(case), trials=4 * MILLION, seed=9)
    assert mc.value == pytest.approx(1.7268e-5, abs=0.0005e-5)  # NIST UM: mean 1.7268e-5
    assert mc.u == pytest.approx(1.74e-6, abs=0.02e-6)  # NIST Uncertainty Machine: 1.74e-6


def test_nist_tn1900_e3_viscometer_monte_carlo(published, make_inputs):
    case = published["cases"]["NIST-TN1900-E3"]
    mc = evaluate_mc(case["model"], make_inputs(case), trials=MILLION, seed=10)
    assert mc.value == pytest.approx(5.82, abs=0.01)  # NIST TN 1900 E3: 5.82 mPa s
    assert mc.u == pytest.approx(1.11, abs=0.01)  # E3: u = 1.11 mPa s
    assert mc.low == pytest.approx(4.05, abs=0.03)  # E3: 95 % [4.05, 8.39]
    assert mc.high == pytest.approx(8.39, abs=0.03)


@pytest.mark.parametrize(
    "spec",
    [
        {"u": 0.2},
        {"half_width": 0.3, "dist": "rectangular"},
        {"half_width": 0.3, "dist": "triangular"},
        {"half_width": 0.3, "dist": "arcsine"},
        {"u": 0.2, "dist": "t", "dof": 7},
        {"scale": 0.2, "dist": "t", "dof": 7},
        {"half_width": 0.05, "limit_half_width": 0.025, "dist": "curvilinear_trapezoid"},
    ],
)
def test_draws_have_the_standard_deviation_the_gum_assumes(spec):
    inp = Input("x", 1.0, **spec)
    draws = inp.sample(np.random.default_rng(11), 400_000)
    expected = inp.standard_uncertainty
    if "scale" in spec:  # JCGM 101 6.4.9: t_ν(x, s²) has sd s·√(ν/(ν−2))
        expected *= math.sqrt(7 / 5)
    assert draws.mean() == pytest.approx(1.0, abs=5 * expected / math.sqrt(draws.size))
    assert draws.std() == pytest.approx(expected, rel=0.01)


def test_the_same_seed_reproduces_the_result_exactly():
    inputs = [Input("a", 1.0, u=0.1), Input("b", 2.0, half_width=0.2, dist="triangular")]
    first = evaluate_mc("a * b", inputs, trials=50_000, seed=42)
    again = evaluate_mc("a * b", inputs, trials=50_000, seed=42)
    assert (first.value, first.u, first.low, first.high) == (
        again.value,
        again.u,
        again.low,
        again.high,
    )
    other = evaluate_mc("a * b", inputs, trials=50_000, seed=43)
    assert other.value != first.value


def test_without_a_seed_one_is_drawn_and_stored_so_the_run_can_be_repeated():
    inputs = [Input("a", 1.0, u=0.1)]
    first = evaluate_mc("exp(a)", inputs, trials=20_000)
    again = evaluate_mc("exp(a)", inputs, trials=20_000, seed=first.seed)
    assert again.shortest == first.shortest
    assert first.engine_version and first.numpy_version == np.__version__


def test_the_result_does_not_depend_on_input_order_nor_on_block_size(monkeypatch):
    inputs = [
        Input("a", 1.0, u=0.1),
        Input("b", 2.0, u=0.2),
        Input("c", 0.5, half_width=0.1, dist="arcsine"),
        Input("d", 0.1, half_width=0.02, limit_half_width=0.005, dist="curvilinear_trapezoid"),
    ]
    model, corr = "a * b + c / (1 + d)", {("a", "b"): 0.5}
    reference = evaluate_mc(model, inputs, corr, trials=30_000, seed=12)
    reordered = evaluate_mc(model, inputs[::-1], corr, trials=30_000, seed=12)
    monkeypatch.setattr(montecarlo, "BLOCK_SIZE", 977)
    small_blocks = evaluate_mc(model, inputs, corr, trials=30_000, seed=12)
    for other in (reordered, small_blocks):
        assert (other.low, other.high, other.shortest) == (
            reference.low,
            reference.high,
            reference.shortest,
        )
        assert other.value == pytest.approx(reference.value, rel=1e-13)
        assert other.u == pytest.approx(reference.u, rel=1e-10)


def test_only_the_tails_of_the_values_are_held_in_memory(monkeypatch):
    monkeypatch.setattr(montecarlo, "BLOCK_SIZE", 4096)
    sampler_inputs = [Input("x", 0.0, u=1.0)]
    compiled = montecarlo.compile_model("x", ("x",))
    tally = montecarlo._fixed(compiled, sampler_inputs, (), 13, 0.95, 400_000)
    held = tally.low.size + tally.high.size
    assert held <= 2 * (2 * 20_000 + 4096)  # 2(1 − p)M values kept, not M
    # and the intervals are those of a full sort of the same draws
    everything = montecarlo._Sampler(sampler_inputs, (), 13).draw(400_000)[0]
    everything.sort()
    q, r = montecarlo.coverage_indices(400_000, 0.95)
    assert tally.intervals(0.95)[:2] == (everything[r - 1], everything[r + q - 1])


def test_adaptive_monte_carlo_stops_when_stable_to_two_digits(published, make_inputs):
    case = published["cases"]["S1-9.2.2"]
    mc = evaluate_mc(case["model"], make_inputs(case), seed=14)
    assert mc.adaptive and mc.converged and mc.ndig == 2
    assert mc.trials % 10_000 == 0  # runs of max(100/(1 − p), 10^4) = 10^4 (JCGM 101 7.9.4)
    assert mc.u == pytest.approx(2.0, abs=0.05)  # δ for u = 2.0 at two digits is 0.05
    assert mc.high == pytest.approx(3.92, abs=0.1)


def test_adaptive_monte_carlo_says_when_it_ran_out_of_trials():
    inputs = [Input("x", 1.0, u=0.123456)]
    mc = evaluate_mc("x", inputs, seed=15, ndig=4, max_trials=30_000)
    assert not mc.converged
    assert any("not stabilised" in note for note in mc.notes)


def test_validation_reports_the_figures_of_jcgm101_clause_8():
    inputs = [Input("x", 1.0, u=0.1)]
    gum = evaluate_gum("x", inputs)
    mc = evaluate_mc("x", inputs, trials=200_000, seed=16)
    check = validate(gum, mc, ndig=2)
    assert check.tolerance == 0.005  # u = 0.10 at two digits: δ = ½·10^-2
    assert check.d_low == pytest.approx(abs(gum.interval[0] - mc.low))
    assert check.d_high == pytest.approx(abs(gum.interval[1] - mc.high))
    assert check.validated
    assert validate(gum, mc, interval="shortest").mc_interval == mc.shortest
    with pytest.raises(InputError, match="different coverage"):
        validate(evaluate_gum("x", inputs, coverage=0.99), mc)


@pytest.mark.parametrize(
    ("inputs", "correlations", "kwargs", "error", "message"),
    [
        ([Input("x", 1.0, u=0.1, dist="t", dof=2)], None, {}, InputError, "more than 2 degrees"),
        (
            [Input("x", 1.0, half_width=0.1, dist="rectangular"), Input("y", 1.0, u=0.1)],
            {("x", "y"): 0.5},
            {},
            InputError,
            "correlate only normal inputs: 'x' is rectangular",
        ),
        ([Input("x", 1.0, u=0.1)], None, {"trials": 1}, InputError, "at least 2"),
        ([Input("x", 1.0, u=0.1)], None, {"trials": 2.5}, InputError, "whole number"),
        ([Input("x", 1.0, u=0.1)], None, {"seed": -1}, InputError, "non-negative"),
        ([Input("x", 1.0, u=0.1)], None, {"ndig": 0}, InputError, "ndig"),
        ([Input("x", 1.0, u=0.1)], None, {"trials": 10, "coverage": 0.99}, InputError, "too few"),
    ],
)
def test_monte_carlo_refuses_what_it_cannot_do(inputs, correlations, kwargs, error, message):
    with pytest.raises(error, match=message):
        evaluate_mc("x", inputs, correlations, **kwargs)


def test_a_model_undefined_for_some_draws_is_refused_with_an_example():
    with pytest.raises(ModelError, match="non-finite values for .* draws .*x = -"):
        evaluate_mc("log(x)", [Input("x", 0.1, u=0.1)], trials=10_000, seed=17)


def test_fully_correlated_inputs_are_drawn_through_a_singular_factor():
    inputs = [Input("a", 0.0, u=1.0), Input("b", 0.0, u=2.0)]
    mc = evaluate_mc("a - b", inputs, {("a", "b"): 1.0}, trials=20_000, seed=18)
    assert mc.u == pytest.approx(1.0, rel=0.03)


normal_terms = st.lists(
    st.tuples(st.floats(-10, 10).filter(lambda c: abs(c) > 0.01), st.floats(0.01, 5)),
    min_size=1,
    max_size=5,
)


@settings(max_examples=15, deadline=None)
@given(normal_terms, st.integers(0, 2**32))
def test_monte_carlo_and_gum_agree_for_a_linear_model_of_normal_inputs(terms, seed):
    inputs = [Input(f"x{i}", float(i), u=u) for i, (_, u) in enumerate(terms)]
    model = " + ".join(f"({c!r})*x{i}" for i, (c, _) in enumerate(terms))
    gum = evaluate_gum(model, inputs)
    mc = evaluate_mc(model, inputs, trials=20_000, seed=seed)
    # at 2·10^4 trials the mean is within 5 u/√M and the sd within 5 % of the GUM's
    assert mc.value == pytest.approx(gum.value, abs=5 * gum.u / math.sqrt(20_000))
    assert mc.u == pytest.approx(gum.u, rel=0.05)
    assert mc.high == pytest.approx(gum.interval[1], abs=0.1 * gum.u)
