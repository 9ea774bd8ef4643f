"""Non-automatic weighing instruments: the error limits of OIML R 76-1:2006.

Clauses followed (OIML R 76-1, edition 2006):

- 3.2, Table 3: the accuracy classes I, II, III, IIII with, for each, the range of the
  verification scale interval e (in grams), the number of intervals n = Max/e and the minimum
  capacity Min (:func:`check_instrument`);
- 3.4.2: an instrument whose actual scale interval d is smaller than e (classes I and II only)
  has e = 10^k of the unit and d < e ≤ 10 d; scale intervals are otherwise 1, 2 or 5 × 10^k
  of the unit;
- 3.5.1, Table 6: the maximum permissible errors on initial verification, by load band in
  multiples of e (:func:`mpe`, :func:`bands`). The table writes "0 ≤ m ≤ 500 e", "500 e < m ≤
  2 000 e": a load exactly on a band limit belongs to the lower band, with the smaller MPE;
- 3.5.2: the maximum permissible errors in service are twice those on initial verification
  (``in_service=True``);
- 3.6.1: repeatability, the spread of several results for the same load, must not exceed the
  MPE for that load (:func:`repeatability`);
- 3.6.2: eccentricity, the test load of 3.6.2.1–3.6.2.3 (:func:`eccentricity_test_load`); each
  eccentric result is judged against the MPE for the load applied;
- 3.7.1: the error of the standard weights must not exceed one third of the MPE for the load
  (:func:`standard_weight_limit`);
- 3.8.3: discrimination of a digital indication: an extra load of 1.4 d placed on (or taken off)
  the instrument at equilibrium must change the indication (:func:`discrimination_load`);
- 4.5.2: zero-setting accuracy, within 0.25 e (:func:`zero_setting_limit`);
- Annex A.4.4.3: the error before rounding found with 1/10 e change-point weights,
  E = I + ½ e − ΔL − L, and the corrected error Ec = E − E0 (:func:`error_before_rounding`).

Loads, e and every result share one unit of mass (any unit); only :func:`check_instrument`
needs the unit's name, to compare e with the gram limits of Table 3. Multi-interval and
multiple-range instruments (3.3), analogue and non-self-indicating discrimination, and rolling
loads for eccentricity (3.6.2.4) are not covered here.

>>> mpe("500", "1", "III"), mpe("501", "1", "III"), mpe("501", "1", "III", in_service=True)
(Decimal('0.5'), Decimal('1'), Decimal('2'))
>>> mpe("15", "0.005", "III")  # 15 kg on a 15 kg × 5 g shop scale: 3 000 e
Decimal('0.0075')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.legal.quantities import non_negative, positive, quantity
from metrology.legal.verdict import Verdict, spread, verdict

CLASSES = ("I", "II", "III", "IIII")

# Table 6 (3.5.1): (upper limit of the band in e, or None for no limit; MPE in e). The lower
# limit of a band is the upper limit of the one before it, excluded; the first starts at 0.
_TABLE_6: dict[str, tuple[tuple[int | None, Decimal], ...]] = {
    "I": ((50_000, Decimal("0.5")), (200_000, Decimal("1")), (None, Decimal("1.5"))),
    "II": ((5_000, Decimal("0.5")), (20_000, Decimal("1")), (100_000, Decimal("1.5"))),
    "III": ((500, Decimal("0.5")), (2_000, Decimal("1")), (10_000, Decimal("1.5"))),
    "IIII": ((50, Decimal("0.5")), (200, Decimal("1")), (1_000, Decimal("1.5"))),
}

IN_SERVICE_FACTOR = Decimal(2)  # 3.5.2


@dataclass(frozen=True)
class _Table3Row:
    e_min_g: Decimal  # smallest e in grams, included
    e_max_g: Decimal | None  # largest e in grams, included; None: no limit
    n_min: int
    n_max: int | None  # None: no limit (class I)
    min_capacity_in_e: int


# Table 3 (3.2): classification by e (in grams), n = Max/e and the minimum capacity Min.
_TABLE_3: dict[str, tuple[_Table3Row, ...]] = {
    "I": (_Table3Row(Decimal("0.001"), None, 50_000, None, 100),),
    "II": (
        _Table3Row(Decimal("0.001"), Decimal("0.05"), 100, 100_000, 20),
        _Table3Row(Decimal("0.1"), None, 5_000, 100_000, 50),
    ),
    "III": (
        _Table3Row(Decimal("0.1"), Decimal("2"), 100, 10_000, 20),
        _Table3Row(Decimal("5"), None, 500, 10_000, 20),
    ),
    "IIII": (_Table3Row(Decimal("5"), None, 100, 1_000, 10),),
}

GRAMS_PER_UNIT = {
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "kg": Decimal(1000),
    "t": Decimal(1_000_000),
}


@dataclass(frozen=True)
class Band:
    """One line of Table 6 for one instrument: loads ``lower`` < m ≤ ``upper`` have MPE ``mpe``.

    The first band starts at 0 inclusive. ``upper`` is None for the last band of class I, which
    has no upper limit. Loads and MPE are in the unit of e.
    """

    lower: Decimal
    upper: Decimal | None
    mpe: Decimal


@dataclass(frozen=True)
class InstrumentCheck:
    """Whether Max and e fit the accuracy class (Table 3).

    ``n`` is Max/e; ``min_capacity`` is Min in the unit given (None when e fits no line of the
    class); ``problems`` lists in plain English what does not fit, empty when all is well.
    """

    accuracy_class: str
    n: Decimal
    min_capacity: Decimal | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def normalize_class(value: Any) -> str:
    """The class as R 76 writes it: "I", "II", "III" or "IIII" (case and spaces ignored).

    >>> normalize_class(" iii ")
    'III'
    >>> normalize_class("V")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the accuracy class must be one of I, II, III, IIII (OIML R 76-1 Table 3), not 'V'
    """
    name = str(value).strip().upper()
    if name not in CLASSES:
        raise InputError(
            f"the accuracy class must be one of {', '.join(CLASSES)} (OIML R 76-1 Table 3), "
            f"not {value!r}"
        )
    return name


def _scale_interval(e: Any) -> Decimal:
    return positive(e, "the verification scale interval e")


def bands(e: Any, accuracy_class: Any, *, in_service: bool = False) -> tuple[Band, ...]:
    """The load bands of Table 6 for an instrument with interval e, in the unit of e.

    The band limits are the loads "at or near which the MPE changes" that the weighing test
    must include (R 76-1 A.4.4.1).

    >>> [(b.lower, b.upper, b.mpe) for b in bands("1", "IIII")]
    [(Decimal('0'), Decimal('50'), Decimal('0.5')), (Decimal('50'), Decimal('200'), Decimal('1')), (Decimal('200'), Decimal('1000'), Decimal('1.5'))]
    """
    cls = normalize_class(accuracy_class)
    step = _scale_interval(e)
    factor = IN_SERVICE_FACTOR if in_service else Decimal(1)
    result = []
    lower = Decimal(0)
    for upper_in_e, mpe_in_e in _TABLE_6[cls]:
        upper = None if upper_in_e is None else upper_in_e * step
        result.append(Band(lower=lower, upper=upper, mpe=mpe_in_e * step * factor))
        if upper is not None:
            lower = upper
    return tuple(result)


def mpe(load: Any, e: Any, accuracy_class: Any, in_service: bool = False) -> Decimal:
    """Maximum permissible error for a load (Table 6, 3.5.1; twice in service, 3.5.2).

    ``load`` and ``e`` are in the same unit, and so is the result. The load is the net load on
    the receptor (the MPE applies to the net load whatever the tare). A load on a band limit
    belongs to the lower band.

    >>> mpe("50000", "1", "I"), mpe("200001", "1", "I")
    (Decimal('0.5'), Decimal('1.5'))
    >>> mpe("10001", "1", "III")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the load 10001 is beyond Table 6 for class III: the largest band ends at 10000 e = 10000
    >>> mpe("-1", "1", "III")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the load must not be negative, not -1
    """
    m = non_negative(load, "the load")
    all_bands = bands(e, accuracy_class, in_service=in_service)
    for band in all_bands:
        if band.upper is None or m <= band.upper:
            return band.mpe
    last = all_bands[-1]
    cls = normalize_class(accuracy_class)
    in_e = _TABLE_6[cls][-1][0]
    raise InputError(
        f"the load {load} is beyond Table 6 for class {cls}: the largest band ends at "
        f"{in_e} e = {last.upper}"
    )


def _is_1_2_5(x: Decimal) -> bool:
    return x.normalize().as_tuple().digits in ((1,), (2,), (5,))


def _is_power_of_ten(x: Decimal) -> bool:
    return x.normalize().as_tuple().digits == (1,)


def _fmt(x: Decimal) -> str:
    return format(x.normalize(), "f")


def check_instrument(
    max_capacity: Any,
    e: Any,
    accuracy_class: Any,
    *,
    unit: str,
    d: Any = None,
) -> InstrumentCheck:
    """Check Max, e (and d) against the class: Table 3, and 3.4.2 for d < e.

    ``unit`` names the unit of Max, e and d ("mg", "g", "kg" or "t"); Table 3 gives the limits
    of e in grams. Bad numbers raise; a classification that does not fit is reported in
    ``problems`` so that a form can show all of them at once.

    >>> c = check_instrument("15", "0.005", "III", unit="kg")
    >>> c.ok, c.n, c.min_capacity
    (True, Decimal('3000'), Decimal('0.100'))
    >>> check_instrument("60", "0.002", "III", unit="kg").problems
    ('n = Max/e = 30000 is more than the 10000 allowed for class III (OIML R 76-1 Table 3)',)
    """
    cls = normalize_class(accuracy_class)
    top = positive(max_capacity, "the maximum capacity Max")
    step = _scale_interval(e)
    if unit not in GRAMS_PER_UNIT:
        raise InputError(
            f"the unit of mass must be one of {', '.join(GRAMS_PER_UNIT)}, not {unit!r}"
        )
    e_g = step * GRAMS_PER_UNIT[unit]
    problems: list[str] = []
    n = top / step
    if n == n.to_integral_value():
        n = Decimal(int(n))
    else:
        problems.append(
            f"Max = {max_capacity} {unit} is not a whole number of verification scale "
            f"intervals e = {e} {unit}"
        )
    if not _is_1_2_5(step):
        problems.append(f"e = {e} {unit} must be 1, 2 or 5 × 10^k {unit}")
    row = next(
        (r for r in _TABLE_3[cls] if r.e_min_g <= e_g and (r.e_max_g is None or e_g <= r.e_max_g)),
        None,
    )
    min_capacity = None
    if row is None:
        ranges = " or ".join(
            f"{_fmt(r.e_min_g)} g ≤ e ≤ {_fmt(r.e_max_g)} g"
            if r.e_max_g is not None
            else f"e ≥ {_fmt(r.e_min_g)} g"
            for r in _TABLE_3[cls]
        )
        problems.append(
            f"e = {_fmt(e_g)} g does not fit class {cls}, which needs {ranges} "
            "(OIML R 76-1 Table 3)"
        )
    else:
        n_whole = n.to_integral_value()
        if n_whole < row.n_min:
            problems.append(
                f"n = Max/e = {_fmt(n)} is less than the {row.n_min} required for class "
                f"{cls} (OIML R 76-1 Table 3)"
            )
        if row.n_max is not None and n > row.n_max:
            problems.append(
                f"n = Max/e = {_fmt(n)} is more than the {row.n_max} allowed for class "
                f"{cls} (OIML R 76-1 Table 3)"
            )
        min_capacity = row.min_capacity_in_e * step
    if d is not None:
        actual = positive(d, "the actual scale interval d")
        if not _is_1_2_5(actual):
            problems.append(f"d = {d} {unit} must be 1, 2 or 5 × 10^k {unit}")
        if actual > step:
            problems.append(f"d = {d} {unit} must not be larger than e = {e} {unit}")
        elif actual < step:
            if cls not in ("I", "II"):
                problems.append(
                    f"d smaller than e is allowed only in classes I and II, not {cls} "
                    "(OIML R 76-1 3.4.2)"
                )
            if not _is_power_of_ten(step):
                problems.append(
                    f"with d < e, e = {e} {unit} must be 10^k {unit} (OIML R 76-1 3.4.2)"
                )
            if step > 10 * actual:
                problems.append(
                    f"e = {e} {unit} must not be more than 10 d = {_fmt(10 * actual)} {unit} "
                    "(OIML R 76-1 3.4.2)"
                )
    return InstrumentCheck(
        accuracy_class=cls, n=n, min_capacity=min_capacity, problems=tuple(problems)
    )


def repeatability(
    results: Any, load: Any, e: Any, accuracy_class: Any, in_service: bool = False
) -> Verdict:
    """3.6.1: the spread of several results for one load must not exceed the MPE for that load.

    >>> v = repeatability(["10.000", "10.005", "10.005"], "10", "0.005", "III")  # 2 000 e
    >>> v.error, v.mpe, v.passed
    (Decimal('0.005'), Decimal('0.005'), True)
    """
    limit = mpe(load, e, accuracy_class, in_service)
    return verdict(spread(results), limit)


def eccentricity_test_load(
    max_capacity: Any,
    *,
    supports: int = 4,
    max_additive_tare: Any = 0,
    special_receptor: bool = False,
) -> Decimal:
    """The eccentricity test load of 3.6.2, in the unit of Max.

    - 3.6.2.1: four points of support or fewer: 1/3 of (Max + maximum additive tare effect);
    - 3.6.2.2: more than four: 1/(N − 1) of that sum, N the number of points of support;
    - 3.6.2.3: a special load receptor (tank, hopper), loaded at each support: 1/10 of the sum.

    >>> eccentricity_test_load("15")
    Decimal('5')
    >>> eccentricity_test_load("60000", supports=6)
    Decimal('12000')
    """
    total = positive(max_capacity, "the maximum capacity Max") + non_negative(
        max_additive_tare, "the maximum additive tare"
    )
    if isinstance(supports, bool) or not isinstance(supports, int) or supports < 1:
        raise InputError(
            f"the number of points of support must be a whole number ≥ 1, not {supports!r}"
        )
    if special_receptor:
        return total / 10
    if supports <= 4:
        return total / 3
    return total / (supports - 1)


def standard_weight_limit(load: Any, e: Any, accuracy_class: Any) -> Decimal:
    """3.7.1: the largest error the standard weights for a load may have, 1/3 of the MPE.

    The MPE is the one for initial verification at that load, the stricter of the two.

    >>> standard_weight_limit("3", "1", "III")
    Decimal('0.1666666666666666666666666667')
    """
    return mpe(load, e, accuracy_class) / 3


def zero_setting_limit(e: Any) -> Decimal:
    """4.5.2: after zero-setting, the effect of the zero deviation is at most 0.25 e.

    >>> zero_setting_limit("0.005")
    Decimal('0.00125')
    """
    return _scale_interval(e) / 4


def discrimination_load(d: Any) -> Decimal:
    """3.8.3: the extra load, 1.4 d, that must change a digital indication.

    >>> discrimination_load("0.005")
    Decimal('0.0070')
    """
    return Decimal("1.4") * positive(d, "the actual scale interval d")


def discrimination_passes(initial_indication: Any, final_indication: Any, d: Any) -> bool:
    """The discrimination test of A.4.12 (digital indication): the indication rose by ≥ d.

    The procedure: with the test load and ten 1/10 d weights on, note the indication I; remove
    the small weights until the indication drops by one d; add 1/10 d back, then the extra
    load of :func:`discrimination_load`; the final indication must be at least I + d.

    >>> discrimination_passes("10.000", "10.005", "0.005"), discrimination_passes("10", "10", "0.005")
    (True, False)
    """
    step = positive(d, "the actual scale interval d")
    rise = quantity(final_indication, "the final indication") - quantity(
        initial_indication, "the initial indication"
    )
    return rise >= step


def error_before_rounding(
    indication: Any, load: Any, extra_load: Any, e: Any, zero_error: Any = 0
) -> Decimal:
    """A.4.4.3: the error of a digital indication before rounding, with change-point weights.

    With the load L on, small weights of 0.1 e are added until the indication I rises by one
    interval; ΔL is the weight added. Then P = I + ½ e − ΔL is the indication before rounding
    and E = P − L its error. Given the error E0 found the same way at or near zero, the
    corrected error Ec = E − E0 is returned (E itself when ``zero_error`` is 0).

    >>> error_before_rounding("1000", "1000", "0.3", "1")
    Decimal('0.2')
    >>> error_before_rounding("1000", "1000", "0.3", "1", zero_error="0.1")
    Decimal('0.1')
    """
    i = quantity(indication, "the indication I")
    m = non_negative(load, "the load L")
    added = non_negative(extra_load, "the additional load ΔL")
    step = _scale_interval(e)
    error = i + step / 2 - added - m
    return error - quantity(zero_error, "the error at zero E0")
