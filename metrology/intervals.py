"""Review of the calibration interval of a reference standard (ILAC-G24:2007 / OIML D 10:2007).

Two of the methods of ILAC-G24:2007 / OIML D 10:2007 clause 3 "Methods of reviewing calibration
intervals" (clause 6 of the 2022 edition):

- :func:`staircase`, Method 1 "automatic adjustment or staircase (calendar-time)": after each
  routine calibration the next interval is lengthened if the standard was found in tolerance and
  shortened if it was found out of tolerance (clause 6.2 in the 2022 edition);
- :func:`drift`, one of the "other statistical approaches" (Method 5): a straight line fitted by
  weighted least squares to the past calibrated values predicts when the value reaches the
  tolerance limit it drifts toward, centrally and with a stated confidence.

Both return a frozen result (:class:`IntervalProposal`, :class:`DriftPrediction`) that carries its
inputs, its settings, a ``reason`` code for the Django layer to translate, a short English
``explanation`` and ``engine_version``; ``as_dict()`` gives plain JSON-ready data. A proposal is
advice for the person who reviews the interval: nothing here changes a due date.

>>> p = staircase(365, [True, True, False])
>>> p.reason, p.current_interval_days, p.proposed_interval_days
('shorten_out_of_tolerance', 365, 182)
>>> staircase(365, [False, True]).proposed_interval_days  # 365 × 1.1 = 401.5, rounded down
401

A 1 kg weight whose error, in mg, loses 0.05 mg a year, against a lower limit of −0.5 mg:

>>> from datetime import date
>>> dates = [date(2019, 1, 15), date(2021, 1, 15), date(2023, 1, 15)]
>>> errors = [0.10, 0.10 - 0.05 * 731 / 365.25, 0.10 - 0.05 * 1461 / 365.25]
>>> d = drift(dates, errors, [0.02] * 3, 2, lower=-0.5)
>>> d.reason, round(d.slope_per_year, 6), d.central_crossing
('drift_toward_limit', -0.05, datetime.date(2031, 1, 15))
>>> d.conservative_crossing, d.proposed_interval_days  # days after 2023-01-15
(datetime.date(2029, 12, 24), 2535)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from scipy import stats as sps

from metrology import __version__
from metrology.errors import InputError

DAYS_PER_YEAR = 365.25  # a Julian year: the slope is per year of 365.25 days

STAIRCASE_REASONS = ("shorten_out_of_tolerance", "lengthen_in_tolerance_run", "keep")
DRIFT_REASONS = ("drift_toward_limit", "no_drift_toward_limit", "already_outside")

# The laboratory's staircase settings. D 10 gives no factors; these are our decision (see
# :func:`staircase`), and :func:`equilibrium_in_tolerance_rate` shows what they aim at.
EXTEND_FACTOR = 1.1
REDUCE_FACTOR = 0.5
MINIMUM_DAYS = 30
MAXIMUM_DAYS = 1825  # five years of 365 days


# ---------------------------------------------------------------------------------------------
# Checking what was given


def _number(x: Any, what: str) -> float:
    if isinstance(x, bool):
        raise InputError(f"{what} must be a number, not {x!r}")
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, not {x!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, not {x!r}")
    return value


def _positive(x: Any, what: str) -> float:
    value = _number(x, what)
    if value <= 0:
        raise InputError(f"{what} must be positive, not {x!r}")
    return value


def _whole(x: Any, what: str, minimum: int) -> int:
    value = _number(x, what)
    if value != int(value) or value < minimum:
        raise InputError(f"{what} must be a whole number of at least {minimum}, not {x!r}")
    return int(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    return float(value)


def _as_dict(result: Any) -> dict[str, Any]:
    return {f.name: _jsonable(getattr(result, f.name)) for f in fields(result)}


# ---------------------------------------------------------------------------------------------
# Method 1: automatic adjustment or "staircase"


@dataclass(frozen=True)
class IntervalProposal:
    """A proposed calibration interval and why, from the staircase method.

    ``reason`` is one of :data:`STAIRCASE_REASONS`; ``in_tolerance_run`` is the number of
    in-tolerance findings at the end of ``history``; ``limited_by`` is ``"minimum"`` or
    ``"maximum"`` when the clamp changed the proposal, else ``None``.
    """

    method: str
    reason: str
    explanation: str
    current_interval_days: int
    proposed_interval_days: int
    limited_by: str | None
    in_tolerance_run: int
    history: tuple[bool, ...]
    lengthen_after: int
    extend_factor: float
    reduce_factor: float
    minimum_days: int
    maximum_days: int
    engine_version: str

    @property
    def changed(self) -> bool:
        return self.proposed_interval_days != self.current_interval_days

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON storage: numbers, strings, booleans, lists.

        >>> staircase(365, [True]).as_dict()["proposed_interval_days"]
        401
        """
        return _as_dict(self)


