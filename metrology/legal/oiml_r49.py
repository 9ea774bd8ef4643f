"""Water meters for cold potable water and hot water: OIML R 49-1:2013 (ISO 4064-1:2014).

Rules followed (OIML R 49-1, edition 2013, which ISO 4064-1:2014 reproduces):

- 4.1, flow rates: the permanent flow rate Q3 and the ratio R = Q3/Q1 characterise a meter;
  Q2/Q1 = 1.6 and Q4/Q3 = 1.25 (:func:`flow_rates`). Q3 is a value of the R 5 series
  (1, 1.6, 2.5, 4, 6.3 × 10^k m³/h) and R one of the R 10 series (…, 40, 50, 63, 80, 100,
  125, 160, …) (:func:`check_meter`);
- 4.2, accuracy classes and maximum permissible errors, in % of the volume:

  =========  ======================  ==================================  ==========
  class      lower zone Q1 ≤ Q < Q2  upper zone Q2 ≤ Q ≤ Q4               reference
  =========  ======================  ==================================  ==========
  1          ±3 %                    ±1 % (0.1–30 °C), ±2 % (> 30 °C)    4.2.2
  2          ±5 %                    ±2 % (0.1–30 °C), ±3 % (> 30 °C)    4.2.3
  =========  ======================  ==================================  ==========

  The lower-zone MPE does not depend on the water temperature. A flow exactly at Q2 belongs to
  the upper zone; at exactly 30 °C the water is in the 0.1–30 °C range.

- In service: R 49-1 leaves the MPE of meters in service to national regulation. The usual
  national rule is twice the MPE above; ``in_service=True`` applies that factor
  (:data:`IN_SERVICE_FACTOR`). Check the national rule before relying on it.

Flow rates share one unit (m³/h as marked on the meter, or L/h); volumes any unit, and the
MPE comes back in the unit of the volume. Temperatures are in °C, from 0.1 °C up to 180 °C
(the highest temperature class of R 49, T180).

>>> rates = flow_rates("2.5", "160")  # Q3 = 2.5 m³/h, R160: a DN 20 domestic meter
>>> rates.q1, rates.q2, rates.q4
(Decimal('0.015625'), Decimal('0.0250000'), Decimal('3.125'))
>>> mpe("0.1", "0.02", q3="2.5", ratio="160", accuracy_class=2, temperature=20)  # 100 L
Decimal('0.005')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.legal.quantities import non_negative, percent_of, positive, quantity

CLASSES = (1, 2)
Q2_OVER_Q1 = Decimal("1.6")
Q4_OVER_Q3 = Decimal("1.25")
TEMPERATURE_SPLIT = Decimal(30)  # °C: upper-zone MPE for water up to 30 °C and above
LOWEST_TEMPERATURE = Decimal("0.1")
HIGHEST_TEMPERATURE = Decimal(180)
IN_SERVICE_FACTOR = Decimal(2)

LOWER, UPPER = "lower", "upper"

# 4.2.2 and 4.2.3: MPE in % for (lower zone, upper zone up to 30 °C, upper zone above 30 °C).
_MPE: dict[int, tuple[Decimal, Decimal, Decimal]] = {
    1: (Decimal(3), Decimal(1), Decimal(2)),
    2: (Decimal(5), Decimal(2), Decimal(3)),
}

_R5 = tuple(Decimal(x) for x in ("1", "1.6", "2.5", "4", "6.3"))
_R10 = tuple(Decimal(x) for x in ("1", "1.25", "1.6", "2", "2.5", "3.15", "4", "5", "6.3", "8"))


@dataclass(frozen=True)
class FlowRates:
    """Q1 (minimum), Q2 (transitional), Q3 (permanent), Q4 (overload) and R = Q3/Q1."""

    q1: Decimal
    q2: Decimal
    q3: Decimal
    q4: Decimal
    ratio: Decimal


def normalize_class(value: Any) -> int:
    """The accuracy class, 1 or 2.

    >>> normalize_class("2")
    2
    >>> normalize_class("3")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the accuracy class of a water meter must be 1 or 2 (OIML R 49-1 4.2), not '3'
    """
    try:
        number = quantity(value, "the accuracy class")
    except InputError:
        number = None
    for cls in CLASSES:
        if number == cls:
            return cls
    raise InputError(
        f"the accuracy class of a water meter must be 1 or 2 (OIML R 49-1 4.2), not {value!r}"
    )


def flow_rates(q3: Any, ratio: Any) -> FlowRates:
    """Q1 = Q3/R, Q2 = 1.6 Q1, Q4 = 1.25 Q3, in the unit of Q3.

    >>> flow_rates("1.6", "100")
    FlowRates(q1=Decimal('0.016'), q2=Decimal('0.0256'), q3=Decimal('1.6'), q4=Decimal('2.000'), ratio=Decimal('100'))
    """
    permanent = positive(q3, "the permanent flow rate Q3")
    r = positive(ratio, "the ratio R = Q3/Q1")
    if r <= Q2_OVER_Q1:
        raise InputError(f"the ratio R = Q3/Q1 must be greater than 1.6 (Q2/Q1), not {ratio}")
    q1 = permanent / r
    return FlowRates(q1=q1, q2=Q2_OVER_Q1 * q1, q3=permanent, q4=Q4_OVER_Q3 * permanent, ratio=r)


def zone(flow_rate: Any, rates: FlowRates) -> str:
    """ "lower" for Q1 ≤ Q < Q2, "upper" for Q2 ≤ Q ≤ Q4; a flow outside Q1…Q4 is refused.

    >>> rates = flow_rates("2.5", "160")
    >>> zone(rates.q2, rates), zone("0.02", rates)
    ('upper', 'lower')
    >>> zone("4", rates)
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the flow rate 4 is above the overload flow rate Q4 = 3.125: R 49 sets no MPE there
    """
    q = non_negative(flow_rate, "the flow rate")
    if q < rates.q1:
        raise InputError(
            f"the flow rate {flow_rate} is below the minimum flow rate Q1 = "
            f"{rates.q1.normalize():f}: R 49 sets no MPE there"
        )
    if q > rates.q4:
        raise InputError(
            f"the flow rate {flow_rate} is above the overload flow rate Q4 = "
            f"{rates.q4.normalize():f}: R 49 sets no MPE there"
        )
    return LOWER if q < rates.q2 else UPPER


def relative_mpe(
    flow_rate: Any,
    *,
    q3: Any,
    ratio: Any,
    accuracy_class: Any,
    temperature: Any,
    in_service: bool = False,
) -> Decimal:
    """The MPE in % of the volume at this flow rate and water temperature (°C).

    >>> relative_mpe("3", q3="2.5", ratio="160", accuracy_class=1, temperature="30")
    Decimal('1')
    >>> relative_mpe("3", q3="2.5", ratio="160", accuracy_class=1, temperature="30.1")
    Decimal('2')
    >>> relative_mpe("0.02", q3="2.5", ratio="160", accuracy_class=2, temperature=50, in_service=True)
    Decimal('10')
    """
    cls = normalize_class(accuracy_class)
    t = quantity(temperature, "the water temperature")
    if not LOWEST_TEMPERATURE <= t <= HIGHEST_TEMPERATURE:
        raise InputError(
            f"the water temperature {temperature} °C is outside 0.1 °C … 180 °C, the range "
            "of R 49 temperature classes"
        )
    lower, upper_cold, upper_warm = _MPE[cls]
    where = zone(flow_rate, flow_rates(q3, ratio))
    if where == LOWER:
        value = lower
    else:
        value = upper_cold if t <= TEMPERATURE_SPLIT else upper_warm
    return value * IN_SERVICE_FACTOR if in_service else value


def mpe(
    volume: Any,
    flow_rate: Any,
    *,
    q3: Any,
    ratio: Any,
    accuracy_class: Any,
    temperature: Any,
    in_service: bool = False,
) -> Decimal:
    """The MPE on a volume passed at ``flow_rate``, in the unit of ``volume``.

    >>> mpe("200", "2.5", q3="2.5", ratio="160", accuracy_class=1, temperature=20)  # litres
    Decimal('2')
    """
    amount = positive(volume, "the volume")
    percent = relative_mpe(
        flow_rate,
        q3=q3,
        ratio=ratio,
        accuracy_class=accuracy_class,
        temperature=temperature,
        in_service=in_service,
    )
    return percent_of(percent, amount)


def _in_series(value: Decimal, series: tuple[Decimal, ...]) -> bool:
    mantissa = value.scaleb(-value.adjusted()).normalize()
    return mantissa in series


def check_meter(q3: Any, ratio: Any) -> tuple[str, ...]:
    """What does not fit R 49-1 4.1 in the marked Q3 (m³/h) and R (empty if all is well).

    >>> check_meter("2.5", "160")
    ()
    >>> check_meter("3", "150")
    ('Q3 = 3 m³/h is not a value of the series 1, 1.6, 2.5, 4, 6.3 × 10^k (OIML R 49-1 4.1)', 'R = 150 is not a value of the R 10 series 1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8 × 10^k (OIML R 49-1 4.1)')
    """
    permanent = positive(q3, "the permanent flow rate Q3")
    r = positive(ratio, "the ratio R = Q3/Q1")
    problems = []
    if not _in_series(permanent, _R5):
        problems.append(
            f"Q3 = {q3} m³/h is not a value of the series 1, 1.6, 2.5, 4, 6.3 × 10^k "
            "(OIML R 49-1 4.1)"
        )
    if not _in_series(r, _R10):
        problems.append(
            f"R = {ratio} is not a value of the R 10 series "
            "1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8 × 10^k (OIML R 49-1 4.1)"
        )
    return tuple(problems)
