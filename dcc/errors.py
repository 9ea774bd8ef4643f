"""The one error the DCC package raises for a file it cannot accept.

``DccError.code`` says why, in a word the Django layer translates for the user; ``messages`` give
the details in plain English (schema paths and reasons, line numbers), to show beside the
translated sentence or to log. The package itself never imports Django.
"""

from collections.abc import Iterable

CODES = {
    "too_large": "The file is larger than the reader accepts.",
    "not_xml": "The file is not well-formed XML (a PDF, a scan, a truncated upload...).",
    "unsafe": "The XML has a DOCTYPE, entity declarations or absurd nesting; refused unread.",
    "not_dcc": "Well-formed XML, but its root is not dcc:digitalCalibrationCertificate.",
    "unsupported_version": "A DCC of another schema version than the one bundled (3.3.0).",
    "invalid": "A DCC 3.3.0 that does not validate against the bundled XSD.",
    "inconsistent": "Valid against the XSD, but lists of one quantity disagree in length.",
    "no_results": "Valid, but no numeric result (si:real, si:realListXMLList, si:hybrid) to read.",
}


class DccError(ValueError):
    """A DCC that cannot be read or accepted.

    >>> error = DccError("not_xml", ["line 1, column 1: syntax error"])
    >>> error.code, error.messages
    ('not_xml', ['line 1, column 1: syntax error'])
    >>> str(error)
    'not_xml: line 1, column 1: syntax error'
    """

    def __init__(self, code: str, messages: Iterable[str] = ()) -> None:
        if code not in CODES:
            raise ValueError(f"unknown DccError code {code!r}")
        self.code = code
        self.messages = list(messages)
        super().__init__(f"{code}: {'; '.join(self.messages)}" if self.messages else code)
