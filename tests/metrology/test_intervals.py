"""Review of calibration intervals: the staircase (ILAC-G24:2007 / OIML D 10:2007 clause 3,
Method 1) and the drift of a standard's calibrated values toward a tolerance limit.

The staircase cases are built from the method as D 10 describes it (after each routine
calibration the next interval is extended when the instrument was found within tolerance and
reduced when found outside it), with the laboratory's own factors, since D 10 gives none. The drift
cases use series whose line is known exactly, so the expected crossings are computed by hand.
"""

import json
import math
from datetime import UTC, date, datetime

import numpy as np
import pytest
from scipy import optimize
from scipy.stats import norm
from scipy.stats import t as student_t

from metrology.errors import InputError
from metrology.intervals import (
    DRIFT_REASONS,
    STAIRCASE_REASONS,
    drift,
    equilibrium_in_tolerance_rate,
    staircase,
)

# ---------------------------------------------------------------------------------------------
# Staircase


def test_it_lengthens_by_the_factor_when_found_in_tolerance():
    """D 10 Method 1: found within tolerance, the subsequent interval is extended."""
    proposal = staircase(365, [True])
    assert proposal.method == "staircase"
    assert proposal.reason == "lengthen_in_tolerance_run"
    assert proposal.current_interval_days == 365
    assert proposal.proposed_interval_days == 401  # 365 × 1.1 = 401.5, rounded down
    assert proposal.in_tolerance_run == 1 and proposal.limited_by is None
    assert "lengthened from 365 to 401 days" in proposal.explanation


def test_it_shortens_by_the_factor_when_found_out_of_tolerance():
    """D 10 Method 1: found outside tolerance, the subsequent interval is reduced."""
    proposal = staircase(365, [True, True, True, False])
    assert proposal.reason == "shorten_out_of_tolerance"
    assert proposal.proposed_interval_days == 182  # 365 × 0.5 = 182.5, rounded down
    assert proposal.in_tolerance_run == 0
    assert "out of tolerance" in proposal.explanation


def test_it_uses_the_factors_it_is_given():
    proposal = staircase(200, [True], extend_factor=1.25)
    assert proposal.proposed_interval_days == 250
    assert staircase(200, [False], reduce_factor=0.75).proposed_interval_days == 150


def test_it_holds_a_lengthening_at_the_maximum():
    proposal = staircase(1800, [True], maximum_days=1825)
    assert proposal.proposed_interval_days == 1825  # 1980 days asked
    assert proposal.limited_by == "maximum"
    assert "held at the maximum of 1825 days" in proposal.explanation


def test_it_holds_a_shortening_at_the_minimum():
    proposal = staircase(40, [False], minimum_days=30)
    assert proposal.proposed_interval_days == 30  # 20 days asked
    assert proposal.limited_by == "minimum"
    assert proposal.reason == "shorten_out_of_tolerance"


def test_it_brings_a_kept_interval_back_within_the_bounds():
    proposal = staircase(2000, [True, True], lengthen_after=3, maximum_days=1825)
    assert proposal.reason == "keep"
    assert proposal.proposed_interval_days == 1825 and proposal.limited_by == "maximum"


def test_it_needs_three_in_tolerance_findings_in_a_row_when_told_so():
    assert staircase(365, [True], lengthen_after=3).reason == "keep"
    assert staircase(365, [True, True], lengthen_after=3).reason == "keep"
    assert staircase(365, [True] * 3, lengthen_after=3).reason == "lengthen_in_tolerance_run"


def test_the_count_restarts_after_each_lengthening():
    # 3rd, 6th, 9th finding in a row lengthen; the 4th and 5th keep.
    reasons = [staircase(365, [True] * n, lengthen_after=3).reason for n in range(1, 10)]
    lengthened = [n for n, r in enumerate(reasons, start=1) if r == "lengthen_in_tolerance_run"]
    assert lengthened == [3, 6, 9]


def test_the_run_restarts_after_an_out_of_tolerance_finding():
    before = [True, True, True, True, True, False]
    assert staircase(182, [*before, True, True], lengthen_after=3).reason == "keep"
    proposal = staircase(182, [*before, True, True, True], lengthen_after=3)
    assert proposal.reason == "lengthen_in_tolerance_run"
    assert proposal.in_tolerance_run == 3


