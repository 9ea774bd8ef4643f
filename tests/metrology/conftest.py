"""Published examples for the metrology tests, read from tests/data/uncertainty (with sources)."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# pytest-django puts the project root on sys.path; with ``-p no:django`` nothing does.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from metrology.uncertainty import Input  # noqa: E402

DATA = ROOT / "tests" / "data" / "uncertainty" / "published-examples.json"


@pytest.fixture(scope="session")
def published():
    """The whole reference file: ``published["cases"]["GUM-H1"]`` and the other sections."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["cases"] = {case["id"]: case for case in data["cases"]}
    return data


def inputs_of(case, *, mc=False):
    """Inputs of a published case; for Monte Carlo a t input keeps its JCGM 101 ``scale``."""
    inputs = []
    for spec in case["inputs"]:
        kwargs = {"dist": spec["dist"], "dof": spec.get("dof")}
        if spec["dist"] == "curvilinear_trapezoid":
            kwargs.update(half_width=spec["half_width"], limit_half_width=spec["d"])
        elif "half_width" in spec:
            kwargs["half_width"] = spec["half_width"]
        elif mc and "scale" in spec:
            kwargs["scale"] = spec["scale"]
        else:
            kwargs["u"] = spec["u"]
        inputs.append(Input(spec["name"], spec["value"], **kwargs))
    return inputs


@pytest.fixture(scope="session")
def make_inputs():
    return inputs_of
