"""Propagation of distributions by Monte Carlo (JCGM 101:2008), and validation of the GUM by it.

Design choices, each for a reason a laboratory cares about:

- **Reproducible.** Every input draws from its own numpy ``Generator`` seeded from
  ``(seed, input name)``, so a result depends on the seed, the inputs and the engine version,
  not on the order the inputs are listed in nor on the block size. The seed is stored in the
  result; with no seed a fresh one is drawn from the operating system and stored too. The bit
  generator is SFC64, numpy's fastest of good statistical quality (it passes PractRand and
  BigCrush, as JCGM 101 C.3 asks of a generator); sampling is most of the time of a run.
- **Memory bounded.** Trials are drawn and evaluated in blocks. Mean and variance are
  accumulated per block; of the values themselves only the two tails that can hold an
  end-point of a 100p % interval are kept (about 2(1 − p)M values), which is all the
  probabilistically symmetric and the shortest interval need (JCGM 101 7.7). 10⁷ trials at
  p = 0.95 keep about 10⁶ values, not 10⁷.
- **Adaptive** (JCGM 101 7.9): with ``trials=None`` runs of M = max(100/(1 − p), 10⁴) are added
  until twice the standard deviation of the run averages of y, u(y) and both end-points of the
  probabilistically symmetric interval is within the numerical tolerance δ of u(y) for ``ndig``
  significant digits; the results then come from all the values.

Correlated inputs must be normal: they are drawn together through the Cholesky factor of
their correlation matrix (JCGM 101 6.4.8).

>>> from metrology.uncertainty import Input
>>> xs = [Input(f"X{i}", 0.0, u=1.0) for i in range(1, 5)]
>>> mc = evaluate_mc("X1 + X2 + X3 + X4", xs, trials=200_000, seed=1)
>>> round(mc.u, 1), round(mc.low, 1), round(mc.high, 1)  # JCGM 101 9.2.2: 2.0, ±3.92
(2.0, -3.9, 3.9)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from metrology import __version__
from metrology.distributions import (
    Correlations,
    Input,
    check_constants,
    check_correlations,
    check_coverage,
    check_inputs,
    correlation_matrix,
)
from metrology.errors import InputError, ModelError
from metrology.model import CompiledModel, compile_model

if TYPE_CHECKING:
    from metrology.uncertainty import GumResult

BLOCK_SIZE = 65_536
MAX_ADAPTIVE_TRIALS = 10_000_000


@dataclass(frozen=True)
class McResult:
    """The result of a Monte Carlo propagation, with what is needed to reproduce it.

    ``value`` and ``u`` are the mean and standard deviation of the model values; ``low`` and
    ``high`` bound the probabilistically symmetric interval, ``shortest`` is the shortest one.
    """

    model: str
    inputs: tuple[Input, ...]
    correlations: tuple[tuple[str, str, float], ...]
    constants: tuple[tuple[str, float], ...]
    coverage: float
    value: float
    u: float
    low: float
    high: float
    shortest: tuple[float, float]
    trials: int
    seed: int
    adaptive: bool
    ndig: int | None
    converged: bool
    engine_version: str
    numpy_version: str
    notes: tuple[str, ...] = ()

    @property
    def symmetric(self) -> tuple[float, float]:
        return (self.low, self.high)


@dataclass(frozen=True)
class Validation:
    """JCGM 101 clause 8: is the GUM interval validated by the Monte Carlo one?"""

    validated: bool
    d_low: float
    d_high: float
    tolerance: float
    ndig: int
    interval: str
    gum_interval: tuple[float, float]
    mc_interval: tuple[float, float]


def numerical_tolerance(u: float, ndig: int = 2) -> float:
    """δ of JCGM 101 7.9.2: write u as c·10^l with c of ``ndig`` digits; δ = ½·10^l.

    >>> numerical_tolerance(0.0137), numerical_tolerance(32.0, 1)  # JCGM 101 7.9.2 example
    (0.0005, 5.0)
    """
    if not (isinstance(ndig, int) and ndig >= 1):
        raise InputError(f"ndig must be a whole number of at least 1, not {ndig!r}")
    if u <= 0 or not math.isfinite(u):
        return 0.0
    return 0.5 * 10.0 ** (math.floor(math.log10(u)) - ndig + 1)


def coverage_indices(trials: int, coverage: float) -> tuple[int, int]:
    """(q, r) of JCGM 101 7.7: the interval holds q values and starts at order statistic r."""
    pm = coverage * trials
    q = round(pm) if abs(pm - round(pm)) < 1e-9 * trials else int(pm + 0.5)
    rest = trials - q
    r = rest // 2 if rest % 2 == 0 else (rest + 1) // 2
    return q, max(r, 1)


class _Sampler:
    """Draws blocks of input values, one generator per input (or per correlated group)."""

    def __init__(self, inputs: Sequence[Input], pairs: Sequence[tuple[str, str, float]], seed: int):
        self.inputs = inputs
        self.index = {inp.name: i for i, inp in enumerate(inputs)}
        self.groups = _correlated_groups([inp.name for inp in inputs], pairs)
        self.generators = {
            key: np.random.Generator(
                np.random.SFC64(np.random.SeedSequence(seed, spawn_key=_key(key)))
            )
            for key in self.groups
        }
        self.factors = {}
        for key, names in self.groups.items():
            if len(names) > 1:
                for name in names:
                    inp = inputs[self.index[name]]
                    if inp.dist != "normal":
                        raise InputError(
                            f"Monte Carlo can correlate only normal inputs: {name!r} is {inp.dist}"
                        )
                self.factors[key] = _factor(correlation_matrix(names, _pairs_within(pairs, names)))

    def draw(self, n: int) -> list[np.ndarray]:
        xs: list[np.ndarray] = [np.empty(0)] * len(self.inputs)
        for key, names in self.groups.items():
            rng = self.generators[key]
            if len(names) == 1:
                xs[self.index[names[0]]] = self.inputs[self.index[names[0]]].sample(rng, n)
                continue
            # one row per trial, so the stream does not depend on the block size
            z = rng.standard_normal((n, len(names)))
            factor = self.factors[key]
            for j, name in enumerate(names):
                inp = self.inputs[self.index[name]]
                column = factor[j, 0] * z[:, 0]
                for i in range(1, len(names)):  # no BLAS call per block (see _Tally.add)
                    if factor[j, i] != 0.0:
                        column += factor[j, i] * z[:, i]
                column *= inp.standard_uncertainty
                column += inp.value
                xs[self.index[name]] = column
        return xs


def _key(group: tuple[str, ...]) -> tuple[int, ...]:
    return tuple("\0".join(group).encode("utf-8"))


def _pairs_within(
    pairs: Sequence[tuple[str, str, float]], names: Sequence[str]
) -> list[tuple[str, str, float]]:
    return [(a, b, r) for a, b, r in pairs if a in names and b in names]


def _correlated_groups(
    names: Sequence[str], pairs: Sequence[tuple[str, str, float]]
) -> dict[tuple[str, ...], tuple[str, ...]]:
    parent = {name: name for name in names}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for a, b, _ in pairs:
        parent[root(a)] = root(b)
    members: dict[str, list[str]] = {}
    for name in sorted(names):
        members.setdefault(root(name), []).append(name)
    return {tuple(group): tuple(group) for group in sorted(members.values())}


def _factor(matrix: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:  # singular (|r| = 1): a square root from the eigenvectors
        values, vectors = np.linalg.eigh(matrix)
        return vectors * np.sqrt(np.clip(values, 0.0, None))


class _Tail:
    """The smallest values seen so far: every value ≤ ``cut`` is held, and pruning to ``keep``
    values only ever lowers ``cut``, so the ``keep`` smallest of all values are always held."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.size = 0
        self.cut = math.inf

    def add(self, values: np.ndarray, keep: int) -> None:
        part = values[values <= self.cut]
        self.parts.append(part)
        self.size += part.size
        if self.size > 2 * keep + BLOCK_SIZE:
            self.prune(keep)

    def prune(self, keep: int) -> None:
        held = np.concatenate(self.parts)
        self.parts = []
        held.partition(keep - 1)
        self.cut = min(self.cut, float(held[keep - 1]))
        beyond = held[keep:]
        held = np.concatenate((held[:keep], beyond[beyond <= self.cut]))  # ties at the cut stay
        self.parts, self.size = [held], held.size

    def smallest(self, k: int) -> np.ndarray | None:
        """The ``k`` smallest values in order, or ``None`` if fewer than ``k`` are held."""
        if self.size < k:
            return None
        held = np.concatenate(self.parts)
        held.partition(k - 1)
        return np.sort(held[:k])


