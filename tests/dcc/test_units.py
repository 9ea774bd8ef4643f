r"""D-SI unit strings (``\milli\gram``) as the lab's plain symbols (``mg``)."""

import pytest

from dcc.text import preferred
from dcc.units import plain_unit


@pytest.mark.parametrize(
    ("dsi", "plain"),
    [
        ("\\kilogram", "kg"),
        ("\\gram", "g"),
        ("\\milli\\gram", "mg"),
        ("\\micro\\gram", "µg"),
        ("\\degreecelsius", "°C"),
        ("\\milli\\kelvin", "mK"),
        ("\\kelvin", "K"),
        ("\\pascal", "Pa"),
        ("\\kilo\\pascal", "kPa"),
        ("\\mega\\pascal", "MPa"),
        ("\\bar", "bar"),
        ("|bar", "bar"),
        ("\\metre", "m"),
        ("\\milli\\metre", "mm"),
        ("\\micro\\metre", "µm"),
        ("\\litre", "L"),
        ("\\milli\\litre", "mL"),
        ("\\cubic\\metre", "m³"),
        ("\\metre\\tothe{3}", "m³"),
        ("\\metre\\tothe{2}", "m²"),
        ("\\volt", "V"),
        ("\\milli\\volt", "mV"),
        ("\\ampere", "A"),
        ("\\ohm", "Ω"),
        ("\\kilo\\ohm", "kΩ"),
        ("\\hertz", "Hz"),
        ("\\newton", "N"),
        ("\\kilo\\newton", "kN"),
        ("\\newton\\metre", "N·m"),
        ("\\percent", "%"),
        ("\\one", "1"),
        ("\\second", "s"),
        ("\\metre\\second\\tothe{-1}", "m/s"),
        ("\\metre\\per\\second", "m/s"),
        ("\\kilogram\\metre\\tothe{-3}", "kg/m³"),
        ("\\cubic\\metre\\per\\hour", "m³/h"),
        ("\\second\\tothe{-1}", "s⁻¹"),
    ],
)
def test_common_dsi_units_become_plain_symbols(dsi, plain):
    assert plain_unit(dsi) == plain


@pytest.mark.parametrize(
    "dsi",
    ["\\furlong", "\\milli", "\\kilo\\kilo\\gram", "\\metre\\tothe{}", "kg", "", "\\gram g"],
)
def test_anything_not_understood_comes_back_unchanged(dsi):
    assert plain_unit(dsi) == dsi


def test_the_preferred_language_is_vietnamese_then_english_then_the_first():
    assert preferred({"en": "Nominal value", "vi": "Giá trị danh định"}) == "Giá trị danh định"
    assert preferred({"de": "Nennwert", "en": "Nominal value"}) == "Nominal value"
    assert preferred({"de": "Nennwert", "fr": "Valeur nominale"}) == "Nennwert"
    assert preferred({}) == ""
