"""Metrology engine of the calibration laboratory: pure Python (numpy, scipy, uncertainties).

Modules:

- :mod:`metrology.uncertainty`: GUM law of propagation and budget, Monte Carlo (JCGM 101),
  validation of one by the other.
- :mod:`metrology.reporting`: rounding of a result for a certificate (ILAC P14, GUM 7.2.6).
- :mod:`metrology.conformity`: decision rules (ILAC-G8, JCGM 106).
- :mod:`metrology.stats`: proficiency-test scores, pooled standard deviation, control charts,
  straight-line fit.
- :mod:`metrology.readings`: mean and spread of the readings at one calibration point.
- :mod:`metrology.legal`: maximum permissible errors of legal verification (OIML R76, R117,
  R49, R46 / IEC 62053) and conformity against them.

Every computed result carries ``engine_version`` (this ``__version__``) so that a stored result
can be recomputed and compared later. Never import Django here.
"""

__version__ = "1.0.0"
