"""Statistics a calibration laboratory uses beside the uncertainty budget.

- Proficiency testing (ISO 13528, ISO/IEC 17043): :func:`en_number`, :func:`z_score`,
  :func:`z_prime_score`, :func:`zeta_score`.
- Type A helpers: :func:`pooled_standard_deviation`, :func:`correlation` of simultaneous
  readings (GUM 5.2.3), :func:`anova` of days × repeats (GUM H.5), :func:`linear_fit` with the
  covariance of intercept and slope (GUM H.3).
- Check standards: Shewhart :func:`control_limits` and :func:`flag_points`.

>>> score = en_number(10.12, 0.08, 10.00, 0.05)
>>> round(score.value, 4), score.verdict
(1.272, 'unsatisfactory')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

from metrology.errors import InputError

_TOLERANCE = 1e-12  # |En| = 1 exactly must not fail through a last-bit rounding error


@dataclass(frozen=True)
class Score:
    """A proficiency-test score and its verdict (satisfactory, questionable, unsatisfactory)."""

    kind: str
    value: float
    verdict: str

    @property
    def satisfactory(self) -> bool:
        return self.verdict == "satisfactory"


def _float(x: Any, what: str) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, not {x!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, not {x!r}")
    return value


def _positive(x: Any, what: str) -> float:
    value = _float(x, what)
    if value <= 0:
        raise InputError(f"{what} must be positive, not {x!r}")
    return value


def _z_verdict(kind: str, z: float) -> Score:
    size = abs(z)
    if size <= 2.0 + _TOLERANCE:
        verdict = "satisfactory"
    elif size < 3.0 - _TOLERANCE:
        verdict = "questionable"
    else:
        verdict = "unsatisfactory"
    return Score(kind, z, verdict)


def en_number(x_lab: Any, U_lab: Any, x_ref: Any, U_ref: Any) -> Score:
    """E_n = (x_lab − x_ref)/√(U_lab² + U_ref²) with expanded uncertainties; |E_n| ≤ 1 passes.

    >>> en_number(10.10, 0.08, 10.00, 0.06).verdict  # E_n = 1 exactly is satisfactory
    'satisfactory'
    """
    denominator = math.hypot(_float(U_lab, "U_lab"), _float(U_ref, "U_ref"))
    if denominator == 0:
        raise InputError("E_n needs at least one non-zero expanded uncertainty")
    en = (_float(x_lab, "x_lab") - _float(x_ref, "x_ref")) / denominator
    verdict = "satisfactory" if abs(en) <= 1.0 + _TOLERANCE else "unsatisfactory"
    return Score("En", en, verdict)


def z_score(x: Any, x_pt: Any, sigma_pt: Any) -> Score:
    """z = (x − x_pt)/σ_pt: |z| ≤ 2 satisfactory, 2 < |z| < 3 questionable, |z| ≥ 3 not."""
    return _z_verdict("z", (_float(x, "x") - _float(x_pt, "x_pt")) / _positive(sigma_pt, "σ_pt"))


def z_prime_score(x: Any, x_pt: Any, sigma_pt: Any, u_x_pt: Any) -> Score:
    """z′ = (x − x_pt)/√(σ_pt² + u(x_pt)²), when the assigned value is uncertain."""
    scale = math.hypot(_positive(sigma_pt, "σ_pt"), _float(u_x_pt, "u(x_pt)"))
    return _z_verdict("z'", (_float(x, "x") - _float(x_pt, "x_pt")) / scale)


def zeta_score(x: Any, u_x: Any, x_pt: Any, u_x_pt: Any) -> Score:
    """ζ = (x − x_pt)/√(u(x)² + u(x_pt)²) with standard uncertainties."""
    scale = math.hypot(_float(u_x, "u(x)"), _float(u_x_pt, "u(x_pt)"))
    if scale == 0:
        raise InputError("ζ needs at least one non-zero standard uncertainty")
    return _z_verdict("zeta", (_float(x, "x") - _float(x_pt, "x_pt")) / scale)


def _series(values: Sequence[Any], what: str, minimum: int = 2) -> np.ndarray:
    array = np.array([_float(v, f"{what} {i}") for i, v in enumerate(values, start=1)])
    if array.size < minimum:
        raise InputError(f"{what}s: at least {minimum} are needed, got {array.size}")
    return array


@dataclass(frozen=True)
class Pooled:
    """A pooled standard deviation and its degrees of freedom."""

    s: float
    dof: int


def pooled_standard_deviation(sds: Sequence[Any], dofs: Sequence[int] | int) -> Pooled:
    """s_p = √(Σ ν_i s_i² / Σ ν_i), e.g. the s of a comparator from several series (GUM H.1).

    >>> pooled = pooled_standard_deviation([0.10, 0.20], 4)
    >>> round(pooled.s, 4), pooled.dof
    (0.1581, 8)
    """
    s = _series(sds, "standard deviation", minimum=1)
    nu = np.full(s.size, dofs) if isinstance(dofs, int) else np.asarray(dofs, dtype=int)
    if nu.shape != s.shape or (nu < 1).any() or (s < 0).any():
        raise InputError("give one positive dof per standard deviation, and no negative s")
    return Pooled(float(math.sqrt(float(np.sum(nu * s**2)) / float(nu.sum()))), int(nu.sum()))


def correlation(x: Sequence[Any], y: Sequence[Any]) -> float:
    """Correlation of simultaneous readings, hence of their means (GUM 5.2.3, eq. 17).

    >>> round(correlation([1, 2, 3, 4], [2.1, 3.9, 6.2, 7.8]), 4)
    0.9978
    """
    a, b = _series(x, "reading"), _series(y, "reading")
    if a.size != b.size:
        raise InputError("correlated readings must come in pairs: the series differ in length")
    da, db = a - a.mean(), b - b.mean()
    norm = math.sqrt(float(da @ da) * float(db @ db))
    if norm == 0:
        raise InputError("a series without scatter has no correlation")
    return float(da @ db) / norm


@dataclass(frozen=True)
class Anova:
    """One-way analysis of variance of K groups of n observations (GUM H.5)."""

    grand_mean: float
    s_means: float
    u_grand_mean: float
    dof_between: int
    s_within: float
    dof_within: int
    s_between: float
    F: float
    F_critical: float


def anova(group_means: Sequence[Any], group_sds: Sequence[Any], n: int) -> Anova:
    """Between-group and within-group components from group means, group sds and n per group.

    ``F_critical`` is the 95 % point of F(K−1, K(n−1)); F above it shows a between-group
    effect (GUM H.5.2.3). ``s_between`` is zero when the groups scatter less than chance.
    """
    means = _series(group_means, "group mean")
    sds = _series(group_sds, "group standard deviation")
    if sds.size != means.size or n < 2:
        raise InputError("give one standard deviation per group mean, and n of at least 2")
    k = means.size
    s_means = float(np.std(means, ddof=1))
    pooled = pooled_standard_deviation(list(sds), n - 1)
    between_sq = s_means**2 - pooled.s**2 / n
    return Anova(
        grand_mean=float(means.mean()),
        s_means=s_means,
        u_grand_mean=s_means / math.sqrt(k),
        dof_between=k - 1,
        s_within=pooled.s,
        dof_within=pooled.dof,
        s_between=math.sqrt(between_sq) if between_sq > 0 else 0.0,
        F=n * s_means**2 / pooled.s**2,
        F_critical=float(sps.f.ppf(0.95, k - 1, pooled.dof)),
    )


@dataclass(frozen=True)
class LinearFit:
    """y = intercept + slope·x by ordinary least squares, with the covariance of the two."""

    intercept: float
    slope: float
    u_intercept: float
    u_slope: float
    covariance: float
    s: float
    dof: int
    x_mean: float

    @property
    def correlation(self) -> float:
        return self.covariance / (self.u_intercept * self.u_slope)

    def predict(self, x: float) -> tuple[float, float]:
        """The fitted value at ``x`` and its standard uncertainty (from the fit only)."""
        variance = self.u_intercept**2 + x * x * self.u_slope**2 + 2 * x * self.covariance
        return self.intercept + self.slope * x, math.sqrt(max(variance, 0.0))


def linear_fit(x: Sequence[Any], y: Sequence[Any]) -> LinearFit:
    """Straight line through n ≥ 3 points; s² = SSR/(n − 2) (GUM H.3).

    >>> fit = linear_fit([0, 1, 2, 3], [1.0, 3.1, 4.9, 7.0])
    >>> round(fit.intercept, 3), round(fit.slope, 3), fit.dof
    (1.03, 1.98, 2)
    """
    xs, ys = _series(x, "x value", minimum=3), _series(y, "y value", minimum=3)
    if xs.size != ys.size:
        raise InputError("x and y must have the same number of points")
    x_mean = float(xs.mean())
    dx = xs - x_mean
    sxx = float(dx @ dx)
    if sxx == 0:
        raise InputError("a straight line needs at least two different x values")
    slope = float(dx @ (ys - ys.mean())) / sxx
    intercept = float(ys.mean()) - slope * x_mean
    residuals = ys - (intercept + slope * xs)
    dof = xs.size - 2
    s = math.sqrt(float(residuals @ residuals) / dof)
    n = xs.size
    return LinearFit(
        intercept=intercept,
        slope=slope,
        u_intercept=s * math.sqrt(float(xs @ xs) / (n * sxx)),
        u_slope=s / math.sqrt(sxx),
        covariance=-x_mean * s * s / sxx,
        s=s,
        dof=dof,
        x_mean=x_mean,
    )


@dataclass(frozen=True)
class ControlLimits:
    """Shewhart chart of a check standard: centre line, warning (2σ) and action (3σ) limits."""

    center: float
    sigma: float
    lower_warning: float
    upper_warning: float
    lower_action: float
    upper_action: float
    n: int


@dataclass(frozen=True)
class PointFlag:
    """A point beyond a limit: ``level`` is ``"warning"`` (beyond 2σ) or ``"action"`` (3σ)."""

    index: int
    value: float
    level: str


def control_limits(values: Sequence[Any], *, method: str = "sd") -> ControlLimits:
    """Limits from a baseline of check-standard results.

    ``method="sd"`` uses their standard deviation; ``"moving_range"`` uses MR̄/1.128, the usual
    estimate for an individuals chart, which a drift in the baseline inflates less.

    >>> limits = control_limits([10.0, 10.2, 9.9, 10.1, 9.8, 10.0])
    >>> round(limits.center, 3), round(limits.upper_action, 3)
    (10.0, 10.424)
    """
    data = _series(values, "baseline value", minimum=2)
    if method == "sd":
        sigma = float(np.std(data, ddof=1))
    elif method == "moving_range":
        sigma = float(np.mean(np.abs(np.diff(data)))) / 1.128
    else:
        raise InputError(f"unknown method {method!r} (known: sd, moving_range)")
    center = float(data.mean())
    return ControlLimits(
        center=center,
        sigma=sigma,
        lower_warning=center - 2 * sigma,
        upper_warning=center + 2 * sigma,
        lower_action=center - 3 * sigma,
        upper_action=center + 3 * sigma,
        n=int(data.size),
    )


def flag_points(values: Sequence[Any], limits: ControlLimits) -> tuple[PointFlag, ...]:
    """The points beyond the warning or action limits, in order.

    >>> limits = control_limits([10.0, 10.2, 9.9, 10.1, 9.8, 10.0])
    >>> flag_points([10.05, 10.35, 9.3], limits)
    (PointFlag(index=1, value=10.35, level='warning'), PointFlag(index=2, value=9.3, level='action'))
    """
    flags = []
    for i, raw in enumerate(values):
        value = _float(raw, f"point {i}")
        if not limits.lower_action <= value <= limits.upper_action:
            flags.append(PointFlag(i, value, "action"))
        elif not limits.lower_warning <= value <= limits.upper_warning:
            flags.append(PointFlag(i, value, "warning"))
    return tuple(flags)
