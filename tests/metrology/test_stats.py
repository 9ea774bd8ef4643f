"""Proficiency-test scores, Type A helpers (GUM H.3, H.5) and control charts."""

import pytest

from metrology.stats import (
    anova,
    control_limits,
    correlation,
    en_number,
    flag_points,
    linear_fit,
    pooled_standard_deviation,
    z_prime_score,
    z_score,
    zeta_score,
)
from metrology.uncertainty import InputError


def pt_case(published, case_id):
    return next(c for c in published["pt_cases"]["numeric"] if c["id"] == case_id)


@pytest.mark.parametrize("case_id", ["PT-1", "PT-2", "PT-boundary"])
def test_en_numbers_of_the_pt_vectors(published, case_id):
    case = pt_case(published, case_id)
    score = en_number(case["x_lab"], case["U_lab"], case["x_ref"], case["U_ref"])
    assert score.value == pytest.approx(case["En"], abs=5e-5)  # PT vectors (derived), 4 decimals
    assert score.verdict == case["verdict"].split(" ")[0]


def test_en_of_exactly_one_is_satisfactory_despite_rounding(published):
    case = pt_case(published, "PT-boundary")
    score = en_number(case["x_lab"], case["U_lab"], case["x_ref"], case["U_ref"])
    assert score.satisfactory  # |E_n| ≤ 1 inclusive (ISO 13528 9.7)


@pytest.mark.parametrize("case_id", ["PT-3", "PT-4", "PT-5"])
def test_z_scores_of_the_pt_vectors(published, case_id):
    case = pt_case(published, case_id)
    score = z_score(case["x"], case["x_pt"], case["sigma_pt"])
    assert score.value == pytest.approx(case["z"], abs=5e-5)  # PT vectors (derived)
    assert score.verdict == case["verdict"]


def test_zeta_and_z_prime_of_pt_6(published):
    case = pt_case(published, "PT-6")
    zeta = zeta_score(case["x"], case["u_x"], case["x_pt"], case["u_xpt"])
    z_prime = z_prime_score(case["x"], case["x_pt"], case["sigma_pt"], case["u_xpt"])
    assert zeta.value == pytest.approx(case["zeta"], abs=5e-5)  # PT-6: ζ = 3.1895
    assert z_prime.value == pytest.approx(case["z_prime"], abs=5e-5)  # PT-6: z′ = 1.4816
    assert zeta.verdict == "unsatisfactory" and z_prime.verdict == "satisfactory"


def test_z_of_exactly_two_and_three_are_on_the_lenient_side_of_the_boundaries():
    assert z_score(53.0, 50.0, 1.5).verdict == "satisfactory"  # |z| = 2
    assert z_score(54.5, 50.0, 1.5).verdict == "unsatisfactory"  # |z| = 3


def test_gum_h3_thermometer_calibration_by_least_squares(published):
    case = published["cases"]["GUM-H3"]
    data, expected = case["data"], case["expected"]
    fit = linear_fit([t - data["t0"] for t in data["t"]], data["b"])
    assert fit.intercept == pytest.approx(expected["y1"], abs=5e-5)  # GUM H.3: y1 = −0.1712 °C
    assert fit.u_intercept == pytest.approx(expected["u_y1"], abs=5e-5)  # s(y1) = 0.0029 °C
    assert fit.slope == pytest.approx(expected["y2"], abs=5e-6)  # GUM H.3: y2 = 0.00218
    assert fit.u_slope == pytest.approx(expected["u_y2"], abs=5e-6)  # s(y2) = 0.00067
    assert fit.correlation == pytest.approx(expected["r_y1_y2"], abs=0.001)  # r = −0.930
    assert fit.s == pytest.approx(expected["s"], abs=5e-5)  # GUM H.3: s = 0.0035 °C
    assert fit.dof == expected["dof"]  # ν = 9
    assert fit.x_mean + data["t0"] == pytest.approx(expected["t_bar"], abs=5e-5)  # t̄ = 24.0085
    b30, u30 = fit.predict(30.0 - data["t0"])
    assert b30 == pytest.approx(expected["b_30"], abs=5e-5)  # GUM H.3: b(30 °C) = −0.1494 °C
    assert u30 == pytest.approx(expected["u_b_30"], abs=5e-5)  # u = 0.0041 °C


