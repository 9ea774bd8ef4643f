"""The stock of numbered verification marks and seals (tem, dấu kiểm định).

Marks come in batches of consecutive serials; each is put on one passed instrument when its
verification is issued (the serial the verifier stuck on it, or the next in stock), or recorded
spoiled or lost with the reason. A serial is never used twice: the database holds each serial
once and a used mark names its verification, so the log answers "which instrument carries
mark N".
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from lims.access import require
from lims.audit import stamp
from lims.models import User
from verification.models import Mark, MarkBatch, MarkKind, MarkState, Verification

MAX_BATCH = 100_000


class MarkRefused(ValidationError):
    """A mark that cannot be used, spoiled or lost: unknown, already used, not in stock."""


def serial_of(series: str, number: int) -> str:
    """The serial printed on a mark: the series then the number, seven digits.

    >>> serial_of("A", 42)
    'A0000042'
    """
    return f"{series}{number:07d}"


@transaction.atomic
def batch_receive(
    *,
    kind: str,
    series: str,
    first: int,
    last: int,
    received_on: dt.date,
    by: User,
    note: str = "",
) -> MarkBatch:
    """Marks received into stock: every serial from `first` to `last`, none already known."""
    require(by, "mark.manage")
    series = series.strip().upper()
    if kind not in MarkKind.values:
        raise ValidationError(_("Choose a verification mark or a seal."))
    if first < 1 or last < first:
        raise ValidationError(_("The serials run from a first number to a last one, not below 1."))
    if last - first + 1 > MAX_BATCH:
        raise ValidationError(
            _("At most %(n)s marks in one batch.") % {"n": f"{MAX_BATCH:,}".replace(",", ".")}
        )
    serials = [serial_of(series, n) for n in range(first, last + 1)]
    known = list(Mark.objects.filter(serial__in=serials).values_list("serial", flat=True)[:5])
    if known:
        raise ValidationError(
            _("These serials are already in the stock: %(serials)s.")
            % {"serials": ", ".join(known)}
        )
    batch = MarkBatch(
        kind=kind,
        series=series,
        first=first,
        last=last,
        received_on=received_on,
        received_by=by,
        note=note.strip(),
    )
    batch.full_clean()
    batch.save()
    bulk_create_with_history(
        [Mark(batch=batch, serial=serial) for serial in serials],
        Mark,
        batch_size=2000,
        default_user=by,
        default_change_reason=_("Received into stock"),
    )
    return batch


def _locked(serial: str) -> Mark:
    mark = Mark.objects.select_for_update().filter(serial=serial.strip().upper()).first()
    if mark is None:
        raise MarkRefused(
            _("Mark %(serial)s is not in the lab's stock.") % {"serial": serial.strip()}
        )
    return mark


def _refuse_unless_in_stock(mark: Mark) -> None:
    if mark.state == MarkState.USED:
        raise MarkRefused(
            _("Mark %(serial)s is already on another instrument (%(on)s).")
            % {"serial": mark.serial, "on": mark.verification}
        )
    if mark.state != MarkState.AVAILABLE:
        raise MarkRefused(
            _("Mark %(serial)s was recorded %(state)s: %(why)s")
            % {"serial": mark.serial, "state": mark.get_state_display().lower(), "why": mark.reason}
        )


def mark_use(*, verification: Verification, by: User, serial: str = "") -> Mark:
    """Put a mark on a passed instrument: the serial given, or the lowest in stock.

    Runs inside the issuing transaction; the mark row is locked, so two verifiers never take the
    same one.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("mark_use runs inside the issuing transaction")
    if serial.strip():
        mark = _locked(serial)
        if mark.batch.kind != MarkKind.STAMP:
            raise MarkRefused(
                _("%(serial)s is a seal, not a verification mark.") % {"serial": mark.serial}
            )
    else:
        mark = (
            Mark.objects.select_for_update(skip_locked=True)
            .filter(state=MarkState.AVAILABLE, batch__kind=MarkKind.STAMP)
            .order_by("serial")
            .first()
        )
        if mark is None:
            raise MarkRefused(_("No verification mark is left in stock: receive a new batch."))
    _refuse_unless_in_stock(mark)
    mark.state = MarkState.USED
    mark.verification = verification
    stamp(mark, by=by, reason=_("Put on %(what)s") % {"what": verification})
    mark.save(update_fields=["state", "verification"])
    return mark


@transaction.atomic
def mark_write_off(*, serial: str, state: str, by: User, reason: str) -> Mark:
    """Record a mark spoiled (torn, misprinted) or lost, with why. A mark in stock, or one lost
    from an instrument (the instrument then needs a verification after a mark lost or damaged)."""
    require(by, "mark.manage")
    if state not in (MarkState.SPOILED, MarkState.LOST):
        raise ValidationError(_("A mark is written off as spoiled or as lost."))
    if not reason.strip():
        raise ValidationError(_("Say why the mark is spoiled or lost."))
    mark = _locked(serial)
    if mark.state in (MarkState.SPOILED, MarkState.LOST):
        _refuse_unless_in_stock(mark)
    if mark.state == MarkState.USED and state != MarkState.LOST:
        raise MarkRefused(
            _(
                "Mark %(serial)s is on an instrument (%(on)s): it can only be recorded lost from it, "
                "and the instrument then needs a verification after a mark lost or damaged."
            )
            % {"serial": mark.serial, "on": mark.verification}
        )
    mark.state = state
    mark.reason = reason.strip()
    stamp(mark, by=by, reason=reason.strip())
    mark.save(update_fields=["state", "reason"])
    return mark


def carrier_of(serial: str) -> Mark | None:
    """The mark with this serial and, through its history, who put it where and when."""
    return (
        Mark.objects.select_related("batch", "verification__instrument_type")
        .filter(serial=serial.strip().upper())
        .first()
    )
