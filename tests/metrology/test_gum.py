"""GUM law of propagation against the published examples of JCGM 100 Annex H and others."""

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrology import __version__
from metrology.readings import summarize
from metrology.stats import correlation as reading_correlation
from metrology.uncertainty import (
    Input,
    InputError,
    correlation,
    evaluate_gum,
    propagate_with_uncertainties,
)


def numerical_sensitivities(result):
    """Central differences with a step scaled by u(x_i), as the reference README advises."""
    values = {row.name: row.value for row in result.budget}
    slopes = {}
    for row in result.budget:
        h = row.u * 1e-3 if row.u else 1e-6
        shifted = []
        for sign in (+1, -1):
            moved = [
                Input(inp.name, inp.value + (sign * h if inp.name == row.name else 0.0), u=1.0)
                for inp in result.inputs
            ]
            shifted.append(evaluate_gum(result.model, moved, constants=dict(result.constants)))
        slopes[row.name] = (shifted[0].value - shifted[1].value) / (2 * h)
    assert set(slopes) == set(values)
    return slopes


def test_gum_h1_end_gauge_reproduces_u_c_32_nm(published, make_inputs):
    case = published["cases"]["GUM-H1"]
    gum = evaluate_gum(case["model"], make_inputs(case), coverage=0.99)
    assert gum.value == pytest.approx(50_000_838, abs=0.5)  # GUM H.1: l = 50.000 838 mm
    assert gum.u == pytest.approx(32, abs=0.5)  # GUM H.1: u_c = 32 nm
    assert gum.u == pytest.approx(31.664, abs=0.001)  # recomputed by GTC: 31.664 nm


def test_gum_h1_truncates_effective_dof_to_16_and_gives_k_2_92(published, make_inputs):
    case = published["cases"]["GUM-H1"]
    gum = evaluate_gum(case["model"], make_inputs(case), coverage=0.99)
    assert gum.dof_welch_satterthwaite == pytest.approx(16.7, abs=0.1)  # GUM H.1.6: ν_eff = 16.7
    assert gum.dof == 16  # GUM H.1.6: truncated to 16 (G.6.4)
    assert gum.k == pytest.approx(2.92, abs=0.005)  # GUM H.1.6: t_99(16) = 2.92
    # GUM H.1.6 prints U99 = 93 nm = 2.92 × 32 (rounded u_c); from the unrounded u_c it is 92.5.
    assert 92.0 <= gum.U <= 94.0
    assert gum.interval == pytest.approx((gum.value - gum.U, gum.value + gum.U))


def test_gum_h1_budget_contributions_match_table_h1(published, make_inputs):
    case = published["cases"]["GUM-H1"]
    gum = evaluate_gum(case["model"], make_inputs(case), coverage=0.99)
    rows = {row.name: row for row in gum.budget}
    assert rows["l_s"].contribution == pytest.approx(25, abs=0.05)  # Table H.1: 25 nm
    assert rows["d_alpha"].contribution == pytest.approx(2.9, abs=0.05)  # Table H.1: 2.9 nm
    assert rows["d_theta"].contribution == pytest.approx(16.6, abs=0.05)  # Table H.1: 16.6 nm
    assert rows["alpha_s"].sensitivity == 0  # Table H.1: c = 0 at first order
    assert rows["theta_bar"].sensitivity == 0  # Table H.1: c = 0 at first order
    assert rows["d_alpha"].sensitivity == pytest.approx(-50_000_623 * -0.1)  # c = −l_s·θ
    assert rows["d_theta"].sensitivity == pytest.approx(-50_000_623 * 11.5e-6)  # c = −l_s·α_s
    assert sum(row.share for row in gum.budget) == pytest.approx(1.0)


def test_gum_h1_comparator_term_d_has_u_9_7_nm_and_25_6_dof(published, make_inputs):
    case = published["cases"]["GUM-H1"]
    parts = [inp for inp in make_inputs(case) if inp.name in ("d0", "d1", "d2")]
    d = evaluate_gum("d0 + d1 + d2", parts)
    assert d.u == pytest.approx(9.7, abs=0.05)  # GUM H.1.3.2: u(d) = 9.7 nm
    assert d.dof_welch_satterthwaite == pytest.approx(25.6, abs=0.2)  # GUM H.1.3.2: ν(d) = 25.6


def test_gum_h1_sensitivities_agree_with_numerical_derivatives(published, make_inputs):
    case = published["cases"]["GUM-H1"]
    gum = evaluate_gum(case["model"], make_inputs(case))
    numeric = numerical_sensitivities(gum)
    for row in gum.budget:
        assert row.sensitivity == pytest.approx(numeric[row.name], rel=1e-6, abs=1e-6)


def test_gum_h1_agrees_with_the_uncertainties_package(published, make_inputs):
    case = published["cases"]["GUM-H1"]
    inputs = make_inputs(case)
    gum = evaluate_gum(case["model"], inputs)
    y = propagate_with_uncertainties(case["model"], inputs)
    assert gum.u == pytest.approx(y.std_dev, rel=1e-9)
    derivatives = {var.tag: c for var, c in y.derivatives.items()}
    for row in gum.budget:
        assert row.sensitivity == pytest.approx(derivatives.get(row.name, 0.0), rel=1e-9, abs=1e-12)


