"""Static active-energy meters of IEC 62053-21:2003 (classes 1, 2) and 62053-22:2003 (0.2 S, 0.5 S).

Percentage error limits for single-phase meters and polyphase meters with balanced loads, at
reference conditions (IEC 62053-21 Table 6, IEC 62053-22 Table 4). Currents are fractions of
the basic current Ib (direct-connected meters) or the rated current In (transformer-operated
meters); classes 0.2 S and 0.5 S are transformer-operated only.

Classes 1 and 2 (IEC 62053-21 Table 6):

=====================  =====================  ===================  =======  =======
direct-connected       transformer-operated   power factor         class 1  class 2
=====================  =====================  ===================  =======  =======
0.05 Ib ≤ I < 0.1 Ib   0.02 In ≤ I < 0.05 In  1                    1.5 %    2.5 %
0.1 Ib ≤ I ≤ Imax      0.05 In ≤ I ≤ Imax     1                    1.0 %    2.0 %
0.1 Ib ≤ I < 0.2 Ib    0.05 In ≤ I < 0.1 In   0.5 ind … 0.8 cap    1.5 %    2.5 %
0.2 Ib ≤ I ≤ Imax      0.1 In ≤ I ≤ Imax      0.5 ind … 0.8 cap    1.0 %    2.0 %
=====================  =====================  ===================  =======  =======

Class 2 has limits at 0.5 inductive but none on the capacitive side.

Classes 0.2 S and 0.5 S (IEC 62053-22 Table 4):

=====================  ===================  ========  ========
transformer-operated   power factor         0.2 S     0.5 S
=====================  ===================  ========  ========
0.01 In ≤ I < 0.05 In  1                    0.4 %     1.0 %
0.05 In ≤ I ≤ Imax     1                    0.2 %     0.5 %
0.02 In ≤ I < 0.1 In   0.5 ind … 0.8 cap    0.5 %     1.0 %
0.1 In ≤ I ≤ Imax      0.5 ind … 0.8 cap    0.3 %     0.6 %
=====================  ===================  ========  ========

The table gives the test points 0.5 inductive and 0.8 capacitive; a power factor between one
of them and 1 takes the same line. The limits "when specially requested" (0.25 inductive, 0.5
capacitive) are not included. A current on a range limit belongs to the upper range. For the
OIML R 46 classes these correspond to, see :data:`metrology.legal.oiml_r46.IEC_EQUIVALENT`.

>>> relative_mpe("0.5", reference_current="5", i_max="60", accuracy_class="1")  # 0.1 Ib
Decimal('1.0')
>>> relative_mpe("0.25", reference_current="5", i_max="6", accuracy_class="0.5S", connection="transformer", power_factor="0.5L")
Decimal('1.0')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from metrology.errors import InputError
from metrology.legal import power_factor as pf_
from metrology.legal.quantities import non_negative, percent_of, positive

CLASSES = ("1", "2", "0.2S", "0.5S")
CONNECTIONS = ("direct", "transformer")
INDUCTIVE_LIMIT = Decimal("0.5")
CAPACITIVE_LIMIT = Decimal("0.8")


@dataclass(frozen=True)
class _Line:
    lower: Decimal  # fraction of Ib or In, included
    upper: Decimal | None  # fraction of Ib or In, excluded; None: up to Imax included
    unity: bool  # True: power factor 1; False: 0.5 inductive … 0.8 capacitive
    percent: Decimal


def _lines(*rows: tuple[str, str | None, bool, str]) -> tuple[_Line, ...]:
    return tuple(
        _Line(Decimal(lo), None if hi is None else Decimal(hi), unity, Decimal(pc))
        for lo, hi, unity, pc in rows
    )


PF1, REACTIVE = True, False

# IEC 62053-21 Table 6 and IEC 62053-22 Table 4, by (class, connection).
_TABLES: dict[tuple[str, str], tuple[_Line, ...]] = {
    ("1", "direct"): _lines(
        ("0.05", "0.1", PF1, "1.5"),
        ("0.1", None, PF1, "1.0"),
        ("0.1", "0.2", REACTIVE, "1.5"),
        ("0.2", None, REACTIVE, "1.0"),
    ),
    ("2", "direct"): _lines(
        ("0.05", "0.1", PF1, "2.5"),
        ("0.1", None, PF1, "2.0"),
        ("0.1", "0.2", REACTIVE, "2.5"),
        ("0.2", None, REACTIVE, "2.0"),
    ),
    ("1", "transformer"): _lines(
        ("0.02", "0.05", PF1, "1.5"),
        ("0.05", None, PF1, "1.0"),
        ("0.05", "0.1", REACTIVE, "1.5"),
        ("0.1", None, REACTIVE, "1.0"),
    ),
    ("2", "transformer"): _lines(
        ("0.02", "0.05", PF1, "2.5"),
        ("0.05", None, PF1, "2.0"),
        ("0.05", "0.1", REACTIVE, "2.5"),
        ("0.1", None, REACTIVE, "2.0"),
    ),
    ("0.2S", "transformer"): _lines(
        ("0.01", "0.05", PF1, "0.4"),
        ("0.05", None, PF1, "0.2"),
        ("0.02", "0.1", REACTIVE, "0.5"),
        ("0.1", None, REACTIVE, "0.3"),
    ),
    ("0.5S", "transformer"): _lines(
        ("0.01", "0.05", PF1, "1.0"),
        ("0.05", None, PF1, "0.5"),
        ("0.02", "0.1", REACTIVE, "1.0"),
        ("0.1", None, REACTIVE, "0.6"),
    ),
}
NO_CAPACITIVE_LIMITS = ("2",)  # IEC 62053-21 Table 6: class 2 has no 0.8 capacitive line


def normalize_class(value: Any) -> str:
    """The class as IEC writes it: "1", "2", "0.2S" or "0.5S" ("0,5 S", "1.0" accepted).

    >>> normalize_class("0,5 s"), normalize_class(1.0)
    ('0.5S', '1')
    """
    name = str(value).strip().upper().replace(",", ".").replace(" ", "")
    name = {"1.0": "1", "2.0": "2"}.get(name, name)
    if name not in CLASSES:
        raise InputError(
            f"the accuracy class must be one of {', '.join(CLASSES)} (IEC 62053-21/-22), "
            f"not {value!r}"
        )
    return name


def _connection(value: str) -> str:
    if value not in CONNECTIONS:
        raise InputError(f"the connection must be direct or transformer, not {value!r}")
    return value


def relative_mpe(
    current: Any,
    *,
    reference_current: Any,
    i_max: Any,
    accuracy_class: Any,
    power_factor: Any = 1,
    connection: str = "direct",
) -> Decimal:
    """The percentage error limit at this current and power factor.

    ``reference_current`` is Ib for a direct-connected meter, In for a transformer-operated one.

    >>> relative_mpe("0.2", reference_current="5", i_max="60", accuracy_class="1")
    Traceback (most recent call last):
    ...
    metrology.errors.InputError: the current 0.2 is below 0.05 Ib = 0.25 at power factor 1: IEC 62053 sets no limit there
    """
    cls = normalize_class(accuracy_class)
    link = _connection(connection)
    if cls in ("0.2S", "0.5S") and link != "transformer":
        raise InputError(f"class {cls} meters are transformer-operated (IEC 62053-22)")
    base = positive(reference_current, "the reference current Ib or In")
    high = positive(i_max, "the maximum current Imax")
    if high <= base:
        raise InputError(
            f"Imax = {i_max} must be larger than the reference current {reference_current}"
        )
    i = non_negative(current, "the current")
    if i > high:
        raise InputError(
            f"the current {current} is above Imax = {i_max}: IEC 62053 sets no limit there"
        )
    pf = pf_.parse(power_factor)
    if not pf_.within(pf, INDUCTIVE_LIMIT, CAPACITIVE_LIMIT):
        raise InputError(
            f"the power factor {pf} is outside 0.5 inductive … 0.8 capacitive: only the limits "
            "on special request apply there, and they are not implemented"
        )
    if cls in NO_CAPACITIVE_LIMITS and pf.kind == pf_.CAPACITIVE:
        raise InputError(
            f"IEC 62053-21 gives class {cls} no limit at a capacitive power factor ({pf})"
        )
    unity = pf.kind == pf_.UNITY
    lines = [line for line in _TABLES[(cls, link)] if line.unity == unity]
    for line in lines:
        start = line.lower * base
        end = None if line.upper is None else line.upper * base
        if start <= i and (end is None or i < end):
            return line.percent
    lowest = min(line.lower for line in lines)
    symbol = "Ib" if link == "direct" else "In"
    raise InputError(
        f"the current {current} is below {lowest.normalize():f} {symbol} = "
        f"{(lowest * base).normalize():f} at power factor {pf}: IEC 62053 sets no limit there"
    )


def mpe(
    energy: Any,
    current: Any,
    *,
    reference_current: Any,
    i_max: Any,
    accuracy_class: Any,
    power_factor: Any = 1,
    connection: str = "direct",
) -> Decimal:
    """The error limit on an energy registered at ``current``, in the unit of ``energy``.

    >>> mpe("2", "10", reference_current="10", i_max="60", accuracy_class="2")
    Decimal('0.04')
    """
    amount = positive(energy, "the energy")
    percent = relative_mpe(
        current,
        reference_current=reference_current,
        i_max=i_max,
        accuracy_class=accuracy_class,
        power_factor=power_factor,
        connection=connection,
    )
    return percent_of(percent, amount)
