"""The result of one calibration point, computed by `metrology` and stored as plain JSON.

Model of the error of indication at a point (EA-4/02, the scale and thermometer guides alike):

    E = r + δr − x_ref

r      mean of the repeated readings; type A, u = s/√n with n − 1 degrees of freedom
δr     rounding of the indication; type B, rectangular with half-width = resolution / 2
x_ref  the standard's calibrated value; type B, u = U/k from its certificate

The stored result carries the inputs, the model and the engine version, so that a certificate
can be recomputed and compared years later.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

import metrology
from metrology.readings import summarize
from metrology.reporting import report
from metrology.uncertainty import Input, evaluate_gum

MODEL = "r + d_r - x_ref"
COVERAGE = 0.95


def plain(value: Decimal) -> str:
    """A stored decimal without the zeros its database column pads it with: 10.000600000 → 10.0006."""
    return f"{value.normalize():f}"


def point_result(*, readings: Sequence[Decimal], reference, resolution: Decimal) -> dict:
    try:
        return _compute(readings=readings, reference=reference, resolution=resolution)
    except (ValueError, ArithmeticError) as error:  # metrology's InputError and ModelError too
        raise ValidationError(
            _("These readings cannot be computed: %(error)s") % {"error": error}
        ) from error


def _compute(*, readings: Sequence[Decimal], reference, resolution: Decimal) -> dict:
    stats = summarize(readings)
    n = len(readings)
    inputs = [
        Input("r", stats.mean, u=stats.s_mean, dof=stats.dof),
        Input("d_r", 0.0, half_width=float(resolution) / 2, dist="rectangular"),
        Input("x_ref", float(reference.value), u=reference.standard_uncertainty),
    ]
    gum = evaluate_gum(MODEL, inputs, coverage=COVERAGE)
    error = stats.mean_decimal - Decimal(plain(reference.value))
    reported = report(error, gum.U, gum.k, coverage=COVERAGE, unit=reference.unit)
    return {
        "model": MODEL,
        "engine": metrology.__version__,
        "n": n,
        "mean": str(stats.mean_decimal),
        "s": stats.s,
        "reference": plain(reference.value),
        "reference_U": plain(reference.expanded_uncertainty),
        "reference_k": plain(reference.coverage_factor),
        "resolution": plain(resolution),
        "error": str(error),
        "correction": str(-error),
        "u": gum.u,
        "dof": None if gum.dof == float("inf") else gum.dof,
        "k": gum.k,
        "U": gum.U,
        "coverage": COVERAGE,
        "reported_error": str(reported.value),
        "reported_U": str(reported.U),
        "reported_k": str(reported.k),
        "unit": reference.unit,
        "budget": [
            {
                "name": row.name,
                "value": row.value,
                "u": row.u,
                "sensitivity": row.sensitivity,
                "contribution": row.contribution,
                "dof": None if row.dof == float("inf") else row.dof,
                "share": row.share,
            }
            for row in gum.budget
        ],
    }
