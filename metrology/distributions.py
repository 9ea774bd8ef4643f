"""Input quantities: their probability distributions, correlations, and draws for Monte Carlo.

An :class:`Input` keeps what was entered (``u`` or ``half_width`` or, for a Student t,
``scale``) and derives ``standard_uncertainty``, the u(x_i) the law of propagation uses:

- normal: u as given;
- rectangular: a/√3; triangular: a/√6; arcsine (U-shaped): a/√2, with a the half-width;
- curvilinear trapezoid (JCGM 101 6.4.3, a rectangle whose limits are known to ±d):
  √(a²/3 + d²/9), with d given as ``limit_half_width``;
- Student t given by ``u``: u is the standard deviation of the t distribution, so Monte Carlo
  draws t_ν scaled by u·√((ν−2)/ν) (the convention of the NIST Uncertainty Machine);
- Student t given by ``scale`` (JCGM 101 6.4.9, the s/√n of a Type A evaluation): the law of
  propagation uses u = scale, as the GUM does, and Monte Carlo draws t_ν(x, scale²), whose
  standard deviation scale·√(ν/(ν−2)) is larger. This is how JCGM 101 9.5 gets 32 nm by the GUF
  and 36 nm by Monte Carlo for the same gauge block.

>>> Input("dT", 0.0, half_width=0.05, dist="rectangular").standard_uncertainty
0.02886751345948129
>>> Input("x", 1.0, u=-0.1)
Traceback (most recent call last):
...
metrology.errors.InputError: the standard uncertainty u of 'x' must not be negative (got -0.1)
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np

from metrology.errors import InputError
from metrology.model import CONSTANTS, FUNCTIONS

DISTRIBUTIONS = ("normal", "rectangular", "triangular", "arcsine", "t", "curvilinear_trapezoid")
_ALIASES = {
    "gaussian": "normal",
    "uniform": "rectangular",
    "u-shaped": "arcsine",
    "u_shaped": "arcsine",
    "student_t": "t",
    "student-t": "t",
}
_DIVISOR = {"rectangular": math.sqrt(3.0), "triangular": math.sqrt(6.0), "arcsine": math.sqrt(2.0)}

Correlations = Mapping[tuple[str, str], float] | Iterable[Sequence[Any]] | None


@dataclass(frozen=True)
class Input:
    """One input quantity X_i: its estimate, how its uncertainty was given, and its dof.

    ``dof`` is the degrees of freedom of u(x_i); ``None`` (stored as ``math.inf``) is infinite.

    >>> Input("r", 1.000104, u=0.000002, dist="t", dof=9).dof
    9.0
    >>> Input("alpha", 0.0039, u=0.0001).dof
    inf
    """

    name: str
    value: float
    _: KW_ONLY
    u: float | None = None
    dist: str = "normal"
    dof: float | None = None
    half_width: float | None = None
    scale: float | None = None
    limit_half_width: float | None = None
    standard_uncertainty: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "name", _check_name(self.name))
        set_(self, "value", finite_number(self.value, f"the value of {self.name!r}"))
        dist = str(self.dist).strip().lower()
        dist = _ALIASES.get(dist, dist)
        if dist not in DISTRIBUTIONS:
            known = ", ".join(DISTRIBUTIONS)
            raise InputError(
                f"unknown distribution {self.dist!r} for {self.name!r} (known: {known})"
            )
        set_(self, "dist", dist)
        set_(self, "dof", self._checked_dof())
        for attr in ("u", "half_width", "scale", "limit_half_width"):
            raw = getattr(self, attr)
            if raw is not None:
                what = "the standard uncertainty u" if attr == "u" else f"the {attr}"
                number = finite_number(raw, f"{what} of {self.name!r}")
                if number < 0:
                    raise InputError(f"{what} of {self.name!r} must not be negative (got {raw})")
                set_(self, attr, number)
        set_(self, "standard_uncertainty", self._derive_u())

    def _checked_dof(self) -> float:
        if self.dof is None:
            dof = math.inf
        else:
            dof = finite_number(
                self.dof, f"the degrees of freedom of {self.name!r}", allow_inf=True
            )
            if dof <= 0:
                raise InputError(f"the degrees of freedom of {self.name!r} must be positive")
        if self.dist == "t" and math.isinf(dof):
            raise InputError(
                f"the Student t input {self.name!r} needs its degrees of freedom (dof)"
            )
        return dof

    def _derive_u(self) -> float:
        given = [a for a in ("u", "half_width", "scale") if getattr(self, a) is not None]
        name, dist = self.name, self.dist
        if self.limit_half_width is not None and dist != "curvilinear_trapezoid":
            raise InputError(f"limit_half_width only applies to a curvilinear_trapezoid ({name!r})")
        if len(given) > 1:
            raise InputError(f"give only one of {' and '.join(given)} for {name!r}, not both")
        if dist == "normal":
            if given != ["u"]:
                raise InputError(f"the normal input {name!r} needs its standard uncertainty u")
            return float(self.u)  # type: ignore[arg-type]
        if dist == "t":
            if given not in (["u"], ["scale"]):
                raise InputError(f"the Student t input {name!r} needs u or scale")
            return float(self.u if self.u is not None else self.scale)  # type: ignore[arg-type]
        if given == ["scale"]:
            raise InputError(f"scale only applies to a Student t input ({name!r})")
        if dist == "curvilinear_trapezoid":
            a, d = self.half_width, self.limit_half_width
            if a is None or d is None or d > a:
                raise InputError(
                    f"the curvilinear trapezoid {name!r} needs half_width and a limit_half_width "
                    "no larger than it"
                )
            return math.sqrt(a * a / 3.0 + d * d / 9.0)
        if not given:
            raise InputError(f"give the standard uncertainty u or the half_width of {name!r}")
        if self.u is not None:
            return float(self.u)
        return float(self.half_width) / _DIVISOR[dist]  # type: ignore[arg-type]

    def t_scale(self) -> float:
        """Scale of the Student t that Monte Carlo draws (see the module docstring)."""
        if self.scale is not None:
            return self.scale
        nu = float(self.dof)  # type: ignore[arg-type]
        return self.standard_uncertainty * math.sqrt((nu - 2.0) / nu)

    def check_for_monte_carlo(self) -> None:
        """Refuse what Monte Carlo cannot draw: a Student t without finite variance."""
        if self.dist == "t" and float(self.dof) <= 2:  # type: ignore[arg-type]
            raise InputError(
                f"Monte Carlo needs more than 2 degrees of freedom for the Student t input "
                f"{self.name!r} (its variance is infinite otherwise)"
            )

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values of this input (JCGM 101 6.4).

        Where a trial needs two uniforms they are drawn as one row, so that the stream of values
        does not depend on how the trials are split into blocks.
        """
        x, dist = self.value, self.dist
        # in-place scaling of a standard draw is quicker than rng.normal(x, u, n) and the like
        if dist == "normal":
            draw = rng.standard_normal(n)
            draw *= self.standard_uncertainty
            draw += x
            return draw
        if dist == "t":
            draw = rng.standard_t(float(self.dof), n)  # type: ignore[arg-type]
            draw *= self.t_scale()
            draw += x
            return draw
        a = self.half_width
        if a is None:
            a = self.standard_uncertainty * _DIVISOR[dist]
        if dist == "rectangular":
            draw = rng.random(n)
            draw *= 2.0 * a
            draw -= a
        elif dist == "triangular":
            pair = rng.random((n, 2))
            draw = pair[:, 0] - pair[:, 1]
            draw *= a
        elif dist == "arcsine":  # JCGM 101 6.4.6.4: x + a·sin(2πr)
            draw = rng.random(n)
            draw *= 2.0 * math.pi
            np.sin(draw, out=draw)
            draw *= a
        else:  # curvilinear trapezoid, JCGM 101 6.4.3.4: x + (a + d(2r₁−1))(2r₂−1)
            d = float(self.limit_half_width)  # type: ignore[arg-type]
            pair = rng.random((n, 2))
            draw = 2.0 * pair[:, 0] - 1.0
            draw *= d
            draw += a
            draw *= 2.0 * pair[:, 1] - 1.0
        draw += x
        return draw


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise InputError(f"the input name {name!r} is not a valid name (letters, digits, '_')")
    if name.startswith("_"):
        raise InputError(f"the input name {name!r} must not start with '_'")
    if name in FUNCTIONS or name in CONSTANTS:
        raise InputError(f"the input name {name!r} is reserved for a function or constant")
    return name


