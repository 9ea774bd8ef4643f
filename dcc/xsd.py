"""The DCC 3.3.0 XML schema, built offline from the copy in ``dcc/schema/``, and validation.

Used by the reader for incoming DCCs and meant for the writer of our own certificates too:
``validate(data)`` is the one check both run.

- The schema is built once per process (:func:`schema` is cached; about 0.3 s).
- D-SI 2.2.1 imports its QUDT companion from ``https://www.ptb.de/...``: that URL is mapped to
  the bundled copy, and ``allow="sandbox"`` forbids xmlschema any file outside ``dcc/schema/``
  and any network access (see ``dcc/schema/README.md``).
- Documents are parsed by :mod:`dcc.safe_xml` (no DTD, no entities) and validated as an element
  tree, with ``use_location_hints=False`` so their ``xsi:schemaLocation`` URLs are never followed.
"""

import functools
import itertools
from pathlib import Path

import xmlschema

from dcc.errors import DccError
from dcc.safe_xml import Parsed, parse

SCHEMA_DIR = Path(__file__).resolve().with_name("schema")
SCHEMA_VERSION = "3.3.0"
QUDT_URL = "https://www.ptb.de/si/v2.2.1/qudt/quantitykind.xsd"

DCC = "https://ptb.de/dcc"
SI = "https://ptb.de/si"
DS = "http://www.w3.org/2000/09/xmldsig#"
NAMESPACES = {"dcc": DCC, "si": SI, "ds": DS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}

MAX_MESSAGES = 10


@functools.cache
def schema() -> xmlschema.XMLSchema:
    """The DCC 3.3.0 schema (with D-SI 2.2.1 and xmldsig), built from local files only."""
    qudt = (SCHEMA_DIR / "si" / "qudt" / "quantitykind.xsd").as_uri()
    return xmlschema.XMLSchema(
        str(SCHEMA_DIR / "dcc.xsd"), allow="sandbox", uri_mapper={QUDT_URL: qudt}
    )


def schema_messages(parsed: Parsed) -> list[str]:
    """Readable schema errors of a parsed document: line, path and reason; at most about ten.

    Empty when the document is valid.
    """
    # An XMLResource around the tree we built: xmlschema never reads the bytes, nor any URL.
    resource = xmlschema.XMLResource(parsed.root, allow="none", defuse="always")
    errors = schema().iter_errors(resource, use_location_hints=False, namespaces=NAMESPACES)
    messages = []
    for error in itertools.islice(errors, MAX_MESSAGES):
        line = parsed.line_of(error.elem if hasattr(error.elem, "tag") else None)
        where = f"line {line}: " if line else ""
        messages.append(f"{where}{error.path or '/'}: {error.reason or error.message}")
    more = sum(1 for _ in itertools.islice(errors, 1000))
    if more:
        messages.append(f"... and {more}{'+' if more == 1000 else ''} more errors")
    return messages


def validate(data: bytes) -> list[str]:
    """Check that ``data`` is a DCC valid against the DCC 3.3.0 schema.

    Returns readable messages (line, path and reason, at most about ten); an empty list means
    valid. Bytes that are not XML, or XML with a DTD, give their one message here too.
    """
    try:
        parsed = parse(data)
    except DccError as error:
        return error.messages
    return schema_messages(parsed)