def _findings(history: Sequence[Any]) -> tuple[bool, ...]:
    if isinstance(history, str | bytes):
        raise InputError("history must be a sequence of True/False findings, not a string")
    findings = []
    for i, finding in enumerate(history, start=1):
        # bool("no") is True: accept only real booleans (numpy's too), never truthy values.
        if isinstance(finding, bool | np.bool_):
            findings.append(bool(finding))
        else:
            raise InputError(
                f"finding {i} of the history must be True (in tolerance) or False "
                f"(out of tolerance), not {finding!r}"
            )
    if not findings:
        raise InputError(
            "the staircase needs at least one calibration finding (in or out of tolerance); "
            "the history is empty"
        )
    return tuple(findings)


def _trailing_run(findings: tuple[bool, ...]) -> int:
    run = 0
    for finding in reversed(findings):
        if not finding:
            break
        run += 1
    return run


def staircase(
    current_interval_days: int,
    history: Sequence[bool],
    *,
    lengthen_after: int = 1,
    extend_factor: float = EXTEND_FACTOR,
    reduce_factor: float = REDUCE_FACTOR,
    minimum_days: int = MINIMUM_DAYS,
    maximum_days: int = MAXIMUM_DAYS,
) -> IntervalProposal:
    """The next interval by ILAC-G24:2007 / OIML D 10:2007 clause 3, Method 1 ("staircase").

    ``history`` lists the findings at the past routine calibrations, oldest first, the latest
    last: ``True`` when the standard was found in tolerance, ``False`` when out of tolerance.
    What counts as "in tolerance" is the caller's decision: D 10's own example lengthens only
    when the error found is within about 80 % of the maximum permissible error and shortens when
    it is beyond it; a finding in between, which would keep the interval, cannot be told apart
    in a True/False history.

    The rule:

    - latest finding out of tolerance: shorten, interval × ``reduce_factor``;
    - the trailing run of in-tolerance findings has reached ``lengthen_after``, or a multiple of
      it: lengthen, interval × ``extend_factor``. Each lengthening so restarts the count: with
      ``lengthen_after=3`` the interval grows at the 3rd, 6th, 9th… finding in a row, and an
      out-of-tolerance finding sets the run back to zero;
    - otherwise keep the interval.

    The result is rounded down to whole days (the shorter side, in both directions), changes
    by at least one day when it changes, and is then clamped to
    [``minimum_days``, ``maximum_days``]. Days, not months, because due dates are dates and a
    month is not a fixed length.

    D 10 prescribes no factors, no run length and no bounds: they are the laboratory's decision
    and must be written down. Ours (the defaults): lengthen by 10 %, halve on an
    out-of-tolerance finding, keep between 30 days and five years. Halving is deliberately
    harsher than lengthening: a standard found out of tolerance may have been used out of
    tolerance since its previous calibration (ISO/IEC 17025 7.10), which costs far more than one
    calibration too many. With these factors the staircase drifts neither up nor down when
    about 88 % of calibrations find the standard in tolerance
    (:func:`equilibrium_in_tolerance_rate`), near the 85–95 % in-tolerance targets usually set
    for reference standards; a larger ``extend_factor`` adjusts faster but settles lower.

    >>> staircase(365, [True, True], lengthen_after=3).reason
    'keep'
    >>> staircase(1800, [True]).limited_by
    'maximum'
    >>> staircase(365, [])
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the staircase needs at least one calibration finding (in or out of tolerance); the history is empty
    """
    current = _whole(current_interval_days, "the current interval (days)", 1)
    findings = _findings(history)
    after = _whole(lengthen_after, "lengthen_after", 1)
    extend = _number(extend_factor, "the extend factor")
    if extend <= 1:
        raise InputError(f"the extend factor must be greater than 1, not {extend_factor!r}")
    reduce = _number(reduce_factor, "the reduce factor")
    if not 0 < reduce < 1:
        raise InputError(f"the reduce factor must lie between 0 and 1, not {reduce_factor!r}")
    low = _whole(minimum_days, "the minimum interval (days)", 1)
    high = _whole(maximum_days, "the maximum interval (days)", 1)
    if low > high:
        raise InputError(f"the minimum interval ({low} days) exceeds the maximum ({high} days)")

    run = _trailing_run(findings)
    if not findings[-1]:
        reason = "shorten_out_of_tolerance"
        raw = min(math.floor(current * reduce), current - 1)
    elif run % after == 0:
        reason = "lengthen_in_tolerance_run"
        raw = max(math.floor(current * extend), current + 1)
    else:
        reason = "keep"
        raw = current
    proposed = min(max(raw, low), high)
    limited_by = None if proposed == raw else ("minimum" if proposed == low else "maximum")

    if reason == "shorten_out_of_tolerance":
        text = (
            f"Found out of tolerance at the latest calibration: interval shortened from "
            f"{current} to {proposed} days (× {reduce:g})"
        )
    elif reason == "lengthen_in_tolerance_run":
        text = (
            f"Found in tolerance at the last {run} calibration(s): interval lengthened from "
            f"{current} to {proposed} days (× {extend:g})"
        )
    else:
        text = (
            f"Found in tolerance at the last {run} calibration(s); the interval is lengthened "
            f"after every {after} in a row: kept at {proposed} days"
        )
    if limited_by:
        text += f", held at the {limited_by} of {proposed} days"
    text += " (ILAC-G24 / OIML D 10 Method 1)."

    return IntervalProposal(
        method="staircase",
        reason=reason,
        explanation=text,
        current_interval_days=current,
        proposed_interval_days=proposed,
        limited_by=limited_by,
        in_tolerance_run=run,
        history=findings,
        lengthen_after=after,
        extend_factor=extend,
        reduce_factor=reduce,
        minimum_days=low,
        maximum_days=high,
        engine_version=__version__,
    )