def h2_from_raw_data(published):
    """GUM H.2 approach 1: means, their standard deviations and correlations from Table H.2."""
    raw = published["cases"]["GUM-H2"]["raw_data"]
    series = {
        "V": [Decimal(repr(v)) for v in raw["V"]],
        "I": [Decimal(repr(i)) / 1000 for i in raw["I_mA"]],
        "phi": [Decimal(repr(p)) for p in raw["phi"]],
    }
    inputs = []
    for name, readings in series.items():
        summary = summarize(readings)
        inputs.append(Input(name, summary.mean, u=summary.s_mean, dof=summary.dof))
    correlations = {
        (a, b): reading_correlation(series[a], series[b])
        for a, b in (("V", "I"), ("V", "phi"), ("I", "phi"))
    }
    return inputs, correlations


def test_gum_h2_resistance_reactance_impedance_from_raw_data(published):
    inputs, correlations = h2_from_raw_data(published)
    models = published["cases"]["GUM-H2"]["model"]
    results = {name: evaluate_gum(text, inputs, correlations) for name, text in models.items()}
    assert results["R"].value == pytest.approx(127.732, abs=0.001)  # GUM Table H.4: R = 127.732 Ω
    assert results["R"].u == pytest.approx(0.071, abs=0.001)  # GUM Table H.4: u(R) = 0.071 Ω
    assert results["X"].value == pytest.approx(219.847, abs=0.001)  # Table H.4: X = 219.847 Ω
    assert results["X"].u == pytest.approx(0.295, abs=0.001)  # Table H.4: u(X) = 0.295 Ω
    assert results["Z"].value == pytest.approx(254.260, abs=0.001)  # Table H.4: Z = 254.260 Ω
    assert results["Z"].u == pytest.approx(0.236, abs=0.001)  # Table H.4: u(Z) = 0.236 Ω


def test_gum_h2_output_correlations_match_table_h4(published):
    inputs, correlations = h2_from_raw_data(published)
    models = published["cases"]["GUM-H2"]["model"]
    r = {name: evaluate_gum(text, inputs, correlations) for name, text in models.items()}
    assert correlation(r["R"], r["X"]) == pytest.approx(-0.588, abs=0.005)  # Table H.4: −0.588
    assert correlation(r["R"], r["Z"]) == pytest.approx(-0.485, abs=0.005)  # Table H.4: −0.485
    assert correlation(r["X"], r["Z"]) == pytest.approx(0.993, abs=0.005)  # Table H.4: 0.993


def test_gum_h2_from_rounded_table_h3_inputs_is_within_round_off(published, make_inputs):
    case = published["cases"]["GUM-H2"]
    gum = evaluate_gum(case["model"]["R"], make_inputs(case), case["correlations"])
    assert gum.u == pytest.approx(0.071, abs=0.002)  # GUM H.2, README: ±0.002 Ω from round-off
    y = propagate_with_uncertainties(case["model"]["R"], make_inputs(case), case["correlations"])
    assert gum.u == pytest.approx(y.std_dev, rel=1e-9)
    assert any("Welch" in note for note in gum.notes)  # GUM H.2 gives no U: ν_eff is approximate


def test_gum_h4_radon_activity_from_counting_data(published):
    case = published["cases"]["GUM-H4"]
    data = case["data"]

    def rates(counts, times):
        return [
            (c - b) / data["T0_min"] * math.exp(data["lambda_per_min"] * t)
            for c, b, t in zip(counts, data["C_B"], times, strict=True)
        ]

    r_x, r_s = rates(data["C_x"], data["t_x"]), rates(data["C_s"], data["t_s"])
    sx, ss = summarize(r_x), summarize(r_s)
    inputs = [Input(i["name"], i["value"], u=i["u"]) for i in case["inputs"][:3]]
    inputs += [Input("Rx", sx.mean, u=sx.s_mean, dof=5), Input("Rs", ss.mean, u=ss.s_mean, dof=5)]
    gum = evaluate_gum(
        "A_s * m_s / m_x * Rx / Rs", inputs, {("Rx", "Rs"): reading_correlation(r_x, r_s)}
    )
    assert reading_correlation(r_x, r_s) == pytest.approx(0.646, abs=0.001)  # recomputed 0.646
    assert gum.value == pytest.approx(0.4300, abs=0.0001)  # GUM H.4 (recalled): A_x = 0.4300 Bq/g
    assert gum.u == pytest.approx(0.0083, abs=0.0001)  # GUM H.4 (recalled): u_c = 0.0083 Bq/g