class _Tally:
    """Running mean and variance of the model values, and their two tails."""

    def __init__(self, keep: int):
        self.keep = keep
        self.n = 0
        self.shift = math.nan
        self.mean = 0.0
        self.m2 = 0.0
        self.low, self.high = _Tail(), _Tail()  # high holds −y: its smallest are y's largest

    def add(self, y: np.ndarray) -> None:
        if math.isnan(self.shift):
            self.shift = float(y[0])
        d = y - self.shift
        n_b = d.size
        mean_b = float(d.mean())
        d -= mean_b
        m2_b = float(np.square(d, out=d).sum())  # not d @ d: BLAS threads stall on a busy host
        total = self.n + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / total
        self.m2 += m2_b + delta * delta * self.n * n_b / total
        self.n = total
        self.low.add(y, self.keep)
        np.negative(y, out=d)
        self.high.add(d, self.keep)

    @property
    def value(self) -> float:
        return self.shift + self.mean

    @property
    def u(self) -> float:
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 0.0

    def intervals(self, coverage: float) -> tuple[float, float, tuple[float, float]] | None:
        """Symmetric and shortest intervals, or ``None`` if a tail was pruned too short."""
        q, r = coverage_indices(self.n, coverage)
        rest = self.n - q
        low, negated = self.low.smallest(rest), self.high.smallest(rest)
        if low is None or negated is None:
            return None
        high = -negated[::-1]  # ranks q+1..M in order, so y_(r+q) is high[r-1]
        best = int(np.argmin(high - low))
        return float(low[r - 1]), float(high[r - 1]), (float(low[best]), float(high[best]))