def equilibrium_in_tolerance_rate(
    extend_factor: float = EXTEND_FACTOR,
    reduce_factor: float = REDUCE_FACTOR,
    lengthen_after: int = 1,
) -> float:
    """The in-tolerance rate R at which the staircase neither lengthens nor shortens on average.

    If each calibration finds the standard in tolerance with probability R, lengthenings come at
    the rate (1 − R)·R^m/(1 − R^m) per calibration (m = ``lengthen_after``; a Markov chain on the
    run counter) and shortenings at 1 − R. The logarithm of the interval has no drift when
    R^m/(1 − R^m) = ln(1/reduce)/ln(extend). The interval settles where the standard's
    in-tolerance probability equals this R: choose the factors for the R the laboratory wants.
    (Clamping and rounding to days are left out.)

    >>> round(equilibrium_in_tolerance_rate(), 3)
    0.879
    >>> round(equilibrium_in_tolerance_rate(1.25, 0.5, lengthen_after=2), 3)
    0.87
    """
    extend = _number(extend_factor, "the extend factor")
    reduce = _number(reduce_factor, "the reduce factor")
    if extend <= 1 or not 0 < reduce < 1:
        raise InputError("the extend factor must exceed 1 and the reduce factor lie in (0, 1)")
    m = _whole(lengthen_after, "lengthen_after", 1)
    ratio = math.log(1 / reduce) / math.log(extend)
    return (ratio / (1 + ratio)) ** (1 / m)


