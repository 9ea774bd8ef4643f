"""Summary of the repeated readings taken at one calibration point (a Type A evaluation).

Readings arrive as the technician typed them (Decimal, or str, int, float). The mean is
computed exactly in Decimal and also returned rounded to one more decimal place than the most
precise reading; the spread is computed in float from the exact deviations from the mean, so
readings like 10 000.000 1 and 10 000.000 3 lose nothing to cancellation.

>>> s = summarize(["10.012", "10.015", "10.011", "10.014"])
>>> s.mean_decimal, s.n, s.dof
(Decimal('10.0130'), 4, 3)
>>> round(s.s, 7), round(s.s_mean, 7)
(0.0018257, 0.0009129)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from metrology.errors import InputError
from metrology.reporting import to_decimal


@dataclass(frozen=True)
class ReadingSummary:
    """Mean and spread of n readings.

    ``s`` is the experimental standard deviation s(q) (divisor n − 1) and ``s_mean`` the
    experimental standard deviation of the mean s(q̄) = s(q)/√n (GUM 4.2.2, 4.2.3), both ``None``
    for a single reading. ``decimals`` is the number of decimal places of the most precise reading.
    """

    n: int
    mean: float
    mean_decimal: Decimal
    s: float | None
    s_mean: float | None
    dof: int
    decimals: int


def summarize(readings: Iterable[Any]) -> ReadingSummary:
    """Mean, experimental standard deviation and standard deviation of the mean.

    >>> summarize([Decimal("5.0")]).s is None
    True
    >>> summarize(["1.0", "abc"])
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: reading 2 must be a number, not 'abc'
    """
    values = [to_decimal(x, f"reading {i}") for i, x in enumerate(readings, start=1)]
    if not values:
        raise InputError("there are no readings")
    n = len(values)
    decimals = max(max(0, -int(v.as_tuple().exponent)) for v in values)
    with localcontext() as ctx:
        ctx.prec = 60
        mean_exact = sum(values, Decimal(0)) / n
        deviations = [float(v - mean_exact) for v in values]
        mean_decimal = mean_exact.quantize(Decimal(1).scaleb(-(decimals + 1)), ROUND_HALF_UP)
    if n == 1:
        s = s_mean = None
    else:
        s = math.sqrt(math.fsum(d * d for d in deviations) / (n - 1))
        s_mean = s / math.sqrt(n)
    return ReadingSummary(
        n=n,
        mean=float(mean_exact),
        mean_decimal=mean_decimal,
        s=s,
        s_mean=s_mean,
        dof=n - 1,
        decimals=decimals,
    )
