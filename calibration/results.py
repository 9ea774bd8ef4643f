"""The result of one calibration point, computed by `metrology` and stored as plain JSON.

The procedure gives the measurement model of the error of indication and its budget template
(see `calibration.budget`); the default is the model of EA-4/02 and of the scale and thermometer
guides alike:

    E = r + δr − x_ref

r      mean of the repeated readings; type A, u = s/√n with n − 1 degrees of freedom
δr     rounding of the indication; type B, rectangular with half-width = resolution / 2
x_ref  the standard's calibrated value; type B, u = U/k from its certificate

Each point gets the GUM budget (and, where the procedure says the model is not linear enough, a
Monte Carlo evaluation with a fixed, stored seed and the JCGM 101 validation of the GUM interval),
the lab's CMC as a floor for the reported U, ILAC P14 rounding, and the verdict by the procedure's
decision rule against the range's tolerance. The stored result carries the inputs exactly as they
went into the engine, the model, the engine version and the seed, so that `recompute` can
evaluate it again years later and say whether it still gives the same figures.
"""

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

import metrology
from calibration.budget import build_inputs
from metrology.conformity import decide
from metrology.readings import summarize
from metrology.reporting import report
from metrology.uncertainty import Input, evaluate_gum, evaluate_mc, validate

COVERAGE = 0.95


def plain(value: Decimal) -> str:
    """A stored decimal without the zeros its database column pads it with: 10.000600000 → 10.0006."""
    return f"{Decimal(value).normalize():f}"


def _none_if_inf(x: float) -> float | None:
    return None if x == float("inf") else x


@dataclass(frozen=True)
class Method:
    """What a procedure says about computing a point (a snapshot: stored with every result)."""

    model: str
    budget: Sequence[dict]
    monte_carlo: bool = False
    decision_rule: str = "simple"

    @classmethod
    def of(cls, procedure) -> "Method":
        return cls(
            model=procedure.model,
            budget=procedure.budget,
            monte_carlo=procedure.monte_carlo,
            decision_rule=procedure.decision_rule,
        )


def scope_line(lines: Iterable, *, procedure_code: str, unit: str, value: Decimal):
    """The line of the lab's scope that covers `value`, or None: the result is outside the scope."""
    for line in lines:
        if (
            line.procedure_code == procedure_code
            and line.unit == unit
            and line.minimum <= value <= line.maximum
        ):
            return line
    return None


def point_result(
    *,
    readings: Sequence[Decimal],
    reference,
    resolution: Decimal,
    method: Method | None = None,
    tolerance: Decimal | None = None,
    scope=None,
) -> dict:
    """Compute one point; `scope` is the scope line covering it (None: outside the scope)."""
    try:
        return _compute(
            readings=readings,
            reference=reference,
            resolution=resolution,
            method=method or Method(model="r + d_r - x_ref", budget=_default_budget()),
            tolerance=tolerance,
            scope=scope,
        )
    except (ValueError, ArithmeticError) as error:  # metrology's InputError and ModelError too
        raise ValidationError(
            _("These readings cannot be computed: %(error)s") % {"error": error}
        ) from error


def _default_budget() -> list[dict]:
    from calibration.models import default_budget

    return default_budget()


def _compute(*, readings, reference, resolution, method, tolerance, scope) -> dict:
    stats = summarize(readings)
    nominal = Decimal(plain(reference.nominal))
    specs = build_inputs(
        method.budget,
        mean=stats.mean,
        s_mean=stats.s_mean,
        dof=stats.dof,
        reference_value=float(reference.value),
        reference_u=reference.standard_uncertainty,
        resolution=float(resolution),
    )
    result = {
        "model": method.model,
        "engine": metrology.__version__,
        "method": "gum+mc" if method.monte_carlo else "gum",
        "inputs": specs,
        "n": len(readings),
        "mean": str(stats.mean_decimal),
        "s": stats.s,
        "nominal": plain(nominal),
        "reference": plain(reference.value),
        "reference_U": plain(reference.expanded_uncertainty),
        "reference_k": plain(reference.coverage_factor),
        "resolution": plain(resolution),
        "unit": reference.unit,
        "coverage": COVERAGE,
    }
    result.update(evaluate(method.model, specs, monte_carlo=method.monte_carlo))
    error = Decimal(format(result["value"], ".12g"))
    result["error"] = str(error)
    result["correction"] = str(-error)

    cmc = scope.cmc_at(nominal) if scope is not None else None
    reported = report(
        error,
        result["U"],
        result["k"],
        coverage=COVERAGE,
        unit=reference.unit,
        cmc=cmc if cmc else None,
    )
    result.update(
        {
            "cmc": plain(cmc) if cmc else None,
            "in_scope": scope is not None and scope.accredited,
            "reported_error": str(reported.value),
            "reported_correction": str(-reported.value),
            "reported_U": str(reported.U),
            "reported_k": str(reported.k),
            "cmc_applied": reported.cmc_applied,
        }
    )
    result.update(verdict(error, reported, tolerance, method.decision_rule))
    return result


