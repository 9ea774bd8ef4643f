"""Power factor as electricity-meter tables write it: 1, 0.5 inductive (0.5L), 0.8 capacitive (0.8C).

The error tables of OIML R 46 and IEC 62053 give one line for unity power factor and one for
the range from 0.5 inductive through 1 to 0.8 capacitive. :func:`parse` reads what a
technician types; :func:`within` says whether a power factor lies in such a range.

>>> parse("0.5L"), parse("0,8 cap"), parse(1)
(PowerFactor(value=Decimal('0.5'), kind='inductive'), PowerFactor(value=Decimal('0.8'), kind='capacitive'), PowerFactor(value=Decimal('1'), kind='unity'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.legal.quantities import quantity

UNITY, INDUCTIVE, CAPACITIVE = "unity", "inductive", "capacitive"

_KINDS = {
    "l": INDUCTIVE,
    "ind": INDUCTIVE,
    "inductive": INDUCTIVE,
    "lag": INDUCTIVE,
    "lagging": INDUCTIVE,
    "c": CAPACITIVE,
    "cap": CAPACITIVE,
    "capacitive": CAPACITIVE,
    "lead": CAPACITIVE,
    "leading": CAPACITIVE,
}
_PATTERN = re.compile(r"^\s*([0-9]+(?:[.,][0-9]*)?)\s*([a-z]*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PowerFactor:
    """cos φ (0 < value ≤ 1) and whether the current lags (inductive) or leads (capacitive)."""

    value: Decimal
    kind: str

    def __str__(self) -> str:
        if self.kind == UNITY:
            return "1"
        return f"{self.value} {self.kind}"


def parse(value: Any) -> PowerFactor:
    """Read 1, "0.5L", "0.5 ind", "0,8C", "0.8 capacitive" (a bare number below 1 is refused).

    >>> parse("0.9")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: say whether the power factor 0.9 is inductive (L) or capacitive (C)
    """
    if isinstance(value, PowerFactor):
        return value
    match = _PATTERN.match(str(value))
    if match is None or match.group(2).lower() not in ("", *_KINDS):
        raise InputError(f"the power factor must be written like 1, 0.5L or 0.8C, not {value!r}")
    number = quantity(match.group(1).replace(",", "."), "the power factor")
    if not 0 < number <= 1:
        raise InputError(f"the power factor must lie between 0 and 1, not {value!r}")
    if number == 1:
        return PowerFactor(Decimal(1), UNITY)
    suffix = match.group(2).lower()
    if not suffix:
        raise InputError(f"say whether the power factor {value} is inductive (L) or capacitive (C)")
    return PowerFactor(number, _KINDS[suffix])


def within(pf: PowerFactor, inductive_limit: Decimal, capacitive_limit: Decimal | None) -> bool:
    """True when ``pf`` lies from ``inductive_limit`` inductive through 1 to ``capacitive_limit``.

    ``capacitive_limit`` None means the range has no capacitive side.

    >>> within(parse("0.6L"), Decimal("0.5"), Decimal("0.8")), within(parse("0.7C"), Decimal("0.5"), Decimal("0.8"))
    (True, False)
    """
    if pf.kind == UNITY:
        return True
    if pf.kind == INDUCTIVE:
        return pf.value >= inductive_limit
    return capacitive_limit is not None and pf.value >= capacitive_limit
