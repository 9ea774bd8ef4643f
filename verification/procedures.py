"""The tests each Recommendation asks of a verified instrument, as data, and their evaluation.

Pure functions on plain dicts of strings (no database): a page, the campaign entry page or an
import builds ``tests`` as ``{test key: [row, …]}``, each row a dict of the strings typed, and
:func:`evaluate` returns the results, JSON-serialisable (Decimals as strings), with the MPE and
the verdict of every row, of every test and of the instrument. Bad input raises a
``ValidationError`` whose messages name the test and the row.

- ``oiml_r76`` (scales): weighing at loads from Min to Max, eccentricity at about Max/3 at the
  centre and the four quarters, repeatability at one load, discrimination (1.4 d must change the
  indication). The specification (Max, e, d, class, unit) is checked against R 76-1 Table 3
  first: a scale whose marking does not fit its class is refused as a data error, not failed.
- ``oiml_r117`` (fuel dispensers): the volume delivered into a class II standard metal vessel at
  the maximum and minimum flow, and the minimum measured quantity (see "The procedure held").
- ``oiml_r49`` (water meters): the error at Q1, Q2 and Q3, the volume through the meter against
  the standard's.
- ``oiml_r46`` (electricity meters): the error (in %, read on the reference meter) at a few
  currents and power factors; classes A–D by R 46, classes 1, 2, 0.5 S, 0.2 S by IEC 62053.

Which MPE: every kind of verification in this LIMS (initial, periodic, after repair, after a mark
was lost or damaged) applies the MPE of verification, not the doubled MPE "in service". The
Vietnamese verification procedures (ĐLVN) judge a periodic verification (kiểm định định kỳ) by
the same table as the initial one; the in-service MPE of OIML R 76-1 3.5.2 (and the national
rule R 49 leaves open) is for inspection of instruments in use (kiểm tra nhà nước về đo lường),
which is not recorded here. :data:`IN_SERVICE_KINDS` is the one place to change that.

Every error passes when |error| ≤ MPE (:mod:`metrology.legal.verdict`): an error exactly equal to
the MPE passes.

The procedure held. :func:`evaluate` does not judge whatever rows it is given: the loads,
positions, flow rates, currents and points (the ``given`` columns) are those :func:`blank_tests`
draws for the instrument, row for row, and a row that differs is refused as a data error naming
the test and the row. So a scale is weighed at its band edges, at the centre and the four
quarters (R 76-1 3.6.2), three times (six for classes I and II, R 76-2 A.4.10) for repeatability;
a water meter at Q1, Q2 and Q3; an electricity meter at each current and power factor drawn.
The one exception is the dispenser's flow rate (``held=False``): it is what the nozzle gives,
read on the dispenser, not a value the verifier sets. For R 117 the rule is instead
(:data:`R117_BANDS`): one delivery at 0.8 Qmax or more (the test "at the maximum flow rate") and
one at 1.2 Qmin or less ("at the minimum flow rate"), within Qmin … Qmax as every delivery, and
the minimum-quantity test a delivery of the MMQ: the vessel holds at most 1.1 MMQ, and the
vessel or the dispenser shows at least the MMQ (a delivery stopped at the MMQ on the dispenser
that comes out short in the vessel is an error to judge, not a data error). OIML R 117 asks the
accuracy tests of a complete measuring system at its maximum and minimum flow rates and the test
of the MMQ; we found no tolerance it sets on "at". The bands are this lab's choice (those the
review of this module asked for) and are changed in :data:`R117_BANDS` alone.

Numbers. A value typed is read as a Decimal (a decimal comma is fine) and must be plausible for a
reading (:func:`_plausible`): at most 20 significant digits and, unless zero, between 10⁻¹² and
10¹² in size. "1e999999" is refused with a message naming the cell, never computed with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.errors import InputError
from metrology.legal import iec62053, oiml_r46, oiml_r49, oiml_r76, oiml_r117
from metrology.legal.verdict import verdict

D = Decimal

R76, R117, R49, R46 = "oiml_r76", "oiml_r117", "oiml_r49", "oiml_r46"

# The kinds of verification judged by the doubled MPE "in service": none (see the docstring).
IN_SERVICE_KINDS: frozenset[str] = frozenset()

REFERENCES = {
    R76: "OIML R 76-1:2006",
    R117: "OIML R 117-1:2007",
    R49: "OIML R 49-1:2013",
    R46: "OIML R 46:2012 / IEC 62053",
}


def in_service(kind: str) -> bool:
    return kind in IN_SERVICE_KINDS


# --- the shape of the data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One characteristic of the instrument in its specification."""

    key: str
    label: Promise
    choices: tuple[str, ...] = ()
    required: bool = True
    default: str = ""
    number: bool = True