def evaluate(model: str, specs: Sequence[dict], *, monte_carlo: bool, seed: int | None = None):
    """The GUM (and Monte Carlo) evaluation of stored input specs; the part `recompute` repeats."""
    inputs = [Input(**spec) for spec in specs]
    gum = evaluate_gum(model, inputs, coverage=COVERAGE)
    out = {
        "value": gum.value,
        "u": gum.u,
        "dof": _none_if_inf(gum.dof),
        "k": gum.k,
        "U": gum.U,
        "budget": [
            {
                "name": row.name,
                "value": row.value,
                "u": row.u,
                "sensitivity": row.sensitivity,
                "contribution": row.contribution,
                "dof": _none_if_inf(row.dof),
                "share": row.share,
                "dist": row.dist,
            }
            for row in gum.budget
        ],
    }
    if monte_carlo:
        if seed is None:  # reproducible from the inputs alone, and stored
            seed = zlib.crc32(json.dumps([model, list(specs)], sort_keys=True).encode())
        # adaptive (JCGM 101 7.9): stable to two significant digits of u, as the validation needs
        mc = evaluate_mc(model, inputs, coverage=COVERAGE, seed=seed)
        check = validate(gum, mc)
        out["mc"] = {
            "seed": seed,
            "trials": mc.trials,
            "value": mc.value,
            "u": mc.u,
            "low": mc.low,
            "high": mc.high,
            "validated": check.validated,
            "d_low": check.d_low,
            "d_high": check.d_high,
            "tolerance": check.tolerance,
        }
        if not check.validated:  # JCGM 101 8.1: report the Monte Carlo interval
            half = max(mc.high - gum.value, gum.value - mc.low)
            out["U"] = half
            out["k"] = half / mc.u if mc.u > 0 else gum.k
    return out


def verdict(error: Decimal, reported, tolerance: Decimal | None, rule: str) -> dict:
    """The statement of conformity of an error ± the reported U against ± tolerance, by `rule`."""
    if tolerance is None or rule == "none":
        return {"tolerance": None if tolerance is None else plain(tolerance), "decision": None}
    v = decide(error, reported.U, -tolerance, tolerance, rule=rule, k=reported.k)
    return {
        "tolerance": plain(tolerance),
        "rule": rule,
        "decision": v.decision,
        "passed": v.passed,
        "probability_of_conformance": v.probability_of_conformance,
        "statement_vi": v.statement("vi"),
        "statement_en": v.statement("en"),
    }


def recompute(result: dict) -> dict:
    """Evaluate a stored result again from its own inputs, model and seed.

    Returns the figures that matter and whether each is the same as stored (to 1e-12 relative),
    so a certificate can be checked against today's engine years after it was issued.
    """
    again = evaluate(
        result["model"],
        result["inputs"],
        monte_carlo="mc" in result,
        seed=result.get("mc", {}).get("seed"),
    )
    compared = {}
    for key in ("value", "u", "k", "U"):
        stored, now = result.get(key), again[key]
        same = stored is not None and abs(now - stored) <= 1e-12 * max(1.0, abs(stored))
        compared[key] = {"stored": stored, "now": now, "same": same}
    return {
        "engine_then": result.get("engine"),
        "engine_now": metrology.__version__,
        "figures": compared,
        "same": all(c["same"] for c in compared.values()),
    }