def finite_number(raw: Any, what: str, *, allow_inf: bool = False) -> float:
    """``raw`` as a float, or :class:`InputError` naming ``what`` if it is not a finite number."""
    if isinstance(raw, bool):
        raise InputError(f"{what} must be a number, not {raw!r}")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, not {raw!r}") from None
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise InputError(f"{what} must be a finite number, not {raw!r}")
    return number


def check_coverage(coverage: Any) -> float:
    """A coverage probability strictly between 0 and 1."""
    try:
        p = float(coverage)
    except (TypeError, ValueError):
        raise InputError(f"the coverage probability must be a number, not {coverage!r}") from None
    if not 0.0 < p < 1.0:
        raise InputError(f"the coverage probability must be between 0 and 1, not {coverage!r}")
    return p


def check_constants(constants: Mapping[str, Any] | None) -> tuple[tuple[str, float], ...]:
    """Named constants of a model as sorted ``(name, value)`` pairs, checked like inputs."""
    if not constants:
        return ()
    return tuple(
        sorted(
            (_check_name(k), finite_number(v, f"the constant {k!r}")) for k, v in constants.items()
        )
    )


def check_inputs(inputs: Iterable[Input]) -> tuple[Input, ...]:
    """The inputs as a tuple, refusing anything but :class:`Input` and duplicate names."""
    checked = tuple(inputs)
    if not checked:
        raise InputError("there are no inputs")
    seen: set[str] = set()
    for inp in checked:
        if not isinstance(inp, Input):
            raise InputError(f"inputs must be Input objects, not {type(inp).__name__}")
        if inp.name in seen:
            raise InputError(f"the input {inp.name!r} is given twice")
        seen.add(inp.name)
    return checked


