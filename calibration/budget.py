"""A procedure's uncertainty budget template, and the inputs it gives at one point.

The template is a list of components, each a dict with a `name` (a name of the measurement model)
and a `source`:

- `readings`: the mean of the repeated readings; type A, u = s/√n, n − 1 degrees of freedom,
  a scaled and shifted t distribution for Monte Carlo (exactly one);
- `certificate`: the standard's calibrated value; u = U/k from its certificate (exactly one);
- `resolution`: the rounding of the indication; rectangular, half-width = resolution / 2;
- `temperature`, `drift`, `other`: a type B component with estimate 0, a `dist` (normal,
  rectangular, triangular, arcsine) and a `value`: the half-width a, or u for a normal one. With
  `"relative": true` the value is a percentage of the reading, recomputed at each point. A `note`
  says what it is ("bath stability", "drift of the weights between calibrations").

`check_budget` refuses a template the engine could not use, with a message that names the
component; `build_inputs` gives the `metrology.Input` keyword arguments for one point.
"""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrology.errors import InputError, ModelError
from metrology.model import compile_model

SOURCES = ("readings", "certificate", "resolution", "temperature", "drift", "other")
TYPE_B = ("temperature", "drift", "other")
DISTRIBUTIONS = ("normal", "rectangular", "triangular", "arcsine")


def check_budget(model: str, budget) -> None:
    """Refuse a model and budget template that cannot be evaluated, naming what is wrong."""
    errors = []
    if not isinstance(budget, list) or not all(isinstance(c, dict) for c in budget):
        raise ValidationError(_("The budget must be a list of components."))
    names = []
    for index, component in enumerate(budget, start=1):
        name = str(component.get("name", "")).strip()
        source = component.get("source")
        label = name or _("component %(n)d") % {"n": index}
        if not name.isidentifier():
            errors.append(
                _(
                    "Budget component %(n)d: the name “%(name)s” must be a single word of letters, digits and _."
                )
                % {"n": index, "name": name}
            )
        if name in names:
            errors.append(_("Budget: the name %(name)s is used twice.") % {"name": name})
        names.append(name)
        if source not in SOURCES:
            errors.append(
                _("Budget %(name)s: unknown source “%(source)s”.")
                % {"name": label, "source": source}
            )
            continue
        if source in TYPE_B:
            if component.get("dist") not in DISTRIBUTIONS:
                errors.append(
                    _(
                        "Budget %(name)s: choose a distribution (normal, rectangular, triangular, arcsine)."
                    )
                    % {"name": label}
                )
            try:
                value = Decimal(str(component.get("value", "")))
                if not value.is_finite() or value < 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.append(
                    _("Budget %(name)s: the value must be a number of at least zero.")
                    % {"name": label}
                )
    for source in ("readings", "certificate"):
        count = sum(1 for c in budget if c.get("source") == source)
        if count != 1:
            errors.append(
                _("The budget needs exactly one component from %(source)s (it has %(count)d).")
                % {"source": source, "count": count}
            )
    if sum(1 for c in budget if c.get("source") == "resolution") > 1:
        errors.append(_("The budget can have only one component for the resolution."))
    if not errors:
        try:
            compiled = compile_model(model, tuple(names), {})
        except (InputError, ModelError, SyntaxError, ValueError) as error:
            errors.append(_("The measurement model cannot be used: %(error)s") % {"error": error})
        else:
            used = {names[i] for i in compiled.used}
            for component in budget:
                if component["name"] not in used:
                    errors.append(
                        _(
                            "The measurement model must use %(name)s (%(source)s): a component it does not use carries no weight."
                        )
                        % {"name": component["name"], "source": component["source"]}
                    )
    if errors:
        raise ValidationError(errors)


def build_inputs(
    budget: Sequence[dict],
    *,
    mean: float,
    s_mean: float | None,
    dof: int,
    reference_value: float,
    reference_u: float,
    resolution: float,
) -> list[dict]:
    """The keyword arguments of each `metrology.Input` at one point, JSON-ready."""
    specs = []
    for component in budget:
        name, source = component["name"], component["source"]
        if source == "readings":
            # JCGM 101 6.4.9: the mean of n readings is a scaled and shifted t with n − 1 dof;
            # its scale s/√n is the GUM's standard uncertainty (GUM 4.2.3)
            if s_mean:
                spec = {"name": name, "value": mean, "scale": s_mean, "dist": "t", "dof": dof}
            else:
                spec = {"name": name, "value": mean, "u": 0.0}
        elif source == "certificate":
            spec = {"name": name, "value": reference_value, "u": reference_u}
        elif source == "resolution":
            spec = {"name": name, "value": 0.0, "dist": "rectangular", "half_width": resolution / 2}
        else:
            size = float(component["value"])
            if component.get("relative"):
                size = size / 100 * abs(mean)
            dist = component["dist"]
            spec = {"name": name, "value": 0.0, "dist": dist}
            spec["u" if dist == "normal" else "half_width"] = size
        specs.append(spec)
    return specs
