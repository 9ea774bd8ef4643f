"""The pass/fail rule of legal verification: an error conforms when |error| ≤ MPE.

The Recommendations state that errors "shall not exceed" the maximum permissible errors, so a
limit is itself permitted and an error exactly equal to the MPE passes. The uncertainty of the verification is kept small by the
Recommendations' rules on standards (for example OIML R 76-1:2006 3.7.1, one third of the MPE)
and is not subtracted here: this is simple acceptance (ILAC-G8:09/2019 4.2.1), the rule of
legal verification. :mod:`metrology.conformity` holds the guarded rules for calibration.

>>> conforms(Decimal("-0.5"), Decimal("0.5"))
True
>>> v = verdict("0.6", "0.5")
>>> v.passed, v.margin
(False, Decimal('-0.1'))
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.legal.quantities import non_negative, quantity


@dataclass(frozen=True)
class Verdict:
    """One error judged against its MPE: ``passed`` is |error| ≤ mpe.

    ``margin`` is mpe − |error|: zero or positive when the error passes, negative by the amount
    the error exceeds the MPE when it fails.
    """

    error: Decimal
    mpe: Decimal
    passed: bool

    @property
    def margin(self) -> Decimal:
        return self.mpe - abs(self.error)


def verdict(error: Any, mpe: Any) -> Verdict:
    """Judge an error (indication − conventional true value) against an MPE (a magnitude).

    >>> verdict("0.5", "0.5").passed
    True
    >>> verdict("0.1", "-0.5")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the maximum permissible error must not be negative, not -0.5
    """
    e = quantity(error, "the error")
    m = non_negative(mpe, "the maximum permissible error")
    return Verdict(error=e, mpe=m, passed=abs(e) <= m)


def conforms(error: Any, mpe: Any) -> bool:
    """True when |error| ≤ mpe: the boundary passes, as legal metrology does."""
    return verdict(error, mpe).passed


def spread(values: Any) -> Decimal:
    """Largest minus smallest of several results (used by repeatability tests).

    >>> spread(["10.000", "10.005", "9.995"])
    Decimal('0.010')
    """
    numbers = [quantity(v, f"result {i}") for i, v in enumerate(values, start=1)]
    if len(numbers) < 2:
        raise InputError("a repeatability test needs at least two results")
    return max(numbers) - min(numbers)
