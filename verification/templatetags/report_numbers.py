"""`grouped`: a whole number with its thousands grouped as the page's language writes them
(1.250.000 in Vietnamese, 1,250,000 in English)."""

from django import template
from django.utils.translation import get_language

from verification.report_export import grouped as grouped_number

register = template.Library()


@register.filter
def grouped(value) -> str:
    separator = "," if (get_language() or "").startswith("en") else "."
    return grouped_number(value, separator)
