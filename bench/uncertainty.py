"""Benchmark of the uncertainty engine against GTC, suncal and plain numpy, on the same models.

Run by hand (the peers are the ``bench`` extra: ``.venv/bin/pip install suncal==1.7.1 GTC==1.5.1``)::

    .venv/bin/python bench/uncertainty.py            # everything, about a minute
    .venv/bin/python bench/uncertainty.py --quick    # fewer repeats, no 10^7 runs

It prints times (best of several repeats, so that other load on the machine counts least),
ratios, peak memory measured with tracemalloc in separate runs, and the figures each engine
computes, so a fast but wrong answer shows. Nothing here asserts a time.

Targets: Monte Carlo within 1.2× of plain numpy and at least 2× faster than suncal on GUM H.1;
10^7 trials with under 50 MiB extra memory; a ten-input GUM budget under 0.2 ms.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metrology import model as model_module  # noqa: E402
from metrology.uncertainty import (  # noqa: E402
    Input,
    evaluate_gum,
    evaluate_mc,
    propagate_with_uncertainties,
)

H1_MODEL = "l_s + (d0 + d1 + d2) - l_s*(d_alpha*(theta_bar + Delta) + alpha_s*d_theta)"
H1_INPUTS = [
    Input("l_s", 50000623.0, u=25.0, dof=18),
    Input("d0", 215.0, u=5.8, dof=24),
    Input("d1", 0.0, u=3.9, dof=5),
    Input("d2", 0.0, u=6.7, dof=8),
    Input("alpha_s", 11.5e-6, half_width=2e-6, dist="rectangular"),
    Input("theta_bar", -0.1, u=0.2),
    Input("Delta", 0.0, half_width=0.5, dist="arcsine"),
    Input("d_alpha", 0.0, half_width=1e-6, dist="rectangular", dof=50),
    Input("d_theta", 0.0, half_width=0.05, dist="rectangular", dof=2),
]

# A ten-input weighing budget: reference mass, its drift, balance effects, air buoyancy.
TEN_MODEL = (
    "(m_R + dm_R + drift + ecc + res + rep) * (1 + (rho_a - 1.2) * (1/rho_T - 1/rho_R)) * k_c"
)
TEN_INPUTS = [
    Input("m_R", 1000.0, u=0.0005, dof=60),
    Input("dm_R", 0.0012, u=0.0003, dof=30),
    Input("drift", 0.0, half_width=0.0004, dist="rectangular"),
    Input("ecc", 0.0, half_width=0.0002, dist="triangular"),
    Input("res", 0.0, half_width=0.00005, dist="rectangular"),
    Input("rep", 0.0, u=0.00021, dist="t", dof=9),
    Input("rho_a", 1.18, half_width=0.03, dist="rectangular"),
    Input("rho_T", 7950.0, half_width=70.0, dist="rectangular"),
    Input("rho_R", 8000.0, u=30.0, dof=50),
    Input("k_c", 1.0, half_width=2e-7, dist="arcsine"),
]

SUNCAL_DIST = {"rectangular": "uniform", "triangular": "triangular", "arcsine": "arcsine"}


def best_of(fn: Callable[[], object], repeat: int, number: int = 1) -> float:
    """Best time in seconds of one call, over ``repeat`` rounds of ``number`` calls."""
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def peak_mib(fn: Callable[[], object]) -> float:
    """Peak memory allocated while ``fn`` runs (numpy allocations included), in MiB."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.3f} s "


def row(label: str, seconds: float, reference: float | None = None, extra: str = "") -> None:
    ratio = f"{seconds / reference:7.2f}×" if reference else " " * 8
    print(f"  {label:<52} {fmt_time(seconds)}  {ratio}  {extra}")


def cold_gum(model: str, inputs: list[Input]) -> object:
    model_module._parse_cached.cache_clear()
    model_module._compile_cached.cache_clear()
    return evaluate_gum(model, inputs)


# --- peers -------------------------------------------------------------------------------------


def gtc_budget(model: str, inputs: list[Input], full: bool) -> tuple[float, float]:
    from GTC import dof, reporting, uncertainty, ureal
    from GTC import sqrt as gsqrt  # noqa: F401 - the models here need no functions

    xs = {
        inp.name: ureal(inp.value, inp.standard_uncertainty, inp.dof, label=inp.name)
        for inp in inputs
    }
    y = eval(model, {"__builtins__": {}}, xs)  # noqa: S307 - our own constant model text
    if full:
        list(reporting.budget(y, trim=0))
    return uncertainty(y), dof(y)