@dataclass(frozen=True)
class Column:
    """One value of a row of a test. ``given`` columns are prefilled by :func:`blank_tests` (the
    load, the position, the flow rate); the others are the readings typed."""

    key: str
    label: Promise
    given: bool = False
    number: bool = True
    required: bool = True
    # a given value the procedure holds: each row's must equal the one blank_tests draws
    held: bool = True


@dataclass(frozen=True)
class Test:
    key: str
    title: Promise
    columns: tuple[Column, ...]
    min_rows: int = 1
    # the keys each evaluated row adds to the columns, in order
    outputs: tuple[str, ...] = ("error", "mpe")


@dataclass
class _Problems:
    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


LOAD = Column("load", gettext_lazy("load"), given=True)
# what the nozzle gives, read on the dispenser: drawn at Qmax and Qmin, not held there
DISPENSER_FLOW_RATE = Column("flow_rate", gettext_lazy("flow rate (L/min)"), given=True, held=False)
INDICATION = Column("indication", gettext_lazy("indication"))

ECCENTRICITY_POSITIONS = ("centre", "front-left", "back-left", "back-right", "front-right")

SPECIFICATIONS: dict[str, tuple[Field, ...]] = {
    R76: (
        Field("max", gettext_lazy("Max")),
        Field("e", gettext_lazy("verification scale interval e")),
        Field("d", gettext_lazy("actual scale interval d"), required=False),
        Field(
            "class", gettext_lazy("accuracy class"), oiml_r76.CLASSES, default="III", number=False
        ),
        Field("unit", gettext_lazy("unit"), ("g", "kg", "t"), default="kg", number=False),
    ),
    R117: (
        Field(
            "class",
            gettext_lazy("accuracy class"),
            tuple(str(c) for c in oiml_r117.CLASSES),
            default=str(oiml_r117.FUEL_DISPENSER_CLASS),
            number=False,
        ),
        Field("mmq", gettext_lazy("minimum measured quantity (L)")),
        Field("q_max", gettext_lazy("maximum flow rate (L/min)")),
        Field("q_min", gettext_lazy("minimum flow rate (L/min)")),
        Field("interval", gettext_lazy("scale interval (L)"), required=False),
    ),
    R49: (
        Field("q3", gettext_lazy("permanent flow rate Q3 (m³/h)")),
        Field("ratio", gettext_lazy("ratio R = Q3/Q1")),
        Field("class", gettext_lazy("accuracy class"), ("1", "2"), default="2", number=False),
    ),
    R46: (
        Field(
            "class",
            gettext_lazy("accuracy class"),
            oiml_r46.CLASSES + iec62053.CLASSES,
            default="B",
            number=False,
        ),
        Field("i_min", gettext_lazy("minimum current Imin (A), R 46"), required=False),
        Field("i_tr", gettext_lazy("transitional current Itr (A), R 46"), required=False),
        Field("i_ref", gettext_lazy("basic or rated current Ib / In (A), IEC"), required=False),
        Field("i_max", gettext_lazy("maximum current Imax (A)")),
        Field(
            "connection",
            gettext_lazy("connection"),
            iec62053.CONNECTIONS,
            required=False,
            default="direct",
            number=False,
        ),
    ),
}

TESTS: dict[str, tuple[Test, ...]] = {
    R76: (
        Test("weighing", gettext_lazy("Weighing"), (LOAD, INDICATION), min_rows=3),
        Test(
            "eccentricity",
            gettext_lazy("Eccentricity"),
            (
                Column("position", gettext_lazy("position"), given=True, number=False),
                LOAD,
                INDICATION,
            ),
            min_rows=len(ECCENTRICITY_POSITIONS),  # the centre and the four quarters
        ),
        Test("repeatability", gettext_lazy("Repeatability"), (LOAD, INDICATION), min_rows=3),
        Test(
            "discrimination",
            gettext_lazy("Discrimination"),
            (LOAD, INDICATION, Column("after", gettext_lazy("indication with 1.4 d added"))),
            outputs=("added", "change"),
        ),
    ),
    R117: (
        Test(
            "delivery",
            gettext_lazy("Delivery at maximum and minimum flow"),
            (
                DISPENSER_FLOW_RATE,
                Column("standard", gettext_lazy("volume in the standard vessel (L)")),
                Column("indication", gettext_lazy("volume indicated (L)")),
            ),
            min_rows=2,
            outputs=("error", "error_percent", "mpe", "mpe_percent"),
        ),
        Test(
            "minimum_quantity",
            gettext_lazy("Minimum measured quantity"),
            (
                DISPENSER_FLOW_RATE,
                Column("standard", gettext_lazy("volume in the standard vessel (L)")),
                Column("indication", gettext_lazy("volume indicated (L)")),
            ),
            outputs=("error", "error_percent", "mpe", "mpe_percent"),
        ),
    ),
    R49: (
        Test(
            "flow_rates",
            gettext_lazy("Errors at Q1, Q2 and Q3"),
            (
                Column("point", gettext_lazy("test point"), given=True, number=False),
                Column("flow_rate", gettext_lazy("flow rate (m³/h)"), given=True),
                Column("temperature", gettext_lazy("water temperature (°C)"), required=False),
                Column("standard", gettext_lazy("volume by the standard (L)")),
                Column("indication", gettext_lazy("volume indicated (L)")),
            ),
            min_rows=3,
            outputs=("error", "error_percent", "mpe", "mpe_percent"),
        ),
    ),
    R46: (
        Test(
            "accuracy",
            gettext_lazy("Errors at currents and power factors"),
            (
                Column("current", gettext_lazy("current (A)"), given=True),
                Column("power_factor", gettext_lazy("power factor"), given=True, number=False),
                Column("error", gettext_lazy("error (%)")),
            ),
            min_rows=5,
            outputs=("mpe",),
        ),
    ),
}

