"""Active electrical energy meters: base maximum permissible errors of OIML R 46-1/-2:2012.

R 46 (edition 2012) names the accuracy classes A, B, C and D and states the base MPE, at
reference conditions (reference temperature, voltage and frequency, balanced load), by
current range and power factor:

===================  =========================  =====  =====  =====  =====
current I            power factor               A      B      C      D
===================  =========================  =====  =====  =====  =====
Imin ≤ I < Itr       1                          2.5 %  1.5 %  1.0 %  0.4 %
Itr ≤ I ≤ Imax       1                          2.0 %  1.0 %  0.5 %  0.2 %
Itr ≤ I ≤ Imax       0.5 inductive … 0.8 cap.   2.5 %  1.5 %  0.6 %  0.3 %
===================  =========================  =====  =====  =====  =====

A current exactly at Itr belongs to the upper range. Below Itr the table gives an MPE at unity
power factor only, and no current outside Imin … Imax has one; both are refused. The MPE at
rated operating conditions (temperature, voltage, frequency and other influence quantities)
adds the permitted shifts of R 46-1 and is not computed here.

Note: the power-factor line for classes C and D (0.6 % and 0.3 %) and the class D line below
Itr (0.4 %) could not be checked against the printed R 46-1 table when this module was written;
they are the values of IEC 62053-22 classes 0.5 S and 0.2 S, from which classes C and D come.
Confirm them before issuing verification certificates on classes C and D.

Classes and IEC 62053 (:mod:`metrology.legal.iec62053`): at Itr ≤ I ≤ Imax and unity power
factor, class A has the limit of IEC 62053-21 class 2, B of class 1, C of IEC 62053-22 class
0.5 S and D of class 0.2 S (:data:`IEC_EQUIVALENT`). The current ranges differ (Imin, Itr
here; fractions of Ib or In there), so a meter is judged by the standard it was approved to.

Currents share one unit (A); the MPE comes back in the unit of the energy given (kWh, Wh…).

>>> relative_mpe("0.5", i_min="0.25", i_tr="0.5", i_max="60", accuracy_class="B")
Decimal('1.0')
>>> mpe("10", "5", i_min="0.25", i_tr="0.5", i_max="60", accuracy_class="A", power_factor="0.5L")
Decimal('0.25')
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.legal import power_factor as pf_
from metrology.legal.quantities import non_negative, percent_of, positive

CLASSES = ("A", "B", "C", "D")
IEC_EQUIVALENT = {"A": "2", "B": "1", "C": "0.5S", "D": "0.2S"}
INDUCTIVE_LIMIT = Decimal("0.5")
CAPACITIVE_LIMIT = Decimal("0.8")

# class: (Imin ≤ I < Itr at PF 1, Itr ≤ I ≤ Imax at PF 1, Itr ≤ I ≤ Imax at 0.5 ind … 0.8 cap)
_BASE_MPE: dict[str, tuple[Decimal, Decimal, Decimal]] = {
    "A": (Decimal("2.5"), Decimal("2.0"), Decimal("2.5")),
    "B": (Decimal("1.5"), Decimal("1.0"), Decimal("1.5")),
    "C": (Decimal("1.0"), Decimal("0.5"), Decimal("0.6")),
    "D": (Decimal("0.4"), Decimal("0.2"), Decimal("0.3")),
}


def normalize_class(value: Any) -> str:
    """The class letter, A, B, C or D.

    >>> normalize_class(" c ")
    'C'
    >>> normalize_class("1")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the accuracy class must be one of A, B, C, D (OIML R 46-1), not '1'; for IEC 62053 classes use metrology.legal.iec62053
    """
    name = str(value).strip().upper()
    if name not in CLASSES:
        raise InputError(
            f"the accuracy class must be one of {', '.join(CLASSES)} (OIML R 46-1), not "
            f"{value!r}; for IEC 62053 classes use metrology.legal.iec62053"
        )
    return name


def relative_mpe(
    current: Any,
    *,
    i_min: Any,
    i_tr: Any,
    i_max: Any,
    accuracy_class: Any,
    power_factor: Any = 1,
) -> Decimal:
    """The base MPE in % of the energy, at reference conditions.

    >>> relative_mpe("0.4", i_min="0.25", i_tr="0.5", i_max="60", accuracy_class="D", power_factor="0.8C")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: R 46 gives a base MPE below Itr = 0.5 only at unity power factor, not at 0.8 capacitive
    """
    cls = normalize_class(accuracy_class)
    low = positive(i_min, "the minimum current Imin")
    transitional = positive(i_tr, "the transitional current Itr")
    high = positive(i_max, "the maximum current Imax")
    if not low < transitional < high:
        raise InputError(
            f"the currents must satisfy Imin < Itr < Imax, not Imin = {i_min}, "
            f"Itr = {i_tr}, Imax = {i_max}"
        )
    i = non_negative(current, "the current")
    if not low <= i <= high:
        raise InputError(
            f"the current {current} is outside Imin = {i_min} … Imax = {i_max}: "
            "R 46 sets no MPE there"
        )
    pf = pf_.parse(power_factor)
    if not pf_.within(pf, INDUCTIVE_LIMIT, CAPACITIVE_LIMIT):
        raise InputError(
            f"the power factor {pf} is outside 0.5 inductive … 0.8 capacitive: R 46 sets no "
            "base MPE there"
        )
    below, unity, reactive = _BASE_MPE[cls]
    if i < transitional:
        if pf.kind != pf_.UNITY:
            raise InputError(
                f"R 46 gives a base MPE below Itr = {i_tr} only at unity power factor, not at {pf}"
            )
        return below
    return unity if pf.kind == pf_.UNITY else reactive


def mpe(
    energy: Any,
    current: Any,
    *,
    i_min: Any,
    i_tr: Any,
    i_max: Any,
    accuracy_class: Any,
    power_factor: Any = 1,
) -> Decimal:
    """The base MPE on an energy registered at ``current``, in the unit of ``energy``.

    >>> mpe("1", "5", i_min="0.25", i_tr="0.5", i_max="60", accuracy_class="C")
    Decimal('0.005')
    """
    amount = positive(energy, "the energy")
    percent = relative_mpe(
        current,
        i_min=i_min,
        i_tr=i_tr,
        i_max=i_max,
        accuracy_class=accuracy_class,
        power_factor=power_factor,
    )
    return percent_of(percent, amount)
