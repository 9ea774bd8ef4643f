r"""D-SI unit strings (``\kilo\pascal``) as the plain symbols the lab writes (``kPa``).

A D-SI unit is a sequence of backslash tokens: an optional SI prefix and a unit, each optionally
raised with ``\tothe{n}``; ``\per`` (D-SI 1.x, siunitx style) inverts the next unit and
``\square``/``\cubic`` (or ``\squared``/``\cubed`` after it) square or cube it. Non-SI units may
be marked with ``|`` instead of ``\`` (``|bar``). :func:`plain_unit` turns any such sequence made
of known tokens into a symbol; anything else comes back unchanged, so nothing is ever lost.

>>> plain_unit(r"\kilogram"), plain_unit(r"\milli\gram"), plain_unit(r"\degreecelsius")
('kg', 'mg', '°C')
>>> plain_unit(r"\kilo\pascal"), plain_unit(r"\micro\ohm"), plain_unit(r"\percent")
('kPa', 'µΩ', '%')
>>> plain_unit(r"\metre\tothe{3}"), plain_unit(r"\cubic\metre"), plain_unit(r"\milli\litre")
('m³', 'm³', 'mL')
>>> plain_unit(r"\kilogram\metre\tothe{-3}"), plain_unit(r"\metre\per\second")
('kg/m³', 'm/s')
>>> plain_unit(r"\newton\metre"), plain_unit(r"\metre\second\tothe{-2}\kilogram\tothe{-1}")
('N·m', 'm·s⁻²·kg⁻¹')
>>> plain_unit(r"\one"), plain_unit("|bar")
('1', 'bar')
>>> plain_unit(r"\furlong\per\fortnight")  # unknown: unchanged
'\\furlong\\per\\fortnight'
"""

import re
from fractions import Fraction

PREFIXES = {
    "quetta": "Q",
    "ronna": "R",
    "yotta": "Y",
    "zetta": "Z",
    "exa": "E",
    "peta": "P",
    "tera": "T",
    "giga": "G",
    "mega": "M",
    "kilo": "k",
    "hecto": "h",
    "deca": "da",
    "deci": "d",
    "centi": "c",
    "milli": "m",
    "micro": "µ",  # U+00B5, as typed elsewhere in the LIMS
    "nano": "n",
    "pico": "p",
    "femto": "f",
    "atto": "a",
    "zepto": "z",
    "yocto": "y",
    "ronto": "r",
    "quecto": "q",
}

UNITS = {
    # SI base units
    "metre": "m",
    "kilogram": "kg",
    "gram": "g",
    "second": "s",
    "ampere": "A",
    "kelvin": "K",
    "mole": "mol",
    "candela": "cd",
    # SI derived units with special names
    "radian": "rad",
    "steradian": "sr",
    "hertz": "Hz",
    "newton": "N",
    "pascal": "Pa",
    "joule": "J",
    "watt": "W",
    "coulomb": "C",
    "volt": "V",
    "farad": "F",
    "ohm": "Ω",  # U+03A9
    "siemens": "S",
    "weber": "Wb",
    "tesla": "T",
    "henry": "H",
    "degreecelsius": "°C",
    "lumen": "lm",
    "lux": "lx",
    "becquerel": "Bq",
    "gray": "Gy",
    "sievert": "Sv",
    "katal": "kat",
    # accepted for use with the SI (SI brochure table 8) and dimensionless
    "minute": "min",
    "hour": "h",
    "day": "d",
    "astronomicalunit": "au",
    "degree": "°",
    "arcminute": "′",
    "arcsecond": "″",
    "hectare": "ha",
    "litre": "L",
    "tonne": "t",
    "dalton": "Da",
    "electronvolt": "eV",
    "neper": "Np",
    "bel": "B",
    "decibel": "dB",
    "percent": "%",
    "ppm": "ppm",
    "one": "1",
    # non-SI units found on certificates (D-SI marks them with "|" or as "\bar")
    "bar": "bar",
    "mmhg": "mmHg",
    "psi": "psi",
    "angstrom": "Å",
}

_TOKEN = re.compile(r"[\\|]([A-Za-z]+)(?:\{([^{}]*)\})?")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power(symbol: str, exponent: Fraction) -> str:
    if exponent == 1:
        return symbol
    if exponent.denominator == 1:
        return symbol + str(exponent.numerator).translate(_SUPERSCRIPT)
    return f"{symbol}^({exponent})"


def _factors(dsi: str) -> list[tuple[str, Fraction]] | None:
    """The (symbol, exponent) factors of a D-SI unit, or None when a token is not understood."""
    tokens = list(_TOKEN.finditer(dsi))
    if not tokens or "".join(t.group(0) for t in tokens) != dsi:
        return None
    factors: list[tuple[str, Fraction]] = []
    prefix, power, per = "", Fraction(1), False
    for token in tokens:
        name, argument = token.group(1).lower(), token.group(2)
        if name in PREFIXES and not prefix and argument is None:
            prefix = PREFIXES[name]
        elif name in UNITS and argument is None:
            factors.append((prefix + UNITS[name], -power if per else power))
            prefix, power, per = "", Fraction(1), False
        elif name in ("tothe", "squared", "cubed") and factors and not prefix:
            try:
                exponent = Fraction({"squared": "2", "cubed": "3"}.get(name, argument or ""))
            except (ValueError, ZeroDivisionError):
                return None
            symbol, current = factors[-1]
            factors[-1] = (symbol, current * exponent)
        elif name in ("square", "cubic") and not prefix and argument is None:
            power = Fraction(2 if name == "square" else 3)
        elif name == "per" and not prefix and argument is None:
            per = True
        else:
            return None
    if prefix or per or power != 1:
        return None
    return factors


def plain_unit(dsi: str) -> str:
    r"""The plain symbol of a D-SI unit string (``\milli\gram`` → ``mg``); unknown: unchanged."""
    factors = _factors(dsi.strip())
    if not factors or any(exponent == 0 for _, exponent in factors):
        return dsi
    positive = [_power(s, e) for s, e in factors if e > 0]
    negative = [(s, e) for s, e in factors if e < 0]
    if positive and len(negative) == 1:
        symbol, exponent = negative[0]
        return "·".join(positive) + "/" + _power(symbol, -exponent)
    return "·".join(_power(s, e) for s, e in factors)
