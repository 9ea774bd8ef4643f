"""Dynamic measuring systems for liquids other than water (fuel dispensers): OIML R 117-1:2007.

Rules followed (OIML R 117-1, edition 2007; the same rules and numbers are in Directive
2014/32/EU Annex VII, MI-005, 2.1–2.4, which was aligned with it):

- Table 1: accuracy classes 0.3, 0.5, 1.0, 1.5 and 2.5. Fuel dispensers for motor vehicles
  (other than for liquefied gases) are class 0.5 (:data:`FUEL_DISPENSER_CLASS`);
- Table 2: MPE on volume indications for quantities of 2 L or more, in % of the volume:
  line A for the complete measuring system, line B for the meter alone;
- Table 3: MPE for quantities under 2 L, from the Table 2 value (:func:`table_mpe`):

  ====================  ===========================================
  measured volume V     MPE
  ====================  ===========================================
  V < 0.1 L             4 × Table 2 value, applied to 0.1 L
  0.1 L ≤ V < 0.2 L     4 × Table 2 value
  0.2 L ≤ V < 0.4 L     2 × Table 2 value, applied to 0.4 L
  0.4 L ≤ V < 1 L       2 × Table 2 value
  1 L ≤ V < 2 L         Table 2 value, applied to 2 L
  ====================  ===========================================

- the minimum specified volume deviation Emin (:func:`emin`): for a minimum measured quantity
  MMQ ≥ 2 L, Emin = 2 × MMQ × A/100 with A the line-A value of the class; for MMQ < 2 L,
  Emin is twice the Table 3 value at MMQ, line A; in both cases Emin ≥ 2 R, R the smallest
  scale interval of the indicating device (:func:`check_measuring_system`);
- whatever the quantity, the MPE is the greater of the Table 2 or 3 value and Emin (:func:`mpe`).

R 117 gives no separate in-service MPE; national regulations may. The system is not verified
below its MMQ, so :func:`mpe` refuses a volume smaller than the MMQ.

Reference standard. In Viet Nam a fuel dispenser is verified against class II standard metal
vessels (bình chuẩn kim loại hạng II, OIML R 120 standard capacity measures) whose capacity
suits the delivery. The class of the vessel and its own MPE come from the national
verification procedure and the vessel's calibration certificate, not from R 117; nothing
here computes them.

Volumes are in litres unless ``unit`` says otherwise ("mL", "L", "dm3" or "m3"); the result is
in the same unit.

>>> mpe("20", "0.5", mmq="2")  # 20 L delivery from a class 0.5 dispenser, MMQ 2 L
Decimal('0.1')
>>> mpe("2", "0.5", mmq="2")  # at the MMQ, Emin = 2 × 2 L × 0.5 % = 0.02 L governs
Decimal('0.02')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.legal.quantities import percent_of, positive

CLASSES = (Decimal("0.3"), Decimal("0.5"), Decimal("1.0"), Decimal("1.5"), Decimal("2.5"))
FUEL_DISPENSER_CLASS = Decimal("0.5")
LINES = ("A", "B")

# Table 2: MPE in % of the volume, for V ≥ 2 L.
_TABLE_2: dict[str, dict[Decimal, Decimal]] = {
    "A": {
        Decimal("0.3"): Decimal("0.3"),
        Decimal("0.5"): Decimal("0.5"),
        Decimal("1.0"): Decimal("1.0"),
        Decimal("1.5"): Decimal("1.5"),
        Decimal("2.5"): Decimal("2.5"),
    },
    "B": {
        Decimal("0.3"): Decimal("0.2"),
        Decimal("0.5"): Decimal("0.3"),
        Decimal("1.0"): Decimal("0.6"),
        Decimal("1.5"): Decimal("1.0"),
        Decimal("2.5"): Decimal("1.5"),
    },
}

TWO_LITRES = Decimal(2)

LITRES_PER_UNIT = {
    "mL": Decimal("0.001"),
    "L": Decimal(1),
    "dm3": Decimal(1),
    "m3": Decimal(1000),
}


@dataclass(frozen=True)
class _Table3Row:
    lower: Decimal  # litres, included
    multiple: int  # of the Table 2 percentage
    applied_to: Decimal | None  # litres; None: applied to the volume itself


# Table 3, from the top band down: the first row whose lower limit the volume reaches applies.
_TABLE_3 = (
    _Table3Row(TWO_LITRES, 1, None),
    _Table3Row(Decimal(1), 1, TWO_LITRES),
    _Table3Row(Decimal("0.4"), 2, None),
    _Table3Row(Decimal("0.2"), 2, Decimal("0.4")),
    _Table3Row(Decimal("0.1"), 4, None),
    _Table3Row(Decimal(0), 4, Decimal("0.1")),
)


def normalize_class(value: Any) -> Decimal:
    """The accuracy class as a Decimal from Table 1 (0.3, 0.5, 1.0, 1.5 or 2.5).

    >>> normalize_class("1"), normalize_class(0.5)
    (Decimal('1.0'), Decimal('0.5'))
    >>> normalize_class("0.2")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the accuracy class must be one of 0.3, 0.5, 1.0, 1.5, 2.5 (OIML R 117-1 Table 1), not '0.2'
    """
    try:
        number = positive(value, "the accuracy class")
    except InputError:
        number = None
    for cls in CLASSES:
        if number == cls:
            return cls
    raise InputError(
        "the accuracy class must be one of "
        f"{', '.join(str(c) for c in CLASSES)} (OIML R 117-1 Table 1), not {value!r}"
    )


def _line(value: Any) -> str:
    name = str(value).strip().upper()
    if name not in LINES:
        raise InputError(
            f"the line of Table 2 must be A (measuring system) or B (meter), not {value!r}"
        )
    return name


def _litres(unit: str) -> Decimal:
    if unit not in LITRES_PER_UNIT:
        raise InputError(
            f"the unit of volume must be one of {', '.join(LITRES_PER_UNIT)}, not {unit!r}"
        )
    return LITRES_PER_UNIT[unit]


def relative_mpe(accuracy_class: Any, line: str = "A") -> Decimal:
    """The Table 2 value in %: line A for the measuring system, B for the meter alone.

    >>> relative_mpe("0.5"), relative_mpe("0.5", "B")
    (Decimal('0.5'), Decimal('0.3'))
    """
    return _TABLE_2[_line(line)][normalize_class(accuracy_class)]


def _table_mpe_litres(volume_l: Decimal, percent: Decimal) -> Decimal:
    for row in _TABLE_3:
        if volume_l >= row.lower:
            base = volume_l if row.applied_to is None else row.applied_to
            return percent_of(row.multiple * percent, base)
    raise AssertionError("Table 3 covers every volume from 0 up")  # pragma: no cover


def table_mpe(volume: Any, accuracy_class: Any, line: str = "A", *, unit: str = "L") -> Decimal:
    """The MPE of Table 2 (V ≥ 2 L) or Table 3 (V < 2 L), before Emin is considered.

    >>> table_mpe("1.5", "0.5"), table_mpe("0.5", "0.5"), table_mpe("0.05", "0.5")
    (Decimal('0.01'), Decimal('0.005'), Decimal('0.002'))
    """
    factor = _litres(unit)
    volume_l = positive(volume, "the volume") * factor
    return _table_mpe_litres(volume_l, relative_mpe(accuracy_class, line)) / factor


def emin(mmq: Any, accuracy_class: Any, *, unit: str = "L") -> Decimal:
    """The minimum specified volume deviation for a minimum measured quantity MMQ.

    MMQ ≥ 2 L: Emin = 2 × MMQ × A/100; MMQ < 2 L: twice the Table 3 value at MMQ (line A).

    >>> emin("5", "0.5"), emin("0.5", "0.5"), emin("500", "0.5", unit="mL")
    (Decimal('0.05'), Decimal('0.010'), Decimal('10.0'))
    """
    factor = _litres(unit)
    mmq_l = positive(mmq, "the minimum measured quantity") * factor
    percent = relative_mpe(accuracy_class, "A")
    if mmq_l >= TWO_LITRES:
        value = percent_of(percent, 2 * mmq_l)
    else:
        value = 2 * _table_mpe_litres(mmq_l, percent)
    return value / factor


def mpe(volume: Any, accuracy_class: Any, *, mmq: Any, line: str = "A", unit: str = "L") -> Decimal:
    """The MPE on a volume indication: the greater of the Table 2/3 value and Emin.

    ``volume`` is the volume delivered (at least the MMQ); the result is in its unit.

    >>> mpe("4", "0.5", mmq="2"), mpe("5", "0.5", mmq="2")
    (Decimal('0.02'), Decimal('0.025'))
    >>> mpe("1", "0.5", mmq="2")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the volume 1 L is less than the minimum measured quantity 2 L: R 117 sets no MPE below the MMQ
    """
    quantity_ = positive(volume, "the volume")
    smallest = positive(mmq, "the minimum measured quantity")
    if quantity_ < smallest:
        raise InputError(
            f"the volume {volume} {unit} is less than the minimum measured quantity {mmq} "
            f"{unit}: R 117 sets no MPE below the MMQ"
        )
    return max(
        table_mpe(quantity_, accuracy_class, line, unit=unit),
        emin(smallest, accuracy_class, unit=unit),
    )


def check_measuring_system(
    mmq: Any, scale_interval: Any, accuracy_class: Any, *, unit: str = "L"
) -> tuple[str, ...]:
    """What does not fit between the MMQ, the scale interval R and the class (empty if all is well).

    Condition 1: Emin ≥ 2 R. The MMQ is written 1, 2 or 5 × 10^n of the unit.

    >>> check_measuring_system("2", "0.01", "0.5")
    ()
    >>> check_measuring_system("2", "0.02", "0.5")
    ('Emin = 0.02 L is less than twice the scale interval R = 0.02 L: the MMQ is too small for this indicating device',)
    """
    value = emin(mmq, accuracy_class, unit=unit)
    interval = positive(scale_interval, "the scale interval R")
    problems = []
    if value < 2 * interval:
        problems.append(
            f"Emin = {value.normalize():f} {unit} is less than twice the scale interval "
            f"R = {scale_interval} {unit}: the MMQ is too small for this indicating device"
        )
    if positive(mmq, "the minimum measured quantity").normalize().as_tuple().digits not in (
        (1,),
        (2,),
        (5,),
    ):
        problems.append(f"the MMQ {mmq} {unit} must be 1, 2 or 5 × 10^n {unit}")
    return tuple(problems)
