"""Template filters for lab figures: decimals shown with the decimal mark of the page's language."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

from metrology.reporting import format_number

register = template.Library()


@register.filter
def figure(value) -> str:
    """A stored decimal (text, Decimal or float) as typed, with ',' as the mark on Vietnamese pages."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
    return format_number(number, lang)


@register.filter
def figures(values) -> str:
    return "; ".join(figure(v) for v in values)


@register.filter
def significant(value, digits=2) -> str:
    """A spread to two significant digits, as the grid shows it: 0.000577 → 0,00058."""
    if value in (None, ""):
        return ""
    return figure(Decimal(f"{float(value):.{int(digits)}g}"))