def check_correlations(
    inputs: Sequence[Input], correlations: Correlations
) -> tuple[tuple[str, str, float], ...]:
    """Normalise correlations to sorted ``(a, b, r)`` triples, refusing impossible ones.

    Accepts ``{("a", "b"): r}`` or ``[["a", "b", r], ...]``. The matrix they make with the unit
    diagonal must be positive semi-definite, or the correlations contradict each other.

    >>> xs = [Input("a", 1.0, u=1.0), Input("b", 2.0, u=1.0), Input("c", 0.0, u=1.0)]
    >>> check_correlations(xs, {("b", "a"): 0.5})
    (('a', 'b', 0.5),)
    >>> check_correlations(xs, [("a", "b", 0.9), ("a", "c", 0.9), ("b", "c", -0.9)])
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the correlations contradict each other: their matrix is not positive semi-definite (smallest eigenvalue -0.8)
    """
    if not correlations:
        return ()
    items = correlations.items() if isinstance(correlations, Mapping) else correlations
    names = [inp.name for inp in inputs]
    pairs: dict[tuple[str, str], float] = {}
    for item in items:
        try:
            if isinstance(correlations, Mapping):
                (a, b), r = item
            else:
                a, b, r = item
        except (TypeError, ValueError):
            raise InputError(f"a correlation must be (name, name, r), not {item!r}") from None
        for name in (a, b):
            if name not in names:
                raise InputError(f"the correlation names {name!r}, which is not an input")
        if a == b:
            raise InputError(f"an input cannot be correlated with itself ({a!r})")
        r = finite_number(r, f"the correlation of {a!r} and {b!r}")
        if not -1.0 <= r <= 1.0:
            raise InputError(f"the correlation of {a!r} and {b!r} must be within [-1, 1], not {r}")
        key = (a, b) if names.index(a) < names.index(b) else (b, a)
        if key in pairs and pairs[key] != r:
            raise InputError(f"the correlation of {a!r} and {b!r} is given twice, differently")
        pairs[key] = r
    matrix = correlation_matrix(names, pairs)
    smallest = float(np.linalg.eigvalsh(matrix)[0])
    if smallest < -1e-10:
        raise InputError(
            "the correlations contradict each other: their matrix is not positive "
            f"semi-definite (smallest eigenvalue {smallest:.2g})"
        )
    return tuple(sorted((a, b, r) for (a, b), r in pairs.items() if r != 0.0))


def correlation_matrix(
    names: Sequence[str], pairs: Mapping[tuple[str, str], float] | Iterable[tuple[str, str, float]]
) -> np.ndarray:
    """The correlation matrix in the order of ``names``."""
    index = {name: i for i, name in enumerate(names)}
    matrix = np.eye(len(names))
    triples = ((a, b, r) for (a, b), r in pairs.items()) if isinstance(pairs, Mapping) else pairs
    for a, b, r in triples:
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = r
    return matrix