def test_jcgm101_9_3_mass_calibration_guf(published, make_inputs):
    case = published["cases"]["S1-9.3"]
    gum = evaluate_gum(case["model"], make_inputs(case), constants=case["constants"])
    assert gum.value == pytest.approx(1.2340, abs=0.00005)  # JCGM 101 Table 6: δm = 1.2340 mg
    assert gum.u == pytest.approx(0.0539, abs=0.0001)  # JCGM 101 Table 6: u = 0.0539 mg
    assert gum.interval[0] == pytest.approx(1.1285, abs=0.0001)  # Table 6: [1.1285, 1.3395]
    assert gum.interval[1] == pytest.approx(1.3395, abs=0.0001)


def test_nist_tn1900_e13_thermal_expansion(published, make_inputs):
    case = published["cases"]["NIST-TN1900-E13"]
    gum = evaluate_gum(case["model"], make_inputs(case))
    assert gum.value == pytest.approx(1.7266e-5, abs=0.00005e-5)  # TN 1900 E13: 1.7266e-5 /K
    assert gum.u == pytest.approx(1.76e-6, abs=0.01e-6)  # TN 1900 E13: u = 1.76e-6 /K
    numeric = numerical_sensitivities(gum)
    for row in gum.budget:
        assert row.sensitivity == pytest.approx(numeric[row.name], rel=1e-6)


def test_a_result_carries_inputs_model_and_engine_version():
    inputs = [Input("x", 1.0, u=0.1, dof=4), Input("y", 2.0, half_width=0.3, dist="triangular")]
    gum = evaluate_gum("x * y", inputs, coverage=0.95)
    assert gum.inputs == tuple(inputs)
    assert gum.model == "x * y"
    assert gum.engine_version == __version__
    assert gum.coverage == 0.95
    with pytest.raises(AttributeError):
        gum.u = 0.0  # frozen


def test_infinite_degrees_of_freedom_give_the_normal_quantile():
    gum = evaluate_gum("x + y", [Input("x", 1.0, u=0.3), Input("y", 1.0, u=0.4)])
    assert gum.dof == math.inf
    assert gum.k == pytest.approx(1.959964, abs=1e-6)
    assert gum.U == pytest.approx(0.5 * 1.959964, abs=1e-6)


def test_a_fixed_coverage_factor_is_used_as_given_and_noted():
    gum = evaluate_gum("x", [Input("x", 1.0, u=0.5, dof=3)], k=2)
    assert gum.k == 2.0
    assert gum.U == 1.0
    assert any("k = 2" in note for note in gum.notes)


def test_an_input_absent_from_the_model_has_zero_sensitivity_and_a_note():
    gum = evaluate_gum("x", [Input("x", 1.0, u=0.5), Input("spare", 3.0, u=1.0)])
    assert gum.sensitivities == {"x": 1.0, "spare": 0.0}
    assert any("spare" in note for note in gum.notes)


def test_constants_are_not_inputs_and_cannot_shadow_one():
    gum = evaluate_gum("x * c", [Input("x", 2.0, u=0.1)], constants={"c": 3.0})
    assert gum.value == 6.0
    assert gum.u == pytest.approx(0.3)
    with pytest.raises(InputError, match="both an input and a constant"):
        evaluate_gum("x * c", [Input("x", 2.0, u=0.1)], constants={"x": 3.0})


def test_coverage_outside_zero_one_is_refused():
    with pytest.raises(InputError, match="between 0 and 1"):
        evaluate_gum("x", [Input("x", 1.0, u=0.1)], coverage=95)


coefficients = st.lists(
    st.tuples(
        st.floats(-100, 100, allow_nan=False).filter(lambda c: abs(c) > 1e-3),
        st.floats(1e-6, 10),
        st.floats(-1e3, 1e3),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(coefficients)
def test_a_linear_model_has_u_equal_to_the_root_sum_of_squares(terms):
    inputs = [Input(f"x{i}", value, u=u) for i, (_, u, value) in enumerate(terms)]
    model = " + ".join(f"({c!r})*x{i}" for i, (c, _, _) in enumerate(terms))
    gum = evaluate_gum(model, inputs)
    assert gum.u == pytest.approx(math.sqrt(sum((c * u) ** 2 for c, u, _ in terms)), rel=1e-9)
    assert gum.value == pytest.approx(sum(c * v for c, _, v in terms), rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(5)), st.floats(-0.9, 0.9))
def test_results_do_not_depend_on_input_order(order, r):
    inputs = [
        Input("a", 2.0, u=0.1, dof=5),
        Input("b", 3.0, half_width=0.2, dist="rectangular"),
        Input("c", 0.5, u=0.05, dist="t", dof=8),
        Input("d", 1.5, half_width=0.1, dist="arcsine", dof=20),
        Input("e", 4.0, u=0.3),
    ]
    model = "a * b / c + sqrt(d) * e - log(b)"
    reference = evaluate_gum(model, inputs, {("a", "e"): r})
    shuffled = evaluate_gum(model, [inputs[i] for i in order], {("e", "a"): r})
    assert shuffled.value == pytest.approx(reference.value, rel=1e-12)
    assert shuffled.u == pytest.approx(reference.u, rel=1e-12)
    assert shuffled.dof == reference.dof
    assert shuffled.sensitivities == pytest.approx(reference.sensitivities, rel=1e-12)
