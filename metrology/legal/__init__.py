"""Maximum permissible errors of legal verification, one module per Recommendation.

- :mod:`metrology.legal.oiml_r76`: non-automatic weighing instruments (OIML R 76-1:2006);
- :mod:`metrology.legal.oiml_r117`: measuring systems for liquids other than water, fuel
  dispensers (OIML R 117-1:2007);
- :mod:`metrology.legal.oiml_r49`: water meters (OIML R 49-1:2013, ISO 4064-1:2014);
- :mod:`metrology.legal.oiml_r46`: active electrical energy meters, classes A–D (OIML R 46:2012);
- :mod:`metrology.legal.iec62053`: static energy meters, classes 1, 2 (IEC 62053-21) and 0.2 S,
  0.5 S (IEC 62053-22);
- :mod:`metrology.legal.verdict`: |error| ≤ MPE, the boundary passing (:func:`conforms`).

Every ``mpe(...)`` returns a Decimal magnitude in the unit of the quantity it is given and
raises :class:`metrology.errors.InputError` (a ``ValueError``) with a plain-English message
for an unknown class or a quantity outside the table. Each module's docstring names the
clauses and tables it follows.

>>> from decimal import Decimal
>>> from metrology.legal import oiml_r76
>>> conforms(Decimal("0.0075"), oiml_r76.mpe("15", "0.005", "III"))
True
"""

from metrology.legal.verdict import Verdict, conforms, verdict

__all__ = ["Verdict", "conforms", "verdict"]