WATER_TEMPERATURE_ASSUMED = D(20)  # °C, when the row gives none: the stricter upper-zone MPE


def rules_for(recommendation: str) -> tuple[tuple[Field, ...], tuple[Test, ...]]:
    if recommendation not in TESTS:
        raise ValidationError(
            _("The LIMS has no verification rules for this instrument type yet."),
            code="no_rules",
        )
    return SPECIFICATIONS[recommendation], TESTS[recommendation]


# --- numbers ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    return str(value).strip().replace(",", ".")


def _number(text: str) -> Decimal | None:
    try:
        number = D(text)
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


# A reading is between 10⁻¹² and 10¹² in size (or zero) with at most 20 significant digits:
# every figure of a verification fits, and nothing computed from it overflows or takes a
# million characters to write.
LARGEST_EXPONENT = 12
MOST_DIGITS = 20


def _plausible(number: Decimal) -> bool:
    """Whether a finite Decimal is a plausible reading (see :data:`LARGEST_EXPONENT`).

    >>> [_plausible(D(x)) for x in ("0", "0.0001", "1e12", "1e13", "1e-13", "0e99", "1.5e-12")]
    [True, True, True, False, False, False, True]
    """
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    if exponent < -(LARGEST_EXPONENT + MOST_DIGITS) or exponent > LARGEST_EXPONENT:
        return False  # "0e99", or "1.000…" with forty zeros: no plain notation of sane length
    if number.is_zero():
        return True
    significant = len("".join(map(str, digits)).rstrip("0"))  # trailing zeros say nothing
    return -LARGEST_EXPONENT <= number.adjusted() <= LARGEST_EXPONENT and significant <= MOST_DIGITS


def _shown(text: str) -> str:
    """A value as quoted in a message: a long one cut, with an ellipsis."""
    return text if len(text) <= 24 else text[:20] + "…"


def _s(value: Decimal) -> str:
    """A Decimal for JSON: plain notation, its digits kept."""
    return format(value, "f")


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(D("0.001"))


# --- specification ------------------------------------------------------------------------------


def check_specification(recommendation: str, specification: Any) -> dict[str, str]:
    """The specification cleaned (strings, decimal commas read), or ValidationError naming what is
    missing, not a number, or does not fit the Recommendation (a data error: the verification
    is refused, not failed)."""
    fields, _tests = rules_for(recommendation)
    if not isinstance(specification, dict):
        raise ValidationError(_("The instrument's characteristics are missing."))
    problems = _Problems()
    clean: dict[str, str] = {}
    for f in fields:
        text = _text(specification.get(f.key)) or ("" if f.required else f.default)
        if not text:
            if f.required:
                problems.add(_("Give the %(field)s of the instrument.") % {"field": f.label})
            continue
        if f.choices:
            match = _choice(f.choices, text)
            if match is None:
                problems.add(
                    _("The %(field)s must be one of %(choices)s, not “%(value)s”.")
                    % {"field": f.label, "choices": ", ".join(f.choices), "value": text}
                )
                continue
            text = match
        elif f.number:
            number = _number(text)
            if number is not None and not _plausible(number):
                problems.add(
                    _(
                        "The %(field)s “%(value)s” is not a plausible value: at most 20 "
                        "significant digits, between 10⁻¹² and 10¹² in size."
                    )
                    % {"field": f.label, "value": _shown(text)}
                )
                continue
            if number is None or number <= 0:
                problems.add(
                    _("The %(field)s must be a number greater than zero, not “%(value)s”.")
                    % {"field": f.label, "value": _shown(text)}
                )
                continue
        clean[f.key] = text
    problems.raise_if_any()
    try:
        fits = _SPEC_CHECKS[recommendation](clean)
    except InputError as error:
        raise ValidationError(
            _("The instrument's characteristics do not fit %(rules)s: %(why)s.")
            % {"rules": REFERENCES[recommendation], "why": error}
        ) from error
    except ArithmeticError as error:  # figures each plausible, together beyond computing
        raise ValidationError(_computing_refusal()) from error
    if fits:
        raise ValidationError(
            [
                _("The instrument's characteristics do not fit %(rules)s: %(why)s.")
                % {"rules": REFERENCES[recommendation], "why": problem}
                for problem in fits
            ]
        )
    return clean