def _evaluate_block(compiled: CompiledModel, xs: list[np.ndarray], n: int) -> np.ndarray:
    with np.errstate(all="ignore"):
        y = compiled.evaluate_arrays(xs)
        total = float(y.sum()) if y.shape == (n,) else math.nan
    if y.shape != (n,):  # a model without inputs in it is a constant
        y = np.full(n, float(y))
    elif any(y is x for x in xs):  # the model is one input: do not hand that array on
        y = y.copy()
    if not math.isfinite(total):  # one cheap pass; look closer only when something is off
        finite = np.isfinite(y)
        if not finite.all():
            bad = int(np.argmin(finite))
            where = ", ".join(
                f"{name} = {x[bad]:.6g}" for name, x in zip(compiled.names, xs, strict=True)
            )
            raise ModelError(
                f"the model gives non-finite values for {n - int(finite.sum())} of {n} draws "
                f"(for example at {where}): the input distributions reach where it is undefined"
            )
    return y


def evaluate_mc(
    model: str,
    inputs: Iterable[Input],
    correlations: Correlations = None,
    coverage: float = 0.95,
    trials: int | None = None,
    seed: int | None = None,
    *,
    ndig: int = 2,
    constants: Mapping[str, float] | None = None,
    max_trials: int = MAX_ADAPTIVE_TRIALS,
) -> McResult:
    """Propagate the input distributions through ``model`` by Monte Carlo (JCGM 101).

    ``trials`` fixes the number of trials; ``None`` runs the adaptive procedure of JCGM 101 7.9
    to ``ndig`` significant digits of u(y), up to ``max_trials``.
    """
    checked = check_inputs(inputs)
    for inp in checked:
        inp.check_for_monte_carlo()
    pairs = check_correlations(checked, correlations)
    fixed = check_constants(constants)
    p = check_coverage(coverage)
    names = tuple(inp.name for inp in checked)
    compiled = compile_model(model, names, dict(fixed))
    seed = _check_seed(seed)
    notes = []

    if trials is None:
        numerical_tolerance(1.0, ndig)  # checks ndig
        tally, converged = _adaptive(compiled, checked, pairs, seed, p, ndig, max_trials)
        if not converged:
            notes.append(f"not stabilised to {ndig} significant digits within {tally.n} trials")
    else:
        if isinstance(trials, bool) or not isinstance(trials, int | np.integer) or trials < 2:
            raise InputError(f"trials must be a whole number of at least 2, not {trials!r}")
        tally, converged = _fixed(compiled, checked, pairs, seed, p, int(trials)), True
        if trials < 100 / (1 - p):
            notes.append(f"fewer trials than the {math.ceil(100 / (1 - p))} JCGM 101 7.2.2 asks")
    found = tally.intervals(p)
    if found is None:  # a tail was pruned on too short a prefix: draw the same values again
        tally = _fixed(compiled, checked, pairs, seed, p, tally.n)
        found = tally.intervals(p)
        assert found is not None
    low, high, shortest = found
    return McResult(
        model=model,
        inputs=checked,
        correlations=pairs,
        constants=fixed,
        coverage=p,
        value=tally.value,
        u=tally.u,
        low=low,
        high=high,
        shortest=shortest,
        trials=tally.n,
        seed=seed,
        adaptive=trials is None,
        ndig=ndig if trials is None else None,
        converged=converged,
        engine_version=__version__,
        numpy_version=np.__version__,
        notes=tuple(notes),
    )


