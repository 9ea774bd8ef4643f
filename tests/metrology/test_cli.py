"""``python -m metrology budget FILE.json``: a readable table, or one line and exit code 2."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from metrology.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def h1_file(tmp_path, published):
    case = published["cases"]["GUM-H1"]
    inputs = []
    for spec in case["inputs"]:
        item = {"name": spec["name"], "value": spec["value"], "dist": spec["dist"]}
        item["dof"] = spec["dof"]
        if "half_width" in spec:
            item["half_width"] = spec["half_width"]
        else:
            item["u"] = spec["u"]
        inputs.append(item)
    path = tmp_path / "h1.json"
    document = {
        "model": case["model"],
        "inputs": inputs,
        "coverage": 0.99,
        "trials": 20_000,
        "seed": 1,
        "unit": "nm",
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_budget_prints_the_gum_table_and_the_monte_carlo_result(h1_file, capsys):
    assert main(["budget", str(h1_file)]) == 0
    out = capsys.readouterr().out
    assert "d_theta" in out and "27.5 %" in out  # Table H.1: δθ is the second largest term
    assert "ν_eff = 16" in out  # GUM H.1.6
    assert "reported: 50000838 nm ± 92 nm (k = 2.92, p ≈ 99 %)" in out
    assert "Monte Carlo (JCGM 101): 20000 trials (fixed), seed 1" in out
    assert "shortest 99 % interval" in out
    assert "Validation of the GUM interval" in out


def test_budget_without_monte_carlo_and_with_overrides(h1_file, capsys):
    assert main(["budget", str(h1_file), "--no-mc"]) == 0
    assert "Monte Carlo" not in capsys.readouterr().out
    assert main(["budget", str(h1_file), "--trials", "5000", "--seed", "7"]) == 0
    assert "5000 trials (fixed), seed 7" in capsys.readouterr().out


def test_adaptive_trials_when_the_file_says_null(tmp_path, capsys):
    path = tmp_path / "sum.json"
    inputs = [{"name": f"X{i}", "value": 0, "u": 1} for i in range(4)]
    document = {"model": "X0 + X1 + X2 + X3", "inputs": inputs, "trials": None, "seed": 3}
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["budget", str(path)]) == 0
    assert "(adaptive, ndig = 2)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"model": "x", "inputs": [', "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ('{"inputs": [{"name": "x", "value": 1, "u": 0.1}]}', "'model' is missing"),
        ('{"model": "x", "inputs": []}', "non-empty list"),
        ('{"model": "x", "inputs": [{"name": "x", "value": 1, "sigma": 1}]}', "unknown field"),
        ('{"model": "x", "inputs": [{"value": 1, "u": 1}]}', "'name' and 'value' are required"),
        ('{"model": "x +", "inputs": [{"name": "x", "value": 1, "u": 0.1}]}', "cannot read"),
        ('{"model": "y", "inputs": [{"name": "x", "value": 1, "u": 0.1}]}', "not an input"),
        ('{"model": "x", "inputs": [{"name": "x", "value": 1, "u": -1}]}', "not be negative"),
        ('{"model": "__import__(\'os\')", "inputs": [{"name": "x", "value": 1, "u": 1}]}', "not a"),
        ('{"model": "x", "inputs": [{"name": "x", "value": 1, "u": 1}], "trials": "x"}', "trials"),
        ('{"model": "x", "inputs": [{"name": "x", "value": 1, "u": 1}], "extra": 1}', "unknown"),
        ('{"model": "x", "inputs": [3]}', "must be an object"),
        ('{"model": "x", "inputs": [{"name": "x", "value": 1, "u": 1}], "constants": []}', "name:"),
    ],
)
def test_a_bad_file_gives_one_line_and_exit_code_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert main(["budget", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert message in captured.err


def test_a_missing_file_gives_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["budget", str(tmp_path / "nowhere.json")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot read")


def test_it_runs_as_a_module_without_a_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"model": "x / 0", "inputs": [{"name": "x", "value": 1, "u": 1}]}')
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "metrology", "budget", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "divides by zero" in done.stderr
