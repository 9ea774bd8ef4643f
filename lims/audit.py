"""Stamp a controlled record with who changes it and why, before it is saved.

django-simple-history reads the user from the request through its middleware; services also run
from commands, imports and tests, so every service names the user explicitly.
"""

from django.db import models


def stamp(record: models.Model, *, by, reason: str) -> models.Model:
    record._history_user = by
    record._change_reason = reason
    return record
