"""Digital Calibration Certificates (PTB DCC 3.3.0): validate and read incoming DCCs.

- :mod:`dcc.read`: ``read(data)`` takes the bytes of an uploaded DCC and gives an
  ``IncomingDcc`` (frozen dataclasses, ``Decimal`` numbers exactly as written), or raises
  ``DccError``.
- :mod:`dcc.errors`: ``DccError``, with a ``code`` the Django layer translates and English
  ``messages``.
- :mod:`dcc.xsd`: ``validate(data)`` gives the schema errors of any DCC bytes (an empty list when
  valid), for the DCCs we receive and the ones we write; ``schema()`` is the cached, offline
  ``xmlschema.XMLSchema``.
- :mod:`dcc.safe_xml`: the parser every byte goes through: no DTD, no entities, no network.
- :mod:`dcc.dsi`: D-SI numbers (``si:real``, ``si:realListXMLList``, ``si:hybrid``) as decimals.
- :mod:`dcc.units`: ``plain_unit("\\\\milli\\\\gram") == "mg"``.
- :mod:`dcc.text`: multilingual texts; ``preferred()`` picks Vietnamese, then English.

Import from the modules (``from dcc.read import read``); this package re-exports nothing, so
that ``dcc.read`` stays the module. The XSDs are PTB's (LGPL-3.0) and W3C's, bundled in
``dcc/schema/``. Never import Django here.
"""
