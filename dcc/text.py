"""Multilingual text of a DCC (``dcc:content lang="..."``) as ``{lang: text}``, and picking one.

A DCC repeats every name and declaration in each language it uses. The reader keeps them all
as a dict in document order (a ``dcc:content`` without ``lang`` is under ``""``; several contents
in one language are joined by a new line) and offers the one the lab reads first:

>>> names = {"de": "Nennwert", "en": "Nominal value", "vi": "Giá trị danh định"}
>>> preferred(names)
'Giá trị danh định'
>>> preferred({"de": "Nennwert", "en": "Nominal value"})
'Nominal value'
>>> preferred({"de": "Nennwert", "": "Nominal"}), preferred({})
('Nennwert', '')
>>> preferred(names, languages=("de",))
'Nennwert'
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from dcc.xsd import DCC

LANGUAGES = ("vi", "en")


def texts(element: ET.Element | None) -> dict[str, str]:
    """The ``dcc:content`` children of ``element`` as ``{lang: text}``; empty when None."""
    result: dict[str, str] = {}
    if element is None:
        return result
    for content in element.iterfind(f"{{{DCC}}}content"):
        text = " ".join((content.text or "").split())
        if not text:
            continue
        lang = content.get("lang", "")
        result[lang] = f"{result[lang]}\n{text}" if lang in result else text
    return result


def preferred(texts: Mapping[str, str], languages: Sequence[str] = LANGUAGES) -> str:
    """The text in the first of ``languages`` present, else the first given, else ``""``."""
    for language in languages:
        if texts.get(language):
            return texts[language]
    return next(iter(texts.values()), "")