def test_a_replayed_history_climbs_and_falls_like_a_staircase():
    interval, history, seen = 365, [], []
    for finding in [True, True, False, True]:
        history.append(finding)
        interval = staircase(interval, history).proposed_interval_days
        seen.append(interval)
    assert seen == [401, 441, 220, 242]  # ×1.1, ×1.1, ×0.5, ×1.1, each rounded down


def test_a_lengthening_adds_at_least_one_day():
    assert staircase(5, [True], minimum_days=1).proposed_interval_days == 6  # 5 × 1.1 = 5.5


def test_it_refuses_an_empty_history():
    with pytest.raises(InputError, match="at least one calibration finding"):
        staircase(365, [])


@pytest.mark.parametrize("finding", ["no", 0, 1, None, "False"])
def test_it_refuses_findings_that_are_not_booleans(finding):
    with pytest.raises(InputError, match="must be True .in tolerance. or False"):
        staircase(365, [True, finding])


def test_it_accepts_numpy_booleans():
    assert staircase(365, list(np.array([True, False]))).reason == "shorten_out_of_tolerance"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"extend_factor": 1.0}, "extend factor must be greater than 1"),
        ({"reduce_factor": 1.0}, "reduce factor must lie between 0 and 1"),
        ({"reduce_factor": 0}, "reduce factor must lie between 0 and 1"),
        ({"lengthen_after": 0}, "lengthen_after must be a whole number of at least 1"),
        ({"minimum_days": 400, "maximum_days": 300}, "minimum interval .400 days. exceeds"),
    ],
)
def test_it_refuses_unusable_settings(kwargs, message):
    with pytest.raises(InputError, match=message):
        staircase(365, [True], **kwargs)


@pytest.mark.parametrize("current", [0, -30, 36.5, "a year"])
def test_it_refuses_a_current_interval_that_is_not_whole_positive_days(current):
    with pytest.raises(InputError, match="current interval"):
        staircase(current, [True])


def test_a_staircase_proposal_is_stored_as_plain_json():
    data = staircase(365, [True, False], lengthen_after=2).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["reason"] in STAIRCASE_REASONS
    assert data["history"] == [True, False]
    assert data["proposed_interval_days"] == 182 and data["engine_version"]


def test_the_equilibrium_rate_matches_a_simulated_run_counter():
    """Lengthenings per calibration, (1 − R)·R^m/(1 − R^m), against a simulated staircase."""
    extend, reduce, m = 1.25, 0.5, 2
    rate = equilibrium_in_tolerance_rate(extend, reduce, lengthen_after=m)
    findings = np.random.default_rng(1).random(200_000) < rate
    run = lengthenings = 0
    for found in findings:
        run = run + 1 if found else 0
        lengthenings += bool(found and run % m == 0)
    drift_of_log = lengthenings * math.log(extend) + (~findings).sum() * math.log(reduce)
    assert abs(drift_of_log) / findings.size < 0.003  # ≈ 0 per calibration at equilibrium
    assert lengthenings / findings.size == pytest.approx(
        (1 - rate) * rate**m / (1 - rate**m), rel=0.02
    )


# ---------------------------------------------------------------------------------------------
# Drift

FIRST = date(2019, 1, 15)
YEARLY = [date(2019 + i, 1, 15) for i in range(6)]
U_WEIGHT = 0.02  # mg, k = 2
E1_MPE = 0.5  # mg, maximum permissible error of a 1 kg class E1 weight (OIML R 111-1 Table 1)


def weight_errors(dates, start=0.10, per_year=-0.05):
    """Errors (mg) of a 1 kg weight exactly on a line: +0.10 mg at first, losing 0.05 mg a year."""
    return [start + per_year * (d - FIRST).days / 365.25 for d in dates]


def bound_crossing_days(result, sign):
    """Independent check: brentq on line ± k·u(line) − limit, with u² = u(a)² + t²u(b)² + 2t·u(a,b)."""

    def excess(days):
        t = days / 365.25
        value = result.intercept + result.slope_per_year * t
        u2 = result.u_intercept**2 + t * t * result.u_slope_per_year**2 + 2 * t * result.covariance
        return sign * (value + sign * result.k * math.sqrt(u2) - result.limit)

    return optimize.brentq(excess, 0.0, 20_000.0, xtol=1e-9)


