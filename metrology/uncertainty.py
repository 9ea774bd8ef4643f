"""Evaluation of measurement uncertainty: the GUM law of propagation, with its budget.

The public API of the engine is here:

- :func:`evaluate_gum`: JCGM 100 (GUM) first-order propagation with correlations, effective
  degrees of freedom (Welch–Satterthwaite, truncated as GUM G.6.4 says), coverage factor from
  Student's t and the budget table;
- :func:`evaluate_mc` and :func:`validate`: JCGM 101 Monte Carlo and the validation of the GUM
  interval by it (see :mod:`metrology.montecarlo`);
- :func:`covariance` and :func:`correlation` between two results from the same inputs (GUM H.2).

>>> inputs = [
...     Input("R_s", 100.0021, u=0.0005, dof=50),
...     Input("r", 1.000104, u=0.000002, dist="t", dof=9),
...     Input("dT", 0.0, half_width=0.05, dist="rectangular"),
...     Input("alpha", 0.0039, u=0.0001),
... ]
>>> gum = evaluate_gum("R_s * r * (1 + alpha*dT)", inputs, correlations={("R_s", "r"): 0.2})
>>> round(gum.value, 6), round(gum.u, 6), round(gum.k, 2), round(gum.U, 5)
(100.0125, 0.011274, 1.96, 0.0221)
>>> [(row.name, round(row.contribution, 6), round(row.share, 3)) for row in gum.budget]
[('R_s', 0.0005, 0.002), ('r', 0.0002, 0.0), ('dT', 0.01126, 0.997), ('alpha', 0.0, 0.0)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scipy import special
from uncertainties import correlated_values_norm, ufloat

from metrology import __version__
from metrology.distributions import (
    Correlations,
    Input,
    check_constants,
    check_correlations,
    check_coverage,
    check_inputs,
    correlation_matrix,
    finite_number,
)
from metrology.errors import InputError, ModelError
from metrology.model import compile_model
from metrology.montecarlo import McResult, Validation, evaluate_mc, validate

__all__ = [
    "BudgetRow",
    "GumResult",
    "Input",
    "InputError",
    "McResult",
    "ModelError",
    "Validation",
    "correlation",
    "covariance",
    "coverage_factor",
    "evaluate_gum",
    "evaluate_mc",
    "propagate_with_uncertainties",
    "validate",
]


@dataclass(frozen=True, slots=True)
class BudgetRow:
    """One line of an uncertainty budget.

    ``contribution`` is |c_i|·u(x_i); ``share`` is (c_i·u(x_i))² / u_c², the part of the variance
    this input explains when inputs are independent (with correlations the shares do not add up
    to one: the rest is the correlation terms).
    """

    name: str
    value: float
    u: float
    sensitivity: float
    contribution: float
    dof: float
    share: float
    dist: str


@dataclass(frozen=True)
class GumResult:
    """The result of the law of propagation, with everything needed to recompute it.

    ``dof`` is the effective degrees of freedom truncated to an integer (GUM G.6.4), ``math.inf``
    when infinite; ``dof_welch_satterthwaite`` is the value before truncation. ``U = k·u``
    from the unrounded ``u``: rounding for a certificate is :mod:`metrology.reporting`'s job.
    """

    model: str
    inputs: tuple[Input, ...]
    correlations: tuple[tuple[str, str, float], ...]
    constants: tuple[tuple[str, float], ...]
    coverage: float
    value: float
    u: float
    dof: float
    dof_welch_satterthwaite: float
    k: float
    U: float
    budget: tuple[BudgetRow, ...]
    engine_version: str
    notes: tuple[str, ...] = ()

    @property
    def interval(self) -> tuple[float, float]:
        """The coverage interval y ± U."""
        return (self.value - self.U, self.value + self.U)

    @property
    def sensitivities(self) -> dict[str, float]:
        """Sensitivity coefficients c_i by input name."""
        return {row.name: row.sensitivity for row in self.budget}


def coverage_factor(coverage: float, dof: float = math.inf) -> float:
    """k for a coverage probability: Student's t with ``dof`` degrees, normal when infinite.

    >>> round(coverage_factor(0.95), 4), round(coverage_factor(0.99, 16), 4)
    (1.96, 2.9208)
    """
    coverage = check_coverage(coverage)
    tail = (1.0 + coverage) / 2.0
    if math.isinf(dof):
        return float(special.ndtri(tail))
    return float(special.stdtrit(dof, tail))


def evaluate_gum(
    model: str,
    inputs: Iterable[Input],
    correlations: Correlations = None,
    coverage: float = 0.95,
    *,
    constants: Mapping[str, float] | None = None,
    k: float | None = None,
) -> GumResult:
    """Propagate the input uncertainties through ``model`` by the GUM law (first order).

    ``correlations`` maps pairs of names to r, or lists ``(name, name, r)``; ``constants`` are
    named numbers of the model without uncertainty. ``k`` fixes the coverage factor (say 2,
    as many certificates state) instead of taking it from Student's t at ``coverage``.
    """
    checked = check_inputs(inputs)
    pairs = check_correlations(checked, correlations)
    fixed = check_constants(constants)
    p = check_coverage(coverage)
    names = tuple(inp.name for inp in checked)
    for name, _ in fixed:
        if name in names:
            raise InputError(f"{name!r} is both an input and a constant")
    compiled = compile_model(model, names, dict(fixed))
    value, grads = compiled.gradient([inp.value for inp in checked])
    grads = tuple(c + 0.0 for c in grads)  # no -0.0 in a budget

    terms = [c * inp.standard_uncertainty for c, inp in zip(grads, checked, strict=True)]
    variance = math.fsum(t * t for t in terms)
    if pairs:
        index = {name: i for i, name in enumerate(names)}
        variance += 2.0 * math.fsum(terms[index[a]] * terms[index[b]] * r for a, b, r in pairs)
        variance = max(variance, 0.0)
    u = math.sqrt(variance)

    denominator = math.fsum(t**4 / inp.dof for t, inp in zip(terms, checked, strict=True))
    nu = variance * variance / denominator if denominator > 0.0 else math.inf
    nu_eff = math.inf if math.isinf(nu) else float(max(1, math.floor(nu + 1e-9)))
    if k is None:
        k_p = coverage_factor(p, nu_eff)
    else:
        k_p = finite_number(k, "the coverage factor k")
        if k_p <= 0:
            raise InputError(f"the coverage factor k must be positive, not {k}")

    budget = tuple(
        BudgetRow(
            inp.name,
            inp.value,
            inp.standard_uncertainty,
            c,
            abs(t),
            inp.dof,  # type: ignore[arg-type]
            t * t / variance if variance > 0.0 else 0.0,
            inp.dist,
        )
        for c, t, inp in zip(grads, terms, checked, strict=True)
    )
    return GumResult(
        model=model,
        inputs=checked,
        correlations=pairs,
        constants=fixed,
        coverage=p,
        value=value,
        u=u,
        dof=nu_eff,
        dof_welch_satterthwaite=nu,
        k=k_p,
        U=k_p * u,
        budget=budget,
        engine_version=__version__,
        notes=_notes(checked, pairs, compiled.used, k),
    )


def _notes(
    inputs: Sequence[Input],
    pairs: Sequence[tuple[str, str, float]],
    used: Sequence[int],
    k: float | None,
) -> tuple[str, ...]:
    notes = []
    unused = [inp.name for i, inp in enumerate(inputs) if i not in used]
    if unused:
        notes.append(f"not in the model (sensitivity 0): {', '.join(unused)}")
    finite = {inp.name for inp in inputs if math.isfinite(inp.dof)}  # type: ignore[arg-type]
    if k is None and any(a in finite or b in finite for a, b, _ in pairs):
        notes.append(
            "Welch–Satterthwaite assumes independent inputs; with correlated inputs of finite "
            "dof the effective dof is approximate (GUM H.2 gives no U for that reason)"
        )
    if k is not None:
        notes.append(f"coverage factor fixed at k = {k}; the coverage probability is nominal")
    return tuple(notes)


def covariance(a: GumResult, b: GumResult) -> float:
    """Covariance of two results computed from the same inputs (GUM H.2: R, X and Z).

    >>> xs = [Input("x", 1.0, u=0.1), Input("y", 2.0, u=0.2)]
    >>> s, d = evaluate_gum("x + y", xs), evaluate_gum("x - y", xs)
    >>> round(correlation(s, d), 6)
    -0.6
    """
    if a.inputs != b.inputs or a.correlations != b.correlations:
        raise InputError("a covariance needs two results from the same inputs and correlations")
    names = [inp.name for inp in a.inputs]
    matrix = correlation_matrix(names, a.correlations)
    ta = [row.sensitivity * row.u for row in a.budget]
    tb = [row.sensitivity * row.u for row in b.budget]
    return math.fsum(
        ta[i] * matrix[i, j] * tb[j] for i in range(len(names)) for j in range(len(names))
    )


def correlation(a: GumResult, b: GumResult) -> float:
    """Correlation coefficient of two results computed from the same inputs."""
    if a.u == 0.0 or b.u == 0.0:
        raise InputError("a result without uncertainty has no correlation with another")
    return covariance(a, b) / (a.u * b.u)


def propagate_with_uncertainties(
    model: str,
    inputs: Iterable[Input],
    correlations: Correlations = None,
    *,
    constants: Mapping[str, float] | None = None,
) -> Any:
    """The same model evaluated by the ``uncertainties`` package (first order), to cross-check.

    Returns an ``uncertainties`` number; its ``derivatives`` give the sensitivities.

    >>> y = propagate_with_uncertainties("x * y", [Input("x", 2.0, u=0.1), Input("y", 3.0, u=0.2)])
    >>> round(y.nominal_value, 9), round(y.std_dev, 9)
    (6.0, 0.5)
    """
    checked = check_inputs(inputs)
    pairs = check_correlations(checked, correlations)
    names = tuple(inp.name for inp in checked)
    compiled = compile_model(model, names, dict(check_constants(constants)))
    if pairs:
        values = correlated_values_norm(
            [(inp.value, inp.standard_uncertainty) for inp in checked],
            correlation_matrix(names, pairs),
            tags=list(names),
        )
    else:
        values = [ufloat(inp.value, inp.standard_uncertainty, inp.name) for inp in checked]
    try:
        return compiled.evaluate_ufloats(values)
    except (ArithmeticError, ValueError) as exc:
        raise ModelError(f"the model cannot be evaluated at the estimate: {exc}") from None
