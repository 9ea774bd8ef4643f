"""Parse untrusted XML bytes (an uploaded DCC) into an ElementTree, safely.

One pass of the standard library's expat parser builds the tree, so nothing else ever sees the
raw bytes:

- a DOCTYPE is refused as soon as it starts, before any entity can be declared, so neither
  "billion laughs" nor external entities (``file:///etc/passwd``) can expand: a DCC never needs
  a DTD;
- no URL or file is ever opened (expat fetches nothing; external entity references are refused);
- elements nested deeper than :data:`MAX_DEPTH` are refused (the schema validator and the reader
  recurse); files larger than :data:`MAX_BYTES` are refused unread.

The line of every element is kept, so schema errors can say where they are.

>>> parsed = parse(b'<a xmlns="urn:x"><b>text</b></a>')
>>> parsed.root.tag, parsed.root[0].text, parsed.line_of(parsed.root[0])
('{urn:x}a', 'text', 1)
>>> parse(b'<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>')
Traceback (most recent call last):
...
dcc.errors.DccError: unsafe: a DOCTYPE declaration (DTD) is not allowed in a DCC
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.parsers import expat

from dcc.errors import DccError

MAX_BYTES = 32 * 1024 * 1024  # a DCC with an embedded PDF of a few MB stays far below
MAX_DEPTH = 200  # PTB's examples nest about 15 deep


@dataclass(frozen=True)
class Parsed:
    """A parsed document: the root element and the line on which each element starts."""

    root: ET.Element
    lines: dict[ET.Element, int]

    def line_of(self, element: ET.Element | None) -> int | None:
        return self.lines.get(element) if element is not None else None


class _Refused(Exception):
    pass


def _refuse(what: str):
    def handler(*args: object) -> None:
        raise _Refused(what)

    return handler


def _clark(name: str) -> str:
    # expat with namespace_separator="}" gives "uri}local"; ElementTree wants "{uri}local".
    return "{" + name if "}" in name else name


def parse(data: bytes, *, max_bytes: int = MAX_BYTES) -> Parsed:
    """Parse ``data``; raise :class:`DccError` ``too_large``, ``not_xml`` or ``unsafe``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"a DCC is read from bytes, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise DccError(
            "too_large", [f"the file has {len(data)} bytes; at most {max_bytes} are accepted"]
        )

    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    lines: dict[ET.Element, int] = {}
    depth = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise _Refused(f"elements are nested deeper than {MAX_DEPTH} levels")
        element = builder.start(_clark(name), {_clark(k): v for k, v in attributes.items()})
        lines[element] = parser.CurrentLineNumber

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(_clark(name))

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse("a DOCTYPE declaration (DTD) is not allowed in a DCC")
    parser.EntityDeclHandler = _refuse("entity declarations are not allowed in a DCC")
    parser.UnparsedEntityDeclHandler = _refuse("entity declarations are not allowed in a DCC")
    parser.ExternalEntityRefHandler = _refuse("external entities are not allowed in a DCC")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(bytes(data), True)
    except _Refused as refused:
        raise DccError("unsafe", [str(refused)]) from None
    except expat.ExpatError as error:
        where = f"line {error.lineno}, column {error.offset + 1}"
        raise DccError("not_xml", [f"{where}: {expat.ErrorString(error.code)}"]) from None
    return Parsed(root=builder.close(), lines=lines)
