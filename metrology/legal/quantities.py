"""Reading the numbers the legal-metrology rules take: exact Decimals, checked for sign.

Every figure arrives as a technician or a form typed it (Decimal, str, int, or float read
through its shortest repr) and leaves as a finite Decimal, so that a band edge such as 500 e is
compared exactly. A bad number raises :class:`metrology.errors.InputError` (a ``ValueError``)
whose message names the figure.

>>> non_negative("0.000", "the load")
Decimal('0.000')
>>> positive(0, "the verification scale interval e")
Traceback (most recent call last):
...
metrology.errors.InputError: the verification scale interval e must be greater than zero, not 0
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.reporting import to_decimal

HUNDRED = Decimal(100)


def quantity(value: Any, what: str) -> Decimal:
    """A finite Decimal, or an :class:`InputError` that names ``what``."""
    return to_decimal(value, what)


def non_negative(value: Any, what: str) -> Decimal:
    """A finite Decimal ≥ 0."""
    d = quantity(value, what)
    if d < 0:
        raise InputError(f"{what} must not be negative, not {value}")
    return d


def positive(value: Any, what: str) -> Decimal:
    """A finite Decimal > 0."""
    d = quantity(value, what)
    if d <= 0:
        raise InputError(f"{what} must be greater than zero, not {value}")
    return d


def percent_of(percent: Decimal, amount: Decimal) -> Decimal:
    """``percent`` % of ``amount``, exactly.

    >>> percent_of(Decimal("0.5"), Decimal("20"))
    Decimal('0.1')
    """
    return percent * amount / HUNDRED