def _computing_refusal() -> str:
    return _(
        "The instrument's characteristics cannot be computed with: check their sizes and units."
    )


def _choice(choices: tuple[str, ...], text: str) -> str | None:
    """The choice written as typed, ignoring case and spaces, or equal as a number ("1" = "1.0")."""
    typed = text.upper().replace(" ", "")
    for choice in choices:
        if choice.upper() == typed:
            return choice
    number = _number(typed)
    if number is not None:
        for choice in choices:
            if _number(choice) == number:
                return choice
    return None


def _check_r76(spec: dict[str, str]) -> tuple[str, ...]:
    check = oiml_r76.check_instrument(
        spec["max"], spec["e"], spec["class"], unit=spec["unit"], d=spec.get("d")
    )
    if check.ok:
        spec["min"] = _s(check.min_capacity)
        spec["n"] = _s(check.n)
    return check.problems


def _check_r117(spec: dict[str, str]) -> tuple[str, ...]:
    problems: list[str] = []
    if "interval" in spec:
        problems += oiml_r117.check_measuring_system(spec["mmq"], spec["interval"], spec["class"])
    else:
        oiml_r117.emin(spec["mmq"], spec["class"])
    if "q_min" in spec and "q_max" in spec and D(spec["q_min"]) >= D(spec["q_max"]):
        problems.append(
            f"the minimum flow rate {spec['q_min']} L/min is not below the maximum "
            f"{spec['q_max']} L/min"
        )
    return tuple(problems)


def _check_r49(spec: dict[str, str]) -> tuple[str, ...]:
    problems = oiml_r49.check_meter(spec["q3"], spec["ratio"])
    if not problems:
        oiml_r49.flow_rates(spec["q3"], spec["ratio"])
    return problems


def _is_iec(spec: dict[str, str]) -> bool:
    return spec["class"] in iec62053.CLASSES


def _check_r46(spec: dict[str, str]) -> tuple[str, ...]:
    if _is_iec(spec):
        if "i_ref" not in spec:
            return ("an IEC 62053 class needs the basic or rated current Ib / In",)
        spec.setdefault("connection", "direct")
        iec62053.relative_mpe(
            spec["i_max"],
            reference_current=spec["i_ref"],
            i_max=spec["i_max"],
            accuracy_class=spec["class"],
            connection=spec["connection"],
        )
        for key in ("i_min", "i_tr"):
            spec.pop(key, None)
        return ()
    missing = [key for key in ("i_min", "i_tr") if key not in spec]
    if missing:
        return (f"an R 46 class needs Imin and Itr (missing: {', '.join(missing)})",)
    oiml_r46.relative_mpe(
        spec["i_max"],
        i_min=spec["i_min"],
        i_tr=spec["i_tr"],
        i_max=spec["i_max"],
        accuracy_class=spec["class"],
    )
    for key in ("i_ref", "connection"):
        spec.pop(key, None)
    return ()


_SPEC_CHECKS: dict[str, Callable[[dict[str, str]], tuple[str, ...]]] = {
    R76: _check_r76,
    R117: _check_r117,
    R49: _check_r49,
    R46: _check_r46,
}


# --- blank tests --------------------------------------------------------------------------------


def _about(value: Decimal, step: Decimal) -> Decimal:
    """A convenient load near ``value``: two significant digits, a whole number of ``step``,
    never below one step."""
    if value <= 0:
        return step
    rounded = value.quantize(D(1).scaleb(value.adjusted() - 1), rounding="ROUND_HALF_UP")
    whole = (rounded / step).to_integral_value(rounding="ROUND_HALF_UP") * step
    return max(whole, step).normalize()


def _row(test: Test, **given: Any) -> dict[str, str]:
    return {c.key: (_text(given[c.key]) if c.key in given else "") for c in test.columns}