def test_a_weight_losing_mass_on_an_exact_line_gives_back_its_slope_and_crossing():
    result = drift(YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2, lower=-E1_MPE, upper=E1_MPE)
    assert result.method == "drift" and result.reason == "drift_toward_limit"
    assert result.slope_per_year == pytest.approx(-0.05, abs=1e-9)
    assert result.intercept == pytest.approx(0.10, abs=1e-9)
    assert result.toward == "lower" and result.limit == -E1_MPE
    # 0.10 − 0.05·t = −0.5 → t = 12 years = 4383 days (12 × 365 + the leap days of 2020, 2024,
    # 2028) after 2019-01-15.
    assert result.central_crossing == date(2031, 1, 15)
    assert result.conservative_crossing < result.central_crossing
    assert result.slope_significant and result.scale_factor == 1.0
    assert result.k == pytest.approx(norm.ppf(0.95), abs=1e-12)  # one-sided 95 %, no inflation


def test_the_conservative_crossing_is_the_root_a_numerical_search_finds():
    result = drift(YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2, lower=-E1_MPE)
    days = bound_crossing_days(result, sign=-1)
    assert result.conservative_crossing == date.fromordinal(FIRST.toordinal() + math.floor(days))
    assert result.proposed_interval_days == (result.conservative_crossing - YEARLY[-1]).days


def test_a_rising_value_mirrors_a_falling_one():
    falling = drift(YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2, lower=-E1_MPE)
    rising_values = [-v for v in weight_errors(YEARLY)]
    rising = drift(YEARLY, rising_values, [U_WEIGHT] * 6, 2, upper=E1_MPE)
    assert rising.toward == "upper"
    assert rising.central_crossing == falling.central_crossing
    assert rising.conservative_crossing == falling.conservative_crossing
    assert rising.slope_per_year == pytest.approx(0.05, abs=1e-9)


def test_the_fit_agrees_with_the_normal_equations_in_matrix_form():
    rng = np.random.default_rng(7)
    dates = [date(2015, 3, 2), date(2016, 2, 20), date(2017, 9, 1), date(2019, 1, 7)]
    U = [0.03, 0.02, 0.05, 0.02]
    ks = [2.0, 2.0, 2.1, 1.96]
    values = [
        0.2 - 0.04 * (d - dates[0]).days / 365.25 + 0.003 * rng.standard_normal() for d in dates
    ]
    result = drift(dates, values, U, ks, lower=-1.0)
    t = np.array([(d - dates[0]).days / 365.25 for d in dates])
    X = np.column_stack([np.ones_like(t), t])
    W = np.diag([(k / u) ** 2 for u, k in zip(U, ks, strict=True)])
    cov = np.linalg.inv(X.T @ W @ X) * result.scale_factor**2
    params = np.linalg.solve(X.T @ W @ X, X.T @ W @ np.array(values))
    assert result.intercept == pytest.approx(params[0], abs=1e-12)
    assert result.slope_per_year == pytest.approx(params[1], abs=1e-12)
    assert result.u_intercept == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-9)
    assert result.u_slope_per_year == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-9)
    assert result.covariance == pytest.approx(cov[0, 1], rel=1e-9)
    # GUM propagation of the line at a later date: u² = xᵀ V x with x = (1, t).
    x = np.array([1.0, (date(2021, 1, 7) - dates[0]).days / 365.25])
    value, u = result.predict(date(2021, 1, 7))
    assert value == pytest.approx(float(x @ params), abs=1e-12)
    assert u == pytest.approx(math.sqrt(float(x @ cov @ x)), rel=1e-9)


def test_the_slope_of_noisy_series_lies_within_three_uncertainties_of_the_truth():
    truth, u = -0.05, U_WEIGHT / 2
    exact = np.array(weight_errors(YEARLY, per_year=truth))
    inside = 0
    for seed in range(100):
        noisy = exact + u * np.random.default_rng(seed).standard_normal(exact.size)
        result = drift(YEARLY, list(noisy), [U_WEIGHT] * 6, 2, lower=-E1_MPE)
        inside += abs(result.slope_per_year - truth) <= 3 * result.u_slope_per_year
    assert inside >= 95  # 99.7 % expected of a normal estimate


