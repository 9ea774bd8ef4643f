"""Rounding and wording of a measurement result for a certificate.

The rule implemented, in one place for the whole laboratory:

1. The expanded uncertainty U is stated with at most two significant digits (GUM 7.2.6,
   ILAC P14:09/2020 section 5, EA-4/02 section 6).
2. U is rounded to nearest, ties away from zero (0.0585 → 0.059, as EA-4/02's examples do),
   **except** that it is rounded up whenever rounding to nearest would lower it by more than 5 %
   (EA-4/02 6.3; GUM 7.2.6 allows rounding up, e.g. 10.47 mΩ → 11 mΩ). At two significant digits
   rounding to nearest never lowers U by more than 4.8 % (1.0499 → 1.0), so the exception only
   acts when one digit is asked for (0.0148 → 0.02, not 0.01). Rounding to nearest rather than
   always up is chosen because the 5 % guard already keeps U from being understated, and an
   always-up rule adds up to 10 % to every uncertainty a customer reads.
3. A laboratory never reports a U smaller than its CMC for that range (ILAC P14): U is first
   raised to the CMC, and if rounding then lands below the CMC it is rounded up instead.
4. The value is rounded to the decimal place of the last digit of the rounded U, ties away from
   zero (GUM 7.2.6: 10.057 62 Ω with u = 27 mΩ is reported as 10.058 Ω).

Numbers are handled as :class:`~decimal.Decimal`; a float is read through its shortest ``repr``,
so 0.0585 is 0.0585 and not the binary 0.058499999….

>>> r = report(100.0125002184, 0.0011274, 2.0, unit="Ω")
>>> r.text("en")
'100.0125 Ω ± 0.0011 Ω (k = 2.00, p ≈ 95 %)'
>>> r.text("vi")
'100,0125 Ω ± 0,0011 Ω (k = 2,00, p ≈ 95 %)'
>>> r.value, r.U, r.decimals
(Decimal('100.0125'), Decimal('0.0011'), 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from metrology.errors import InputError

LANGUAGES = ("en", "vi")
_UP_WHEN_LOWER_BY = Decimal("0.05")


def to_decimal(x: Any, what: str = "the number") -> Decimal:
    """A finite Decimal from a Decimal, int, str or float (read through its shortest repr).

    >>> to_decimal(0.0585), to_decimal("10.10")
    (Decimal('0.0585'), Decimal('10.10'))
    """
    if isinstance(x, bool):
        raise InputError(f"{what} must be a number, not {x!r}")
    try:
        d = Decimal(repr(x)) if isinstance(x, float) else Decimal(str(x).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise InputError(f"{what} must be a number, not {x!r}") from None
    if not d.is_finite():
        raise InputError(f"{what} must be a finite number, not {x!r}")
    return d


def round_uncertainty(U: Any, significant: int = 2) -> Decimal:
    """Round an uncertainty to ``significant`` digits by the rule in the module docstring.

    >>> round_uncertainty(0.0585), round_uncertainty(72.8), round_uncertainty(0.01666)
    (Decimal('0.059'), Decimal('73'), Decimal('0.017'))
    >>> round_uncertainty(0.0148, significant=1)  # nearest (0.01) would lower U by 32 %
    Decimal('0.02')
    >>> round_uncertainty(9.96), round_uncertainty(1200)
    (Decimal('10'), Decimal('1.2E+3'))
    """
    d = to_decimal(U, "the uncertainty")
    if d <= 0:
        raise InputError(f"the uncertainty must be positive to set the reported digits, not {U}")
    if significant not in (1, 2):
        raise InputError("an uncertainty is reported with one or two significant digits")
    quantum = Decimal(1).scaleb(d.adjusted() - significant + 1)
    rounded = d.quantize(quantum, ROUND_HALF_UP)
    if (d - rounded) / d > _UP_WHEN_LOWER_BY:
        rounded = d.quantize(quantum, ROUND_CEILING)
    if rounded.adjusted() > d.adjusted():  # 9.96 -> 10.0 carried into a new digit: keep two
        rounded = rounded.quantize(quantum.scaleb(1), ROUND_HALF_UP)
    return rounded


def format_number(x: Decimal, lang: str = "en") -> str:
    """Plain positional notation with the decimal mark of ``lang`` (Vietnamese uses a comma).

    >>> format_number(Decimal("1.2E+3"), "en"), format_number(Decimal("-0.0125"), "vi")
    ('1200', '-0,0125')
    """
    _check_lang(lang)
    text = format(x, "f")
    return text.replace(".", ",") if lang == "vi" else text


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InputError(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")


@dataclass(frozen=True)
class Reported:
    """A result as a certificate states it: value and U to the same decimal place, and k.

    ``decimals`` is the number of decimal places of both (negative when U is rounded to tens,
    hundreds...). ``cmc_applied`` says the calculated U was below the CMC and was raised to it.
    """

    value: Decimal
    U: Decimal
    k: Decimal
    decimals: int
    coverage: float
    unit: str
    cmc_applied: bool
    U_calculated: Decimal

    def text(self, lang: str = "en") -> str:
        """The sentence a certificate prints, e.g. ``100.0125 Ω ± 0.0011 Ω (k = 2.00, p ≈ 95 %)``."""
        unit = f" {self.unit}" if self.unit else ""
        value, U, k = (format_number(x, lang) for x in (self.value, self.U, self.k))
        percent = format_number(_percent(self.coverage), lang)
        return f"{value}{unit} ± {U}{unit} (k = {k}, p ≈ {percent} %)"

    @property
    def text_en(self) -> str:
        return self.text("en")

    @property
    def text_vi(self) -> str:
        return self.text("vi")


def _percent(coverage: float) -> Decimal:
    percent = (to_decimal(coverage) * 100).normalize()
    return percent.quantize(Decimal(1)) if percent == percent.to_integral() else percent


def report(
    value: Any,
    U: Any,
    k: Any,
    *,
    coverage: float = 0.95,
    unit: str = "",
    cmc: Any = None,
    significant: int = 2,
) -> Reported:
    """Round ``value`` and its expanded uncertainty ``U`` for a certificate.

    ``cmc`` is the laboratory's CMC (as an expanded uncertainty in the same unit) at this point;
    the reported U is never below it.

    >>> report(10.05762, 0.054, 2, unit="Ω").text()  # GUM 7.2.6: 10.058 Ω
    '10.058 Ω ± 0.054 Ω (k = 2.00, p ≈ 95 %)'
    >>> r = report(20.0031, 0.0042, 2, unit="°C", cmc="0.01")
    >>> r.text(), r.cmc_applied
    ('20.003 °C ± 0.010 °C (k = 2.00, p ≈ 95 %)', True)
    """
    y = to_decimal(value, "the value")
    U_calc = to_decimal(U, "the expanded uncertainty")
    k_d = to_decimal(k, "the coverage factor k")
    if k_d <= 0:
        raise InputError(f"the coverage factor k must be positive, not {k}")
    if not 0.0 < float(coverage) < 1.0:
        raise InputError(f"the coverage probability must be between 0 and 1, not {coverage}")
    floor = None if cmc is None else to_decimal(cmc, "the CMC")
    if floor is not None and floor <= 0:
        raise InputError(f"the CMC must be positive, not {cmc}")
    raised = floor is not None and floor > U_calc
    U_rounded = round_uncertainty(floor if raised else U_calc, significant)
    bumped = floor is not None and U_rounded < floor
    if bumped:
        U_rounded = floor.quantize(U_rounded, ROUND_CEILING)
        if U_rounded.adjusted() > floor.adjusted():
            U_rounded = round_uncertainty(U_rounded, significant)
    exponent = U_rounded.as_tuple().exponent
    assert isinstance(exponent, int)
    return Reported(
        value=y.quantize(Decimal(1).scaleb(exponent), ROUND_HALF_UP),
        U=U_rounded,
        k=k_d.quantize(Decimal("0.01"), ROUND_HALF_UP),
        decimals=-exponent,
        coverage=float(coverage),
        unit=unit,
        cmc_applied=bool(raised or bumped),
        U_calculated=U_calc,
    )