def blank_tests(recommendation: str, specification: Any) -> dict[str, list[dict[str, str]]]:
    """The tests to fill for this instrument: every row with its given values (loads, positions,
    flow rates, currents) and its readings empty. ValidationError for a bad specification."""
    spec = check_specification(recommendation, specification)
    try:
        return _BLANKS[recommendation](spec)
    except (ArithmeticError, InputError) as error:
        raise ValidationError(_computing_refusal()) from error


def _blank_r76(spec: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    top, e = D(spec["max"]), D(spec["e"])
    smallest = D(spec["min"])
    loads = [smallest]
    for band in oiml_r76.bands(e, spec["class"]):  # the band limits: where the MPE changes
        if band.upper is not None and smallest < band.upper < top:
            loads.append(band.upper)
    loads.append(top)
    if len(loads) < 4:
        loads.append(_about(top / 2, e))
    loads = sorted(set(x.normalize() for x in loads))
    weighing, eccentricity, repeatability, discrimination = TESTS[R76]
    centre = _about(oiml_r76.eccentricity_test_load(top), e)
    half = _about(top / 2, e)
    times = 6 if spec["class"] in ("I", "II") else 3  # OIML R 76-2 A.4.10
    return {
        "weighing": [_row(weighing, load=_s(x)) for x in loads],
        "eccentricity": [
            _row(eccentricity, position=p, load=_s(centre)) for p in ECCENTRICITY_POSITIONS
        ],
        "repeatability": [_row(repeatability, load=_s(half)) for _n in range(times)],
        "discrimination": [
            _row(discrimination, load=_s(x)) for x in (smallest.normalize(), top.normalize())
        ],
    }


def _blank_r117(spec: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    delivery, smallest = TESTS[R117]
    return {
        "delivery": [
            _row(delivery, flow_rate=spec.get("q_max", "")),
            _row(delivery, flow_rate=spec.get("q_min", "")),
        ],
        "minimum_quantity": [_row(smallest, flow_rate=spec.get("q_min", ""))],
    }


def _blank_r49(spec: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    (test,) = TESTS[R49]
    rates = oiml_r49.flow_rates(spec["q3"], spec["ratio"])
    return {
        "flow_rates": [
            _row(test, point=name, flow_rate=_s(rate.normalize()))
            for name, rate in (("Q1", rates.q1), ("Q2", rates.q2), ("Q3", rates.q3))
        ]
    }


def _blank_r46(spec: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    (test,) = TESTS[R46]
    top = D(spec["i_max"])
    if _is_iec(spec):
        base = D(spec["i_ref"])
        small = spec["class"] in ("0.2S", "0.5S")
        lowest = D("0.01") if small else D("0.05") if spec["connection"] == "direct" else D("0.02")
        second = D("0.05") if small or spec["connection"] != "direct" else D("0.1")
        points = [(lowest * base, "1"), (second * base, "1"), (base, "1"), (base, "0.5L")]
        if spec["class"] not in iec62053.NO_CAPACITIVE_LIMITS:
            points.append((base, "0.8C"))
    else:
        low, transitional = D(spec["i_min"]), D(spec["i_tr"])
        reference = min(10 * transitional, top)
        points = [
            (low, "1"),
            (transitional, "1"),
            (reference, "1"),
            (reference, "0.5L"),
            (reference, "0.8C"),
        ]
    points.append((top, "1"))
    return {
        "accuracy": [_row(test, current=_s(i.normalize()), power_factor=pf) for i, pf in points]
    }


_BLANKS: dict[str, Callable[[dict[str, str]], dict[str, list[dict[str, str]]]]] = {
    R76: _blank_r76,
    R117: _blank_r117,
    R49: _blank_r49,
    R46: _blank_r46,
}


# --- reading the tests --------------------------------------------------------------------------


def clean_tests(recommendation: str, tests: Any) -> dict[str, list[dict[str, str]]]:
    """The tests as typed, checked for shape: every test of the rules, each a list of rows with
    every required value a number where a number is asked. Rows left wholly empty are dropped.
    ValidationError lists every problem, naming the test and the row."""
    _fields, definitions = rules_for(recommendation)
    if not isinstance(tests, dict):
        raise ValidationError(_("The tests must be given test by test."))
    problems = _Problems()
    known = {t.key for t in definitions}
    for key in tests:
        if key not in known:
            problems.add(_("“%(test)s” is not a test of these rules.") % {"test": key})
    clean: dict[str, list[dict[str, str]]] = {}
    for test in definitions:
        rows = tests.get(test.key)
        if rows is None:
            rows = []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            problems.add(
                _("%(test)s: the rows are not in the expected form.") % {"test": test.title}
            )
            continue
        kept = []
        for number, row in enumerate(rows, start=1):
            values = {c.key: _text(row.get(c.key)) for c in test.columns}
            if not any(values.values()):
                continue
            for column in test.columns:
                text = values[column.key]
                where = {"test": test.title, "row": number, "column": column.label}
                if not text:
                    if column.required:
                        problems.add(_("%(test)s, row %(row)s: the %(column)s is missing.") % where)
                    continue
                if not column.number:
                    continue
                value = _number(text)
                if value is None:
                    problems.add(
                        _(
                            "%(test)s, row %(row)s: the %(column)s must be a number, not “%(value)s”."
                        )
                        % {**where, "value": _shown(text)}
                    )
                elif not _plausible(value):
                    problems.add(
                        _(
                            "%(test)s, row %(row)s: the %(column)s “%(value)s” is not a plausible "
                            "reading: at most 20 significant digits, between 10⁻¹² and 10¹² in "
                            "size."
                        )
                        % {**where, "value": _shown(text)}
                    )
            kept.append(values)
        if len(kept) < test.min_rows:
            problems.add(
                _("%(test)s: at least %(n)s rows are needed, %(given)s given.")
                % {"test": test.title, "n": test.min_rows, "given": len(kept)}
            )
        clean[test.key] = kept
    problems.raise_if_any()
    return clean


# --- the procedure held ---------------------------------------------------------------------------

# R 117: the flow-rate bands of the tests "at the maximum flow rate" and "at the minimum flow
# rate", and the size of the delivery of the minimum-quantity test (see the module docstring).
R117_BANDS = {"at_q_max": D("0.8"), "at_q_min": D("1.2"), "mmq_at_most": D("1.1")}


def _same(column: Column, typed: str, drawn: str) -> bool:
    if column.number:
        return D(typed) == D(drawn)
    return typed.replace(" ", "").casefold() == drawn.replace(" ", "").casefold()


def hold_procedure(recommendation: str, spec: dict[str, str], clean: dict) -> None:
    """ValidationError unless the tests are those the procedure asks for this instrument: every
    held given value (load, position, flow rate, current, point) as :func:`blank_tests` draws
    it, row for row, in as many rows; for R 117 the flow-rate bands and the MMQ delivery.
    ``spec`` is checked, ``clean`` the tests as :func:`clean_tests` returns them."""
    try:
        blank = _BLANKS[recommendation](dict(spec))
    except (ArithmeticError, InputError) as error:
        raise ValidationError(_computing_refusal()) from error
    problems = _Problems()
    for test in TESTS[recommendation]:
        drawn, rows = blank.get(test.key, []), clean.get(test.key, [])
        held = [c for c in test.columns if c.given and c.held and any(r.get(c.key) for r in drawn)]
        if not held:
            continue
        if len(rows) != len(drawn):
            problems.add(
                _("%(test)s: the procedure asks for %(n)s rows, not %(given)s.")
                % {"test": test.title, "n": len(drawn), "given": len(rows)}
            )
            continue
        for number, (row, want) in enumerate(zip(rows, drawn, strict=True), start=1):
            for column in held:
                if not want.get(column.key) or _same(column, row[column.key], want[column.key]):
                    continue
                value = want[column.key]
                if column.key == "load" and spec.get("unit"):
                    value = f"{value} {spec['unit']}"
                problems.add(
                    _(
                        "%(test)s, row %(row)s: the %(column)s must be %(value)s, as the procedure asks."
                    )
                    % {"test": test.title, "row": number, "column": column.label, "value": value}
                )
    if recommendation == R117:
        _hold_r117(spec, clean, problems)
    problems.raise_if_any()


def _hold_r117(spec: dict[str, str], clean: dict, problems: _Problems) -> None:
    delivery, smallest = TESTS[R117]
    rates = [D(r["flow_rate"]) for r in clean.get("delivery", [])]
    if rates and "q_max" in spec and "q_min" in spec:
        high = (R117_BANDS["at_q_max"] * D(spec["q_max"])).normalize()
        low = (R117_BANDS["at_q_min"] * D(spec["q_min"])).normalize()
        if max(rates) < high:
            problems.add(
                _(
                    "%(test)s: one delivery must be at the maximum flow rate, %(rate)s L/min "
                    "(0.8 Qmax) or more."
                )
                % {"test": delivery.title, "rate": _s(high)}
            )
        if min(rates) > low:
            problems.add(
                _(
                    "%(test)s: one delivery must be at the minimum flow rate, %(rate)s L/min "
                    "(1.2 Qmin) or less."
                )
                % {"test": delivery.title, "rate": _s(low)}
            )
    mmq = D(spec["mmq"])
    most = (R117_BANDS["mmq_at_most"] * mmq).normalize()
    for number, row in enumerate(clean.get("minimum_quantity", []), start=1):
        standard, indication = D(row["standard"]), D(row["indication"])
        if standard > most or max(standard, indication) < mmq:
            problems.add(
                _(
                    "%(test)s, row %(row)s: the delivery must be of the minimum measured "
                    "quantity, %(mmq)s … %(most)s L, not %(volume)s L."
                )
                % {
                    "test": smallest.title,
                    "row": number,
                    "mmq": _s(mmq.normalize()),
                    "most": _s(most),
                    "volume": row["standard"],
                }
            )


# --- evaluation ---------------------------------------------------------------------------------


def evaluate(recommendation: str, specification: Any, kind: str, tests: Any) -> dict:
    """Every row's error, MPE and verdict, every test's verdict and the instrument's: it passes
    when every test passes. JSON-serialisable; ValidationError for bad input.

    The result holds the cleaned specification and tests, so that the same inputs give the same
    result, and issuing can check the stored result is still what the rules give."""
    spec = check_specification(recommendation, specification)
    clean = clean_tests(recommendation, tests)
    hold_procedure(recommendation, spec, clean)
    service = in_service(kind)
    problems = _Problems()
    results = []
    for test in TESTS[recommendation]:
        try:
            results.append(_EVALUATORS[test.key](test, spec, clean[test.key], service, problems))
        except InputError as error:  # a figure the rules refuse as a whole (e.g. a bad range)
            problems.add(_("%(test)s: %(why)s.") % {"test": test.title, "why": error})
        except ArithmeticError:  # readings each plausible, together beyond computing
            problems.add(
                _(
                    "%(test)s: the readings cannot be computed with (an error or a ratio too "
                    "large): check them."
                )
                % {"test": test.title}
            )
    problems.raise_if_any()
    failed = [r["key"] for r in results if not r["passed"]]
    return {
        "rules": recommendation,
        "reference": REFERENCES[recommendation],
        "in_service": service,
        "specification": spec,
        "tests": results,
        "failed": failed,
        "passed": not failed,
    }


def _row_error(problems: _Problems, test: Test, number: int, error: InputError) -> None:
    problems.add(
        _("%(test)s, row %(row)s: %(why)s.") % {"test": test.title, "row": number, "why": error}
    )


def _judge(row: dict, error: Decimal, limit: Decimal) -> bool:
    v = verdict(error, limit)
    row.update(error=_s(v.error), mpe=_s(limit.normalize()), passed=v.passed)
    return v.passed


def _test_result(test: Test, rows: list[dict], passed: bool, **summary: Any) -> dict:
    result = {"key": test.key, "rows": rows, "passed": passed}
    if summary:
        result["summary"] = summary
    return result


def _r76_rows(test, spec, rows, service, problems, *, increasing=False):
    top, e = D(spec["max"]), D(spec["e"])
    out, previous = [], None
    for number, row in enumerate(rows, start=1):
        load, indication = D(row["load"]), D(row["indication"])
        where = {"test": test.title, "row": number, "load": row["load"], "unit": spec["unit"]}
        if load < 0 or load > top:
            problems.add(
                _("%(test)s, row %(row)s: the load %(load)s %(unit)s is outside 0 … Max.") % where
            )
            continue
        if increasing and previous is not None and load <= previous:
            problems.add(
                _("%(test)s, row %(row)s: the loads must increase (%(load)s %(unit)s).") % where
            )
        previous = load
        result = dict(row)
        limit = oiml_r76.mpe(load, e, spec["class"], in_service=service)
        _judge(result, indication - load, limit)
        out.append(result)
    return out


def _weighing(test, spec, rows, service, problems):
    out = _r76_rows(test, spec, rows, service, problems, increasing=True)
    return _test_result(test, out, all(r["passed"] for r in out))


def _eccentricity(test, spec, rows, service, problems):
    out = _r76_rows(test, spec, rows, service, problems)
    return _test_result(test, out, all(r["passed"] for r in out))


def _repeatability(test, spec, rows, service, problems):
    loads = {D(r["load"]) for r in rows}
    if len(loads) > 1:
        problems.add(_("%(test)s: every reading is at the same load.") % {"test": test.title})
        return _test_result(test, [], False)
    out = _r76_rows(test, spec, rows, service, problems)
    if not out:
        return _test_result(test, [], False)
    load = loads.pop()
    limit = oiml_r76.mpe(load, spec["e"], spec["class"], in_service=service)
    spread = verdict(
        max(D(r["indication"]) for r in out) - min(D(r["indication"]) for r in out), limit
    )
    passed = spread.passed and all(r["passed"] for r in out)
    return _test_result(
        test,
        out,
        passed,
        spread=_s(spread.error),
        mpe=_s(limit.normalize()),
        spread_passed=spread.passed,
    )


def _discrimination(test, spec, rows, service, problems):
    d = D(spec.get("d") or spec["e"])
    added = oiml_r76.discrimination_load(d)
    out = []
    for number, row in enumerate(rows, start=1):
        if D(row["load"]) < 0 or D(row["load"]) > D(spec["max"]):
            problems.add(
                _("%(test)s, row %(row)s: the load %(load)s %(unit)s is outside 0 … Max.")
                % {"test": test.title, "row": number, "load": row["load"], "unit": spec["unit"]}
            )
            continue
        result = dict(row)
        change = D(row["after"]) - D(row["indication"])
        result.update(
            added=_s(added.normalize()),
            change=_s(change),
            passed=oiml_r76.discrimination_passes(row["indication"], row["after"], d),
        )
        out.append(result)
    return _test_result(test, out, all(r["passed"] for r in out))


def _volumes(test, spec, rows, service, problems, mpe_of):
    out = []
    for number, row in enumerate(rows, start=1):
        standard, indication = D(row["standard"]), D(row["indication"])
        if standard <= 0:
            problems.add(
                _("%(test)s, row %(row)s: the standard volume must be greater than zero.")
                % {"test": test.title, "row": number}
            )
            continue
        try:
            limit = mpe_of(row, standard, indication)
        except InputError as error:
            _row_error(problems, test, number, error)
            continue
        result = dict(row)
        error = indication - standard
        _judge(result, error, limit)
        result["error_percent"] = _s(_percent(error, standard))
        result["mpe_percent"] = _s(_percent(limit, standard))
        out.append(result)
    return _test_result(test, out, all(r["passed"] for r in out))


def _dispenser(test, spec, rows, service, problems):
    def limit(row, standard, indication):
        rate = D(row["flow_rate"])
        low, high = spec.get("q_min"), spec.get("q_max")
        if rate <= 0 or (low and rate < D(low)) or (high and rate > D(high)):
            raise InputError(
                f"the flow rate {row['flow_rate']} L/min is outside the dispenser's range "
                f"{low or '0'} … {high or '∞'} L/min"
            )
        # R 117 states the MPE in % of the volume measured, its conventional true value: the
        # standard's. Below the MMQ (a delivery of the MMQ that came out short) Emin governs,
        # the MPE at the MMQ.
        mmq = D(spec["mmq"])
        return oiml_r117.mpe(max(standard, mmq), spec["class"], mmq=mmq)

    return _volumes(test, spec, rows, service, problems, limit)


def _water(test, spec, rows, service, problems):
    def limit(row, standard, indication):
        temperature = D(row["temperature"]) if row.get("temperature") else WATER_TEMPERATURE_ASSUMED
        return oiml_r49.mpe(
            standard,
            row["flow_rate"],
            q3=spec["q3"],
            ratio=spec["ratio"],
            accuracy_class=spec["class"],
            temperature=temperature,
            in_service=service,
        )

    return _volumes(test, spec, rows, service, problems, limit)


def _electricity(test, spec, rows, service, problems):
    out = []
    for number, row in enumerate(rows, start=1):
        try:
            if _is_iec(spec):
                percent = iec62053.relative_mpe(
                    row["current"],
                    reference_current=spec["i_ref"],
                    i_max=spec["i_max"],
                    accuracy_class=spec["class"],
                    power_factor=row["power_factor"],
                    connection=spec.get("connection", "direct"),
                )
            else:
                percent = oiml_r46.relative_mpe(
                    row["current"],
                    i_min=spec["i_min"],
                    i_tr=spec["i_tr"],
                    i_max=spec["i_max"],
                    accuracy_class=spec["class"],
                    power_factor=row["power_factor"],
                )
        except InputError as error:
            _row_error(problems, test, number, error)
            continue
        result = dict(row)
        v = verdict(row["error"], percent)
        result.update(mpe=_s(percent.normalize()), passed=v.passed)
        out.append(result)
    return _test_result(test, out, all(r["passed"] for r in out))


_EVALUATORS = {
    "weighing": _weighing,
    "eccentricity": _eccentricity,
    "repeatability": _repeatability,
    "discrimination": _discrimination,
    "delivery": _dispenser,
    "minimum_quantity": _dispenser,
    "flow_rates": _water,
    "accuracy": _electricity,
}


def failed_tests(results: dict) -> list[str]:
    """The keys of the tests that failed, in the order of the rules."""
    return list(results.get("failed", []))


def title_of(recommendation: str, key: str) -> str:
    for test in TESTS.get(recommendation, ()):
        if test.key == key:
            return str(test.title)
    return key