def test_scatter_beyond_the_stated_uncertainties_inflates_the_fit_by_the_birge_ratio():
    wobble = [0.05, -0.05, 0.05, -0.05, 0.05, -0.05]  # mg, far beyond u = 0.01 mg
    values = [v + w for v, w in zip(weight_errors(YEARLY), wobble, strict=True)]
    stated = drift(YEARLY, values, [U_WEIGHT] * 6, 2, lower=-E1_MPE)
    assert stated.birge_ratio > 1 and stated.scale_factor == stated.birge_ratio
    assert stated.chi_squared == pytest.approx(stated.dof * stated.birge_ratio**2, rel=1e-12)
    # Same points with u large enough to cover the scatter: no inflation, so the uncertainties
    # are the stated-u ones; the inflated ones are those times the Birge ratio.
    days = np.array([(d - FIRST).days for d in YEARLY], dtype=float)
    w = (2 / U_WEIGHT) ** 2
    sxx = w * float(((days - days.mean()) ** 2).sum())
    u_slope_stated = math.sqrt(1 / sxx) * 365.25
    assert stated.u_slope_per_year == pytest.approx(stated.birge_ratio * u_slope_stated, rel=1e-9)
    assert stated.k == pytest.approx(student_t.ppf(0.95, 4), abs=1e-12)  # t with n − 2 dof
    assert "Birge ratio" in stated.explanation


def test_scatter_within_the_stated_uncertainties_is_not_deflated():
    tiny = [v + w for v, w in zip(weight_errors(YEARLY), [1e-4, -1e-4] * 3, strict=True)]
    result = drift(YEARLY, tiny, [U_WEIGHT] * 6, 2, lower=-E1_MPE)
    assert result.birge_ratio < 1 and result.scale_factor == 1.0


def test_two_points_give_a_line_but_no_test_of_fit():
    result = drift(YEARLY[:2], weight_errors(YEARLY[:2]), [U_WEIGHT] * 2, 2, lower=-E1_MPE)
    assert result.n == 2 and result.dof == 0
    assert result.birge_ratio is None and result.chi_squared is None
    assert result.slope_per_year == pytest.approx(-0.05, abs=1e-9)
    assert result.reason == "drift_toward_limit"  # 0.05 ± 0.014 mg/a is significant


def test_drifting_away_from_the_only_limit_predicts_no_crossing():
    result = drift(YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2, upper=E1_MPE)
    assert result.reason == "no_drift_toward_limit"
    assert result.toward is None and result.limit is None
    assert result.central_crossing is None and result.conservative_crossing is None
    assert result.proposed_interval_days is None
    assert "toward no given limit" in result.explanation


def test_a_slope_lost_in_its_uncertainty_predicts_no_crossing():
    values = weight_errors(YEARLY, per_year=-0.001)  # 0.001 mg/a against u(b) ≈ 0.0024 mg/a
    result = drift(YEARLY, values, [U_WEIGHT] * 6, 2, lower=-E1_MPE)
    assert result.reason == "no_drift_toward_limit"
    assert result.toward == "lower" and not result.slope_significant
    assert result.conservative_crossing is None and result.proposed_interval_days is None
    assert "not significant at 95%" in result.explanation


def test_a_standard_already_outside_tolerance_gets_no_interval():
    values = weight_errors(YEARLY, start=-0.2, per_year=-0.07)  # −0.55 mg at the last one
    result = drift(YEARLY, values, [U_WEIGHT] * 6, 2, lower=-E1_MPE, upper=E1_MPE)
    assert result.reason == "already_outside"
    assert result.central_crossing is None and result.proposed_interval_days is None
    assert "below the lower limit" in result.explanation


def test_the_interval_is_counted_from_the_date_asked_and_never_negative():
    result = drift(
        YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2, lower=-E1_MPE, from_date=date(2025, 1, 1)
    )
    assert result.proposed_interval_days == (result.conservative_crossing - date(2025, 1, 1)).days
    late = drift(
        YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2, lower=-E1_MPE, from_date=date(2032, 1, 1)
    )
    assert late.proposed_interval_days == 0