def suncal_model(model: str, inputs: list[Input]):
    import suncal

    m = suncal.Model(f"y = {model}")
    for inp in inputs:
        df = {} if math.isinf(inp.dof) else {"df": inp.dof}
        variable = m.var(inp.name).measure(inp.value)
        if inp.dist in ("normal", "t"):  # a t input is given to suncal as normal with df = ν
            variable.typeb(dist="normal", std=inp.standard_uncertainty, **df)
        else:
            variable.typeb(dist=SUNCAL_DIST[inp.dist], a=inp.half_width, **df)
    return m


def numpy_h1_draws(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    l_s = 50000623.0 + 25.0 * rng.standard_normal(n)
    d0 = 215.0 + 5.8 * rng.standard_normal(n)
    d1 = 3.9 * rng.standard_normal(n)
    d2 = 6.7 * rng.standard_normal(n)
    alpha_s = rng.uniform(9.5e-6, 13.5e-6, n)
    theta_bar = -0.1 + 0.2 * rng.standard_normal(n)
    delta = 0.5 * np.sin(2 * np.pi * rng.random(n))
    d_alpha = rng.uniform(-1e-6, 1e-6, n)
    d_theta = rng.uniform(-0.05, 0.05, n)
    return l_s + (d0 + d1 + d2) - l_s * (d_alpha * (theta_bar + delta) + alpha_s * d_theta)


def numpy_h1_moments(n: int, seed: int) -> tuple[float, float]:
    """The floor: draws, model, mean and sd, no interval at all."""
    y = numpy_h1_draws(n, seed)
    return float(y.mean()), float(y.std(ddof=1))


def numpy_h1(n: int, seed: int, coverage: float) -> tuple[float, float, float, float, tuple]:
    """What one would write by hand: draw everything at once, evaluate, sort."""
    y = numpy_h1_draws(n, seed)
    y.sort()
    q = int(coverage * n + 0.5)
    r = (n - q) // 2 if (n - q) % 2 == 0 else (n - q + 1) // 2
    widths = y[q:] - y[: n - q]
    best = int(np.argmin(widths))
    return (
        float(y.mean()),
        float(y.std(ddof=1)),
        float(y[r - 1]),
        float(y[r + q - 1]),
        (
            float(y[best]),
            float(y[best + q]),
        ),
    )


# --- sections ----------------------------------------------------------------------------------


def gum_section(repeat: int) -> None:
    print("GUM law of propagation (one evaluation with its budget; best of repeats)")
    for title, model, inputs in (
        ("GUM H.1 end gauge, 9 inputs", H1_MODEL, H1_INPUTS),
        ("ten-input weighing budget", TEN_MODEL, TEN_INPUTS),
    ):
        ours = evaluate_gum(model, inputs)
        warm = best_of(lambda m=model, i=inputs: evaluate_gum(m, i), repeat, 2000)
        cold = best_of(lambda m=model, i=inputs: cold_gum(m, i), repeat, 50)
        unc = best_of(lambda m=model, i=inputs: propagate_with_uncertainties(m, i), repeat, 200)
        y = propagate_with_uncertainties(model, inputs)
        u_gtc, nu_gtc = gtc_budget(model, inputs, full=True)
        gtc_u = best_of(lambda m=model, i=inputs: gtc_budget(m, i, False), repeat, 200)
        gtc_full = best_of(lambda m=model, i=inputs: gtc_budget(m, i, True), repeat, 200)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sun = suncal_model(model, inputs)
            sun_result = sun.calculate_gum()
            sun_t = best_of(lambda s=sun: s.calculate_gum(), max(2, repeat // 2), 3)
        u_sun = float(sun_result.uncertainty["y"])
        nu_sun = float(sun_result.degf["y"])
        print(f"- {title}")
        print(
            f"  u(y): ours {ours.u:.6g}  uncertainties {y.std_dev:.6g}  GTC {u_gtc:.6g}  "
            f"suncal {u_sun:.6g}"
        )
        print(
            f"  ν_eff: ours {ours.dof_welch_satterthwaite:.4f}  GTC {nu_gtc:.4f}  "
            f"suncal {nu_sun:.4f}"
        )
        row("metrology evaluate_gum, model seen before (compiled)", warm, None, "(reference)")
        row("metrology evaluate_gum, new model (parse, no compile)", cold, warm)
        row("uncertainties package, u only", unc, warm)
        row("GTC 1.5.1, u and dof", gtc_u, warm)
        row("GTC 1.5.1, u, dof and budget", gtc_full, warm)
        row("suncal 1.7.1 calculate_gum (sympy)", sun_t, warm)
    print()


def mc_section(repeat: int, big: bool) -> None:
    print("Monte Carlo on GUM H.1, 10^6 trials, p = 0.99 (best of repeats)")
    n = 1_000_000
    ours = evaluate_mc(H1_MODEL, H1_INPUTS, coverage=0.99, trials=n, seed=1)
    mean, sd, low, high, shortest = numpy_h1(n, 1, 0.99)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sun = suncal_model(H1_MODEL, H1_INPUTS)
        np.random.seed(1)
        sun_mc = sun.monte_carlo(samples=n)
        sun_interval = sun_mc.expand(conf=0.99)

        def run_suncal() -> None:
            result = sun.monte_carlo(samples=n)
            result.expand(conf=0.99)
            result.expand(conf=0.99, shortest=True)

        t_ours = best_of(
            lambda: evaluate_mc(H1_MODEL, H1_INPUTS, coverage=0.99, trials=n, seed=1), repeat
        )
        t_numpy = best_of(lambda: numpy_h1(n, 1, 0.99), repeat)
        t_floor = best_of(lambda: numpy_h1_moments(n, 1), repeat)
        t_sun = best_of(run_suncal, max(2, repeat // 2))
    print(f"  u(y): ours {ours.u:.4f}  numpy {sd:.4f}  suncal {float(sun_mc.uncertainty['y']):.4f}")
    print(
        f"  99 % interval − 50 mm: ours [{ours.low - 5e7:.2f}, {ours.high - 5e7:.2f}]  "
        f"numpy [{low - 5e7:.2f}, {high - 5e7:.2f}]  "
        f"suncal [{sun_interval.low - 5e7:.2f}, {sun_interval.high - 5e7:.2f}]"
    )
    row("plain numpy (all at once, full sort)", t_numpy, None, "(reference)")
    row("plain numpy, mean and sd only (no interval)", t_floor, t_numpy)
    row("metrology evaluate_mc (blocks, tails only)", t_ours, t_numpy)
    row("suncal 1.7.1 monte_carlo + intervals", t_sun, t_numpy)
    print(
        f"  metrology is {t_sun / t_ours:.1f}× faster than suncal and takes "
        f"{t_ours / t_numpy:.2f}× the time of plain numpy ({t_ours / t_floor:.2f}× its floor)"
    )
    print()

    print("Peak memory (tracemalloc, numpy allocations included)")
    runs: list[tuple[str, Callable[[], object]]] = [
        ("plain numpy 10^6", lambda: numpy_h1(n, 1, 0.99)),
        ("metrology 10^6, p = 0.99", lambda: evaluate_mc(H1_MODEL, H1_INPUTS, 0, 0.99, n, 1)),
        ("metrology 10^6, p = 0.95", lambda: evaluate_mc(H1_MODEL, H1_INPUTS, 0, 0.95, n, 1)),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runs.append(("suncal 10^6", run_suncal))
    if big:
        for p in (0.99, 0.95):
            runs.append(
                (
                    f"metrology 10^7, p = {p}",
                    lambda p=p: evaluate_mc(H1_MODEL, H1_INPUTS, 0, p, 10 * n, 1),
                )
            )
    for label, fn in runs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            peak = peak_mib(fn)
            seconds = time.perf_counter() - start
        print(f"  {label:<30} {peak:8.1f} MiB   ({seconds:.2f} s under tracemalloc)")
    if big:
        t_big = best_of(lambda: evaluate_mc(H1_MODEL, H1_INPUTS, 0, 0.99, 10 * n, 1), 2)
        print(f"  metrology 10^7 trials, p = 0.99, without tracemalloc: {t_big:.2f} s")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 10^7 runs")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}\n")
    gum_section(repeat)
    mc_section(repeat, big=not args.quick)


if __name__ == "__main__":
    main()
