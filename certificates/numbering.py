"""Certificate numbers: per kind and year, consecutive, never reused.

The counter row is locked (SELECT … FOR UPDATE) for the rest of the issuing transaction, so two
issuers at once wait for each other instead of taking the same number, and a rolled-back issue
gives its number back instead of leaving a gap.
"""

from django.db import IntegrityError, transaction

from certificates.models import Counter, Kind

# hiệu chuẩn, kiểm định, thông báo (a verification's notice of failure: numbered, never a certificate)
NOTICE = "notice"
PREFIX = {Kind.CALIBRATION: "HC", Kind.VERIFICATION: "KD", NOTICE: "TB"}


def number_next(*, kind: str, year: int) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the issuing transaction")
    try:
        with transaction.atomic():
            Counter.objects.get_or_create(kind=kind, year=year)
    except IntegrityError:
        pass  # another issuer created the row first; lock it below
    counter = Counter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{PREFIX[kind]}-{year}-{counter.last:05d}"