def test_decimal_years_give_decimal_year_crossings():
    years = [2020.0, 2021.0, 2022.0, 2023.0]
    values = [1.0 + 0.1 * (y - 2020) for y in years]
    result = drift(years, values, [0.02] * 4, 2, upper=2.0)
    assert result.central_crossing == pytest.approx(2030.0, abs=1e-9)  # 1.0 + 0.1·10 = 2.0
    assert 2023.0 < result.conservative_crossing < 2030.0
    expected = math.floor((result.conservative_crossing - 2023.0) * 365.25)
    assert result.proposed_interval_days == expected


def test_a_higher_confidence_brings_the_conservative_crossing_earlier():
    args = (YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2)
    at_95 = drift(*args, lower=-E1_MPE, confidence=0.95)
    at_99 = drift(*args, lower=-E1_MPE, confidence=0.99)
    assert at_99.conservative_crossing < at_95.conservative_crossing
    assert at_99.central_crossing == at_95.central_crossing


def test_a_drift_prediction_is_stored_as_plain_json():
    result = drift(YEARLY, weight_errors(YEARLY), [U_WEIGHT] * 6, 2, lower=-E1_MPE)
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["reason"] in DRIFT_REASONS
    assert data["dates"][0] == "2019-01-15" and data["central_crossing"] == "2031-01-15"
    assert data["coverage_factors"] == [2.0] * 6 and data["upper"] is None


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([FIRST], [0.1], [0.02], 2), {"lower": -0.5}, "at least 2 calibrations"),
        (([], [], [], 2), {"lower": -0.5}, "at least 2 calibrations"),
        ((YEARLY, [0.1] * 5, [0.02] * 6, 2), {"lower": -0.5}, "one value per calibration"),
        ((YEARLY, [0.1] * 6, [0.02] * 5, 2), {"lower": -0.5}, "one expanded uncertainty per"),
        ((YEARLY, [0.1] * 6, [0.02] * 6, [2] * 4), {"lower": -0.5}, "one coverage factor per"),
        ((YEARLY, [0.1] * 6, [0.02] * 5 + [0], 2), {"lower": -0.5}, "uncertainty 6 must be pos"),
        ((YEARLY, [0.1] * 6, [0.02] * 5 + [-0.02], 2), {"lower": -0.5}, "must be positive"),
        ((YEARLY, [0.1] * 6, [0.02] * 6, 0), {"lower": -0.5}, "coverage factor 1 must be pos"),
        ((YEARLY, [0.1] * 6, [0.02] * 6, 2), {}, "at least one tolerance limit"),
        ((YEARLY, [0.1] * 6, [0.02] * 6, 2), {"lower": 1, "upper": -1}, "must be below the upper"),
        ((YEARLY, [0.1] * 6, [0.02] * 6, 2), {"lower": -0.5, "confidence": 95}, "confidence"),
        ((YEARLY[::-1], [0.1] * 6, [0.02] * 6, 2), {"lower": -0.5}, "in order, oldest first"),
        (([FIRST, FIRST], [0.1] * 2, [0.02] * 2, 2), {"lower": -0.5}, "two different dates"),
        (([FIRST, 2020.0], [0.1] * 2, [0.02] * 2, 2), {"lower": -0.5}, "do not mix them"),
        (
            (
                [datetime(2019, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)],
                [0.1] * 2,
                [0.02] * 2,
                2,
            ),
            {"lower": -0.5},
            "not a datetime",
        ),  # noqa: DTZ001
        ((YEARLY, [0.1] * 5 + ["n/a"], [0.02] * 6, 2), {"lower": -0.5}, "value 6 must be a number"),
        (
            (YEARLY, [0.1] * 6, [0.02] * 6, 2),
            {"lower": -0.5, "from_date": 2025.0},
            "from_date must be a date",
        ),
    ],
)
def test_it_refuses_unusable_drift_data_with_a_clear_message(args, kwargs, message):
    with pytest.raises(InputError, match=message):
        drift(*args, **kwargs)