# ---------------------------------------------------------------------------------------------
# Drift: weighted straight line through the past calibrated values


@dataclass(frozen=True)
class DriftPrediction:
    """A straight-line drift model of a standard and when it reaches a tolerance limit.

    Time runs from ``origin`` (the first calibration). Dates are ``datetime.date`` when the
    calibrations were given as dates, decimal years (floats) when given as years.

    - ``intercept``: fitted value at the origin; ``slope_per_year``: change per year of
      365.25 days; ``u_*`` and ``covariance`` (of intercept and slope per year) are the fit's,
      already multiplied by ``scale_factor``.
    - ``chi_squared``, ``dof`` = n − 2, ``birge_ratio`` = √(χ²/dof) (``None`` with two points);
      ``scale_factor`` = max(1, Birge ratio) inflates the uncertainties of the fit.
    - ``k``: one-sided coverage factor for ``confidence``, used both to call the slope
      significant (|b| > k·u(b)) and for the conservative crossing.
    - ``toward`` (``"lower"``, ``"upper"`` or ``None``) and ``limit``: the limit the slope heads
      for. ``central_crossing``: where the line meets it; ``conservative_crossing``: where
      line + k·u(line) does; ``proposed_interval_days``: whole days from ``from_date`` to the
      conservative crossing, at least 0; all three ``None`` when no limit is reached.
    - ``reason``: one of :data:`DRIFT_REASONS`.
    """

    method: str
    reason: str
    explanation: str
    n: int
    dates: tuple[date | float, ...]
    values: tuple[float, ...]
    expanded_uncertainties: tuple[float, ...]
    coverage_factors: tuple[float, ...]
    lower: float | None
    upper: float | None
    confidence: float
    origin: date | float
    intercept: float
    slope_per_year: float
    u_intercept: float
    u_slope_per_year: float
    covariance: float
    chi_squared: float | None
    dof: int
    birge_ratio: float | None
    scale_factor: float
    k: float
    slope_significant: bool
    toward: str | None
    limit: float | None
    from_date: date | float
    central_crossing: date | float | None
    conservative_crossing: date | float | None
    proposed_interval_days: int | None
    engine_version: str

    @property
    def standard_uncertainties(self) -> tuple[float, ...]:
        return tuple(
            U / k for U, k in zip(self.expanded_uncertainties, self.coverage_factors, strict=True)
        )

    @property
    def correlation(self) -> float:
        """Correlation coefficient of intercept and slope."""
        return self.covariance / (self.u_intercept * self.u_slope_per_year)

    def predict(self, when: date | float) -> tuple[float, float]:
        """The fitted value at ``when`` and its standard uncertainty (GUM 5.2, from the fit).

        u² = u(a)² + t²·u(b)² + 2t·u(a, b) with t in years since the origin. This is the
        uncertainty of the line, not of one future calibration result.
        """
        t = _days(when, self.origin, "the prediction date") / DAYS_PER_YEAR
        variance = self.u_intercept**2 + t * t * self.u_slope_per_year**2 + 2 * t * self.covariance
        return self.intercept + self.slope_per_year * t, math.sqrt(max(variance, 0.0))

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON storage: dates as ISO strings, numbers as float or int."""
        return _as_dict(self)


def _days(when: Any, origin: date | float, what: str) -> float:
    """Days from the origin; decimal years count 365.25 days each."""
    if isinstance(origin, date):
        if isinstance(when, datetime) or not isinstance(when, date):
            raise InputError(f"{what} must be a date (datetime.date), like the calibrations")
        return float((when - origin).days)
    if isinstance(when, date):
        raise InputError(f"{what} must be a decimal year, like the calibrations")
    return (_number(when, what) - origin) * DAYS_PER_YEAR


def _at(days: float, origin: date | float) -> date | float:
    """The date (or decimal year) ``days`` after the origin; a date is that of the day it falls in."""
    if not isinstance(origin, date):
        return origin + days / DAYS_PER_YEAR
    whole = math.floor(days)
    if whole > (date.max - origin).days:
        return date.max
    if whole < (date.min - origin).days:
        return date.min
    return origin + timedelta(days=whole)


def _times(dates: Sequence[Any]) -> tuple[tuple[date | float, ...], date | float, list[float]]:
    if isinstance(dates, str | bytes):
        raise InputError("the calibration dates must be a sequence of dates or decimal years")
    given = list(dates)
    if given and all(isinstance(d, date) and not isinstance(d, datetime) for d in given):
        kept: tuple[date | float, ...] = tuple(given)
    elif any(isinstance(d, date) for d in given):
        raise InputError(
            "give every calibration date as a datetime.date (not a datetime), or every one as "
            "a decimal year; do not mix them"
        )
    else:
        kept = tuple(_number(d, f"calibration date {i}") for i, d in enumerate(given, start=1))
    if len(kept) < 2:
        raise InputError(
            f"a drift needs at least 2 calibrations to fit a straight line, got {len(kept)}"
        )
    origin = kept[0]
    days = [_days(d, origin, f"calibration date {i}") for i, d in enumerate(kept, start=1)]
    if any(later < earlier for earlier, later in zip(days, days[1:], strict=False)):
        raise InputError("the calibration dates must be in order, oldest first")
    if days[-1] == days[0]:
        raise InputError("a drift needs calibrations on at least two different dates")
    return kept, origin, days


def _per_point(x: Any, n: int, what: str, *, one_for_all: bool = True) -> list[Any]:
    try:
        items = list(x)
    except TypeError:  # a single number
        if one_for_all:
            return [x] * n
        raise InputError(f"give the {what}s as a sequence, one per calibration") from None
    if isinstance(x, str | bytes):
        raise InputError(f"give the {what}s as numbers, not the string {x!r}")
    if len(items) != n:
        raise InputError(f"give one {what} per calibration: {n} calibrations, {len(items)} {what}s")
    return items


def _crossing(c0: float, b: float, v_aa: float, v_ab: float, v_bb: float, k: float) -> float:
    """The first t with a + b·t + k·√(v(t)) = limit, c0 = limit − a, b > k·√v_bb > 0.

    v(t) = v_aa + 2t·v_ab + t²·v_bb. Squaring gives A t² + B t + C = 0; its two roots are where
    the upper and the lower bound meet the limit, and the upper bound (the earlier) is wanted.
    The bound is convex with asymptotic slopes b ∓ k·√v_bb > 0, so it rises monotonically and
    meets the limit exactly once.
    """
    kk = k * k
    a2 = b * b - kk * v_bb
    b1 = -2.0 * (c0 * b + kk * v_ab)
    c = c0 * c0 - kk * v_aa
    disc = math.sqrt(max(b1 * b1 - 4.0 * a2 * c, 0.0))
    q = -0.5 * (b1 + math.copysign(disc, b1))  # no cancellation between b1 and disc
    roots = [q / a2] + ([c / q] if q != 0 else [])
    return min(roots)


def drift(
    dates: Sequence[date] | Sequence[float],
    values: Sequence[Any],
    expanded_uncertainties: Sequence[Any],
    coverage_factors: Sequence[Any] | float,
    *,
    lower: Any = None,
    upper: Any = None,
    from_date: date | float | None = None,
    confidence: float = 0.95,
) -> DriftPrediction:
    """When will the drifting value of a standard reach its tolerance limit?

    ``dates`` are the past calibrations, oldest first, as ``datetime.date`` or as decimal years
    (2021.5); ``values`` the calibrated values with expanded uncertainties U and coverage
    factors k (one k for all, or one per value; give U = u and k = 1 for standard
    uncertainties). ``lower`` and ``upper`` are the tolerance limits; one may be ``None``.

    The model is value = a + b·t, t measured from the first calibration. It is fitted by
    weighted least squares with weights 1/u_i², u_i = U_i/k_i. The fit is computed in days (the
    dates' own resolution) and reported per year of 365.25 days. The uncertainties of a and b
    come from the stated u_i; when the points scatter about the line more than those u_i allow
    (Birge ratio √(χ²/(n − 2)) > 1), the stated U evidently do not cover the real scatter (a
    standard also varies between calibrations, not only the measurement), so the covariance is
    multiplied by the Birge ratio squared and ``k`` comes from Student's t with n − 2 degrees
    of freedom instead of the normal distribution. It is never deflated below the stated u_i.
    With two points the line passes through both and there is no test of fit.

    The line heads for ``upper`` when rising, ``lower`` when falling. Reasons:

    - ``"already_outside"``: the latest calibrated value lies beyond a limit; the standard
      needs attention, not an interval (ISO/IEC 17025 7.10);
    - ``"no_drift_toward_limit"``: the slope heads for no given limit, or is not significant
      (|b| ≤ k·u(b), k one-sided for ``confidence``): no drift shown, no crossing;
    - ``"drift_toward_limit"``: the central crossing (line meets limit) and the conservative one
      (line + k·u(line) meets it: from then on the limit is no longer clear with the stated
      confidence) are computed, the latter exactly as the root of a quadratic.

    ``proposed_interval_days`` counts whole days from ``from_date`` (default: the latest
    calibration) to the conservative crossing, at least 0. With dates, a crossing is given as
    the date of the day in which it falls.

    >>> d = drift([2020.0, 2021.0, 2022.0], [1.0, 1.1, 1.2], [0.02] * 3, 2, upper=2.0)
    >>> round(d.slope_per_year, 9), round(d.central_crossing, 6)
    (0.1, 2030.0)
    >>> drift([2020.0, 2021.0], [1.0, 0.9], [0.02] * 2, 2, upper=2.0).reason
    'no_drift_toward_limit'
    """
    kept, origin, days = _times(dates)
    n = len(kept)
    value_list = _per_point(values, n, "value", one_for_all=False)
    U_list = _per_point(expanded_uncertainties, n, "expanded uncertainty")
    k_list = _per_point(coverage_factors, n, "coverage factor")
    y = [_number(v, f"value {i}") for i, v in enumerate(value_list, start=1)]
    U = [_positive(v, f"expanded uncertainty {i}") for i, v in enumerate(U_list, start=1)]
    ks = [_positive(v, f"coverage factor {i}") for i, v in enumerate(k_list, start=1)]
    low = None if lower is None else _number(lower, "the lower limit")
    high = None if upper is None else _number(upper, "the upper limit")
    if low is None and high is None:
        raise InputError("give at least one tolerance limit (lower or upper)")
    if low is not None and high is not None and low >= high:
        raise InputError(f"the lower limit ({low:g}) must be below the upper limit ({high:g})")
    p = _number(confidence, "the confidence")
    if not 0.5 < p < 1:
        raise InputError(f"the confidence must lie between 0.5 and 1, not {confidence!r}")
    t_from = _days(kept[-1] if from_date is None else from_date, origin, "from_date")
    start = kept[-1] if from_date is None or isinstance(origin, date) else float(from_date)

    # Weighted least squares about the weighted mean time: slope and mean are uncorrelated there.
    w = [(k / Ui) ** 2 for Ui, k in zip(U, ks, strict=True)]
    sw = math.fsum(w)
    t_bar = math.fsum(wi * t for wi, t in zip(w, days, strict=True)) / sw
    y_bar = math.fsum(wi * yi for wi, yi in zip(w, y, strict=True)) / sw
    sxx = math.fsum(wi * (t - t_bar) ** 2 for wi, t in zip(w, days, strict=True))
    b = (
        math.fsum(wi * (t - t_bar) * (yi - y_bar) for wi, t, yi in zip(w, days, y, strict=True))
        / sxx
    )
    a = y_bar - b * t_bar
    chi2 = math.fsum(wi * (yi - a - b * t) ** 2 for wi, t, yi in zip(w, days, y, strict=True))
    dof = n - 2
    birge = math.sqrt(chi2 / dof) if dof > 0 else None
    scale = max(1.0, birge or 0.0)
    s2 = scale * scale
    v_bb = s2 / sxx  # per day²
    v_aa = s2 * (1.0 / sw + t_bar * t_bar / sxx)
    v_ab = -s2 * t_bar / sxx
    k = float(sps.t.ppf(p, dof)) if scale > 1.0 else float(sps.norm.ppf(p))

    significant = abs(b) > k * math.sqrt(v_bb)
    toward, limit = None, None
    if b > 0 and high is not None:
        toward, limit = "upper", high
    elif b < 0 and low is not None:
        toward, limit = "lower", low

    last = y[-1]
    central = conservative = proposed = None
    if (low is not None and last < low) or (high is not None and last > high):
        reason = "already_outside"
        side = "below the lower" if low is not None and last < low else "above the upper"
        text = (
            f"The latest calibrated value {last:g} lies {side} limit: the standard is out of "
            "tolerance and needs attention (ISO/IEC 17025 7.10), not a new interval."
        )
    elif limit is None or not significant:
        reason = "no_drift_toward_limit"
        rate = f"{b * DAYS_PER_YEAR:.3g} per year"
        if limit is None:
            text = f"The value drifts at {rate}, toward no given limit: no crossing predicted."
        else:
            text = (
                f"The slope {rate} is within k·u(b) = {k * math.sqrt(v_bb) * DAYS_PER_YEAR:.2g} "
                f"per year of zero (k = {k:.3g}), not significant at {p:.0%}: no drift toward "
                f"the {toward} limit is shown, no crossing predicted."
            )
    else:
        reason = "drift_toward_limit"
        sign = 1.0 if toward == "upper" else -1.0
        c0 = sign * (limit - a)
        t_central = c0 / (sign * b)
        t_conservative = _crossing(c0, sign * b, v_aa, v_ab, v_bb, k)
        central = _at(t_central, origin)
        conservative = _at(t_conservative, origin)
        proposed = max(0, math.floor(t_conservative - t_from))
        text = (
            f"The value drifts at {b * DAYS_PER_YEAR:.3g} per year toward the {toward} limit "
            f"{limit:g}: the line reaches it on {_show(central)}, and from {_show(conservative)} "
            f"the limit is no longer clear at {p:.0%} confidence: recalibrate within "
            f"{proposed} days of {_show(start)}."
        )
    if scale > 1.0:
        text += (
            f" The points scatter more than their uncertainties allow (Birge ratio "
            f"{scale:.3g}): the uncertainties of the fit were enlarged by that factor."
        )

    per_year = DAYS_PER_YEAR
    return DriftPrediction(
        method="drift",
        reason=reason,
        explanation=text,
        n=n,
        dates=kept,
        values=tuple(y),
        expanded_uncertainties=tuple(U),
        coverage_factors=tuple(ks),
        lower=low,
        upper=high,
        confidence=p,
        origin=origin,
        intercept=a,
        slope_per_year=b * per_year,
        u_intercept=math.sqrt(v_aa),
        u_slope_per_year=math.sqrt(v_bb) * per_year,
        covariance=v_ab * per_year,
        chi_squared=chi2 if dof > 0 else None,
        dof=dof,
        birge_ratio=birge,
        scale_factor=scale,
        k=k,
        slope_significant=significant,
        toward=toward,
        limit=limit,
        from_date=start,
        central_crossing=central,
        conservative_crossing=conservative,
        proposed_interval_days=proposed,
        engine_version=__version__,
    )


def _show(when: date | float) -> str:
    return when.isoformat() if isinstance(when, date) else f"{when:.2f}"