def _check_seed(seed: Any) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"the seed must be a non-negative whole number, not {seed!r}")
    return int(seed)


def _fixed(
    compiled: CompiledModel,
    inputs: Sequence[Input],
    pairs: Sequence[tuple[str, str, float]],
    seed: int,
    coverage: float,
    trials: int,
) -> _Tally:
    q, _ = coverage_indices(trials, coverage)
    if trials - q < 1:
        raise InputError(f"{trials} trials are too few for a {coverage:.0%} coverage interval")
    sampler = _Sampler(inputs, pairs, seed)
    tally = _Tally(keep=trials - q)
    done = 0
    while done < trials:
        n = min(BLOCK_SIZE, trials - done)
        tally.add(_evaluate_block(compiled, sampler.draw(n), n))
        done += n
    return tally


def _adaptive(
    compiled: CompiledModel,
    inputs: Sequence[Input],
    pairs: Sequence[tuple[str, str, float]],
    seed: int,
    coverage: float,
    ndig: int,
    max_trials: int,
) -> tuple[_Tally, bool]:
    run = max(math.ceil(100 / (1 - coverage)), 10_000)
    sampler = _Sampler(inputs, pairs, seed)
    # the tails kept must cover the final (unknown) count: keep a margin, checked at the end
    tally = _Tally(keep=0)
    runs: list[tuple[float, float, float, float]] = []
    while True:
        y = _evaluate_block(compiled, sampler.draw(run), run)
        tally.keep = math.ceil(1.25 * (1 - coverage) * (tally.n + run)) + 100
        tally.add(y)
        y.sort()
        q, r = coverage_indices(run, coverage)
        runs.append((float(y.mean()), float(y.std(ddof=1)), float(y[r - 1]), float(y[r + q - 1])))
        if len(runs) < 2:
            continue
        spread = 2.0 * np.std(np.array(runs), axis=0, ddof=1) / math.sqrt(len(runs))
        delta = numerical_tolerance(tally.u, ndig)
        if tally.u == 0.0 or float(spread.max()) <= delta:
            return tally, True
        if tally.n + run > max_trials:
            return tally, False


def validate(
    gum: GumResult, mc: McResult, ndig: int = 2, *, interval: str = "symmetric"
) -> Validation:
    """Compare the GUM interval y ± U with the Monte Carlo interval (JCGM 101 clause 8).

    d_low = |y − U − y_low| and d_high = |y + U − y_high|; the GUM is validated when both are
    within the numerical tolerance δ of the GUM's u(y) to ``ndig`` digits. For a meaningful
    answer the Monte Carlo should itself be stable to better than δ (JCGM 101 8.2 note).
    ``interval`` chooses the Monte Carlo interval compared: ``"symmetric"`` or ``"shortest"``.
    """
    if not math.isclose(gum.coverage, mc.coverage):
        raise InputError("the GUM and Monte Carlo results are for different coverage probabilities")
    if interval == "symmetric":
        mc_interval = (mc.low, mc.high)
    elif interval == "shortest":
        mc_interval = mc.shortest
    else:
        raise InputError(f"unknown interval {interval!r} (known: symmetric, shortest)")
    tolerance = numerical_tolerance(gum.u, ndig)
    d_low = abs(gum.value - gum.U - mc_interval[0])
    d_high = abs(gum.value + gum.U - mc_interval[1])
    return Validation(
        validated=d_low <= tolerance and d_high <= tolerance,
        d_low=d_low,
        d_high=d_high,
        tolerance=tolerance,
        ndig=ndig,
        interval=interval,
        gum_interval=gum.interval,
        mc_interval=mc_interval,
    )
