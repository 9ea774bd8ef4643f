"""Command line: ``python -m metrology budget FILE.json`` prints a GUM budget and Monte Carlo.

The file holds one model::

    {"model": "R_s * r * (1 + alpha*dT)",
     "inputs": [{"name": "R_s", "value": 100.0021, "u": 0.0005, "dof": 50},
                {"name": "dT", "value": 0, "half_width": 0.05, "dist": "rectangular"}],
     "correlations": [["R_s", "r", 0.2]], "coverage": 0.95, "trials": 1000000, "seed": 1,
     "constants": {"m_nom": 100000}, "unit": "Ω"}

``trials`` defaults to 10⁶; ``null`` asks for the adaptive procedure of JCGM 101 7.9. Without a
``seed`` one is drawn and printed, so that the run can be repeated. A file that cannot be used
gives one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from metrology import __version__
from metrology.reporting import report
from metrology.uncertainty import (
    GumResult,
    Input,
    McResult,
    evaluate_gum,
    evaluate_mc,
    validate,
)

INPUT_FIELDS = {"name", "value", "u", "half_width", "scale", "limit_half_width", "dist", "dof"}
FILE_FIELDS = {"model", "inputs", "correlations", "coverage", "trials", "seed", "constants", "unit"}
DEFAULT_TRIALS = 1_000_000


def _spec(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        try:
            spec = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(spec, dict):
        raise ValueError("the file must hold one JSON object with 'model' and 'inputs'")
    unknown = set(spec) - FILE_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    for field in ("model", "inputs"):
        if field not in spec:
            raise ValueError(f"the field {field!r} is missing")
    if not isinstance(spec["inputs"], list) or not spec["inputs"]:
        raise ValueError("'inputs' must be a non-empty list of objects")
    for name in ("correlations",):
        if not isinstance(spec.get(name, []), list):
            raise ValueError(f"{name!r} must be a list of [name, name, r]")
    if not isinstance(spec.get("constants", {}), dict):
        raise ValueError("'constants' must be an object of name: number")
    return spec


def _inputs(items: list[Any]) -> list[Input]:
    inputs = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"input {i} must be an object with name, value and u or half_width")
        unknown = set(item) - INPUT_FIELDS
        if unknown:
            raise ValueError(f"input {i}: unknown field(s) {', '.join(sorted(unknown))}")
        if "name" not in item or "value" not in item:
            raise ValueError(f"input {i}: 'name' and 'value' are required")
        fields = {key: value for key, value in item.items() if key not in ("name", "value")}
        inputs.append(Input(item["name"], item["value"], **fields))
    return inputs


def _places(u: float) -> int:
    """Decimal places that show ``u`` with three significant digits."""
    if u <= 0 or not math.isfinite(u):
        return 6
    return max(0, 2 - math.floor(math.log10(u)))


def _number(x: float, u: float) -> str:
    places = _places(u)
    if abs(x) >= 1e15 or places > 12:
        return f"{x:.4g}" if abs(x) < 1e-3 or abs(x) >= 1e15 else f"{x:.{places}f}"
    return f"{x:.{places}f}"


def _short(x: float) -> str:
    return f"{x:.4e}" if x != 0 and not 1e-3 <= abs(x) < 1e5 else f"{x:.4g}"


def _dof(nu: float) -> str:
    return "∞" if math.isinf(nu) else f"{nu:g}"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def render_gum(gum: GumResult, unit: str = "") -> str:
    rows = [
        ["quantity", "estimate", "u(x_i)", "distribution", "dof", "c_i", "|c_i|·u(x_i)", "share"]
    ]
    for row in gum.budget:
        rows.append(
            [
                row.name,
                _number(row.value, row.u),
                f"{row.u:.3g}",
                row.dist,
                _dof(row.dof),
                _short(row.sensitivity),
                f"{row.contribution:.3g}",
                f"{100 * row.share:.1f} %",
            ]
        )
    suffix = f" {unit}" if unit else ""
    p = f"{100 * gum.coverage:g} %"
    lines = [
        _table(rows),
        "",
        "GUM (law of propagation of uncertainty, first order):",
        f"  y = {_number(gum.value, gum.u)}{suffix}   u(y) = {gum.u:.3g}{suffix}",
        f"  ν_eff = {_dof(gum.dof)} (Welch–Satterthwaite {gum.dof_welch_satterthwaite:.4g})"
        f"   k = {gum.k:.3f}   U = {gum.U:.3g}{suffix}   (p = {p})",
        f"  interval [{_number(gum.interval[0], gum.u)}, {_number(gum.interval[1], gum.u)}]",
    ]
    if gum.U > 0:
        reported = report(gum.value, gum.U, gum.k, coverage=gum.coverage, unit=unit)
        lines.append(f"  reported: {reported.text('en')}")
    lines += [f"  note: {note}" for note in gum.notes]
    return "\n".join(lines)


def render_mc(mc: McResult, gum: GumResult, unit: str = "") -> str:
    suffix = f" {unit}" if unit else ""
    p = f"{100 * mc.coverage:g} %"
    how = f"adaptive, ndig = {mc.ndig}" if mc.adaptive else "fixed"
    check = validate(gum, mc)
    verdict = "validated" if check.validated else "NOT validated"
    lines = [
        f"Monte Carlo (JCGM 101): {mc.trials} trials ({how}), seed {mc.seed}:",
        f"  y = {_number(mc.value, mc.u)}{suffix}   u(y) = {mc.u:.3g}{suffix}",
        f"  probabilistically symmetric {p} interval [{_number(mc.low, mc.u)}, "
        f"{_number(mc.high, mc.u)}]",
        f"  shortest {p} interval [{_number(mc.shortest[0], mc.u)}, "
        f"{_number(mc.shortest[1], mc.u)}]",
        f"Validation of the GUM interval (JCGM 101 clause 8, ndig = {check.ndig}): {verdict}",
        f"  d_low = {check.d_low:.3g}   d_high = {check.d_high:.3g}   δ = {check.tolerance:.3g}",
    ]
    lines += [f"  note: {note}" for note in mc.notes]
    return "\n".join(lines)


def budget(
    path: str, *, trials: int | None = None, seed: int | None = None, mc: bool = True
) -> str:
    spec = _spec(path)
    inputs = _inputs(spec["inputs"])
    correlations = spec.get("correlations") or None
    coverage = spec.get("coverage", 0.95)
    constants = spec.get("constants") or None
    unit = str(spec.get("unit", ""))
    gum = evaluate_gum(spec["model"], inputs, correlations, coverage, constants=constants)
    parts = [f"Model: {spec['model']}   (metrology {__version__})", "", render_gum(gum, unit)]
    if mc:
        n = trials if trials is not None else spec.get("trials", DEFAULT_TRIALS)
        result = evaluate_mc(
            spec["model"],
            inputs,
            correlations,
            coverage,
            trials=n,
            seed=seed if seed is not None else spec.get("seed"),
            constants=constants,
        )
        parts += ["", render_mc(result, gum, unit)]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m metrology", description="Uncertainty budgets from the command line."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "budget", help="print the GUM budget and the Monte Carlo result of a model in JSON"
    )
    command.add_argument("file", help="JSON file with model, inputs, correlations, coverage...")
    command.add_argument("--trials", type=int, help="Monte Carlo trials (overrides the file)")
    command.add_argument("--seed", type=int, help="Monte Carlo seed (overrides the file)")
    command.add_argument("--no-mc", action="store_true", help="print the GUM budget only")
    args = parser.parse_args(argv)
    try:
        print(budget(args.file, trials=args.trials, seed=args.seed, mc=not args.no_mc))
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
