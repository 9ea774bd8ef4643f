r"""Numbers of a D-SI 2.2 element (``si:real``, ``si:constant``, ``si:realListXMLList``,
``si:hybrid``) as rows of exact decimals.

Every number is ``Decimal(text)`` of the digits as written: ``0.000010`` stays ``0.000010``; no
float ever comes in between. An uncertainty written ``NaN`` is read as absent (``None``); a
value written ``NaN`` is kept as ``Decimal('NaN')`` for the caller to skip.

Uncertainty, for one value or per list element:

- ``si:expandedMU`` (and the deprecated ``si:expandedUnc``): U, k and p;
- ``si:standardMU``: the standard uncertainty u only (U, k stay None: the reader never guesses k);
- ``si:coverageIntervalMU`` (and deprecated ``si:coverageInterval``): u and p; the interval
  bounds are not read.

In a ``si:realListXMLList`` every list beside ``si:valueXMLList`` (units, labels, U, k, p) has
either one entry, which applies to every value (the D-SI rule), or exactly one per value;
anything else raises :class:`Mismatch`.

In a ``si:hybrid`` (one quantity in several units) the first alternative whose units are all
D-SI backslash units (no ``|``) is read, else the first one; PTB's example gives kelvin first.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dcc.xsd import SI

_SI = f"{{{SI}}}"

# (path to the block, U, k, p, u) inside si:real; the XMLList forms add "XMLList" to every tag.
_UNCERTAINTIES = (
    ("measurementUncertaintyUnivariate/expandedMU", "valueExpandedMU", "coverageFactor",
     "coverageProbability", None),
    ("measurementUncertaintyUnivariate/standardMU", None, None, None, "valueStandardMU"),
    ("measurementUncertaintyUnivariate/coverageIntervalMU", None, None, "coverageProbability",
     "valueStandardMU"),
    ("expandedUnc", "uncertainty", "coverageFactor", "coverageProbability", None),
    ("coverageInterval", None, None, "coverageProbability", "standardUnc"),
)  # fmt: skip

_NUMERIC = {_SI + tag for tag in ("real", "constant", "realListXMLList")}  # hybrid alternatives


class Mismatch(ValueError):
    """Lists of one D-SI element disagree in length: which entry goes with which is unknown."""


class Unsupported(ValueError):
    """A D-SI element the reader does not turn into numbers (si:complex, si:list...)."""


@dataclass(frozen=True)
class Row:
    """One value of a D-SI element, with what the element says of its uncertainty."""

    value: Decimal
    unit: str
    expanded_uncertainty: Decimal | None = None
    coverage_factor: Decimal | None = None
    coverage_probability: Decimal | None = None
    standard_uncertainty: Decimal | None = None
    label: str = ""


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        # The schema lets only decimal/scientific notation and NaN through; a caller that
        # reads an unvalidated document gets NaN rather than a crash.
        return Decimal("NaN")


def _no_nan(value: Decimal | None) -> Decimal | None:
    return None if value is None or value.is_nan() else value


def _text(parent: ET.Element, path: str) -> str | None:
    element = parent.find("/".join(_SI + tag for tag in path.split("/")))
    return None if element is None else (element.text or "")


def _spread(tokens: list[str] | None, n: int, what: str) -> list[str | None]:
    if not tokens:
        return [None] * n
    if len(tokens) == 1:
        return tokens * n
    if len(tokens) != n:
        raise Mismatch(f"{n} values but {len(tokens)} {what}")
    return tokens


def _uncertainty(element: ET.Element, suffix: str) -> dict[str, str | None]:
    for block, expanded, factor, probability, standard in _UNCERTAINTIES:
        path = "/".join(tag + suffix for tag in block.split("/"))
        found = element.find("/".join(_SI + tag for tag in path.split("/")))
        if found is None:
            continue
        fields = {"U": expanded, "k": factor, "p": probability, "u": standard}
        return {key: (_text(found, tag + suffix) if tag else None) for key, tag in fields.items()}
    return {}


def _single(element: ET.Element) -> list[Row]:
    """si:real or si:constant."""
    unc = _uncertainty(element, "")
    if element.tag == _SI + "constant":
        unc = {"u": _text(element, "valueStandardMU") or _text(element, "uncertainty")}
    values = {key: _no_nan(_decimal(text.strip())) if text else None for key, text in unc.items()}
    return [
        Row(
            value=_decimal((_text(element, "value") or "").strip()),
            unit=(_text(element, "unit") or "").strip(),
            expanded_uncertainty=values.get("U"),
            coverage_factor=values.get("k"),
            coverage_probability=values.get("p"),
            standard_uncertainty=values.get("u"),
            label=(_text(element, "label") or "").strip(),
        )
    ]


def _list(element: ET.Element) -> list[Row]:
    """si:realListXMLList."""
    values = (_text(element, "valueXMLList") or "").split()
    n = len(values)
    units = _spread((_text(element, "unitXMLList") or "").split(), n, "units")
    labels = _spread((_text(element, "labelXMLList") or "").split(), n, "labels")
    what = {"U": "expanded uncertainties", "k": "coverage factors", "p": "probabilities",
            "u": "standard uncertainties"}  # fmt: skip
    unc = {
        key: _spread(text.split() if text else None, n, what[key])
        for key, text in _uncertainty(element, "XMLList").items()
    }

    def number(key: str, i: int) -> Decimal | None:
        token = unc[key][i] if key in unc else None
        return _no_nan(_decimal(token)) if token else None

    return [
        Row(
            value=_decimal(values[i]),
            unit=units[i] or "",
            expanded_uncertainty=number("U", i),
            coverage_factor=number("k", i),
            coverage_probability=number("p", i),
            standard_uncertainty=number("u", i),
            label=labels[i] or "",
        )
        for i in range(n)
    ]


def _units(element: ET.Element) -> list[str]:
    if element.tag == _SI + "realListXMLList":
        return (_text(element, "unitXMLList") or "").split()
    return [(_text(element, "unit") or "").strip()]


def is_si_unit(unit: str) -> bool:
    r"""A machine-readable D-SI unit: backslash tokens only (``\kelvin``), no ``|``."""
    return unit.startswith("\\") and "|" not in unit


def rows(element: ET.Element) -> list[Row]:
    """The rows of a si:real, si:constant, si:realListXMLList or si:hybrid element.

    Raises :class:`Unsupported` for other D-SI elements and :class:`Mismatch` for lists that
    disagree in length.
    """
    tag = element.tag.removeprefix(_SI)
    if tag in ("real", "constant"):
        return _single(element)
    if tag == "realListXMLList":
        return _list(element)
    if tag == "hybrid":
        readable = [child for child in element if child.tag in _NUMERIC]
        if not readable:
            kinds = sorted({c.tag.removeprefix(_SI) for c in element})
            raise Unsupported(f"si:hybrid of {', '.join('si:' + k for k in kinds)}")
        chosen = next((c for c in readable if all(map(is_si_unit, _units(c)))), readable[0])
        return rows(chosen)
    raise Unsupported(f"si:{tag}" if element.tag.startswith(_SI) else element.tag)