def test_gum_h5_analysis_of_variance_of_a_zener_standard(published):
    case = published["cases"]["GUM-H5"]
    data, expected = case["data"], case["expected"]
    result = anova(data["day_means_V"], [s * 1e-6 for s in data["day_s_uV"]], data["n_per_day"])
    assert result.grand_mean == pytest.approx(expected["grand_mean"], abs=5e-7)  # 10.000 097 V
    assert result.s_means * 1e6 == pytest.approx(expected["s_daily_means_uV"], abs=0.5)  # 57 µV
    assert result.u_grand_mean * 1e6 == pytest.approx(expected["u_grand_mean_uV"], abs=0.5)  # 18
    assert result.dof_between == expected["dof_grand_mean"]  # ν = 9
    assert result.s_within * 1e6 == pytest.approx(expected["s_within_pooled_uV"], abs=0.5)  # 85 µV
    assert result.dof_within == expected["dof_within"]  # ν = 40
    assert result.s_between * 1e6 == pytest.approx(expected["s_between_uV"], abs=0.5)  # 43 µV
    assert result.F == pytest.approx(expected["F"], abs=0.02)  # GUM H.5: F = 2.25
    assert result.F_critical == pytest.approx(expected["F_crit_0.95_9_40"], abs=0.005)  # 2.12


def test_pooled_standard_deviation_weights_by_degrees_of_freedom():
    pooled = pooled_standard_deviation([0.1, 0.2, 0.3], [2, 4, 6])
    assert pooled.s == pytest.approx(((2 * 0.01 + 4 * 0.04 + 6 * 0.09) / 12) ** 0.5)
    assert pooled.dof == 12
    with pytest.raises(InputError, match="one positive dof per standard deviation"):
        pooled_standard_deviation([0.1, 0.2], [2])


def test_correlation_of_readings_needs_pairs_with_scatter():
    assert correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    with pytest.raises(InputError, match="differ in length"):
        correlation([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="without scatter"):
        correlation([1, 1, 1], [1, 2, 3])


def test_control_limits_and_flags_of_a_check_standard():
    baseline = [100.02, 99.98, 100.01, 99.99, 100.00, 100.03, 99.97, 100.00]
    limits = control_limits(baseline)
    assert limits.center == pytest.approx(100.0)
    assert limits.upper_action - limits.center == pytest.approx(3 * limits.sigma)
    assert limits.upper_warning - limits.center == pytest.approx(2 * limits.sigma)
    sigma = limits.sigma
    flags = flag_points([100.0, 100 + 2.5 * sigma, 100 - 3.5 * sigma, 100 + 1.9 * sigma], limits)
    assert [(f.index, f.level) for f in flags] == [(1, "warning"), (2, "action")]


def test_moving_range_limits_are_less_inflated_by_a_drift():
    drifting = [10.0 + 0.01 * i for i in range(30)]
    assert control_limits(drifting, method="moving_range").sigma < control_limits(drifting).sigma
    with pytest.raises(InputError, match="unknown method"):
        control_limits(drifting, method="range")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: z_score(1.0, 0.0, 0.0), "σ_pt must be positive"),
        (lambda: en_number(1.0, 0.0, 0.0, 0.0), "non-zero expanded uncertainty"),
        (lambda: zeta_score("x", 0.1, 0.0, 0.1), "must be a number"),
        (lambda: linear_fit([1, 1, 1], [1, 2, 3]), "two different x values"),
        (lambda: linear_fit([1, 2], [1, 2]), "at least 3"),
        (lambda: control_limits([1.0]), "at least 2"),
        (lambda: anova([1.0, 2.0], [0.1, 0.2, 0.3], 5), "one standard deviation per group"),
    ],
)
def test_bad_statistics_input_is_refused_clearly(call, message):
    with pytest.raises(InputError, match=message):
        call()
