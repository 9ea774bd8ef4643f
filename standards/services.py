"""Writes to the standards register, and the gate every calibration passes through."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lims.access import require
from lims.audit import stamp
from lims.models import User
from standards.models import Provider, Standard, StandardCalibration, StandardStatus, StandardValue


class StandardNotUsable(ValidationError):
    """A standard cannot be used on a date; the message says which, why and since when."""


def standard_check_usable(*, standard: Standard, on: dt.date) -> StandardCalibration:
    """The incoming calibration that makes `standard` usable on `on`, or StandardNotUsable."""
    if standard.status != StandardStatus.IN_SERVICE:
        # Since the last change into the present status: the oldest snapshot of the newest run.
        changed = None
        for snapshot in standard.history.order_by("-history_date", "-history_id"):
            if snapshot.status != standard.status:
                break
            changed = snapshot
        since = date_format(changed.history_date.date(), "d/m/Y") if changed else "?"
        raise StandardNotUsable(
            _("Standard %(standard)s has been %(status)s since %(since)s.")
            % {
                "standard": standard,
                "status": standard.get_status_display().lower(),
                "since": since,
            },
            code="status",
        )
    in_force = standard.calibration_on(on)
    if in_force is None:
        latest = (
            standard.calibrations.filter(calibrated_on__lte=on).order_by("-calibrated_on").first()
        )
        if latest is None:
            raise StandardNotUsable(
                _("Standard %(standard)s had no calibration on %(day)s.")
                % {"standard": standard, "day": date_format(on, "d/m/Y")},
                code="uncalibrated",
            )
        raise StandardNotUsable(
            _(
                "Standard %(standard)s is overdue: its calibration %(certificate)s was due on %(due)s."
            )
            % {
                "standard": standard,
                "certificate": latest.certificate_number,
                "due": date_format(latest.due_on, "d/m/Y"),
            },
            code="overdue",
        )
    return in_force


@transaction.atomic
def standard_register(*, by: User, reason: str = "", **fields) -> Standard:
    require(by, "standard.edit")
    standard = Standard(**fields)
    standard.full_clean()
    stamp(standard, by=by, reason=reason or _("Registered"))
    standard.save()
    return standard


@transaction.atomic
def standard_calibration_record(
    *,
    standard: Standard,
    provider: Provider,
    certificate_number: str,
    calibrated_on: dt.date,
    due_on: dt.date,
    values: Iterable[dict],
    by: User,
    reason: str = "",
) -> StandardCalibration:
    """Record an incoming certificate and its calibrated values, all or nothing."""
    require(by, "standard.edit")
    calibration = StandardCalibration(
        standard=standard,
        provider=provider,
        certificate_number=certificate_number,
        calibrated_on=calibrated_on,
        due_on=due_on,
    )
    calibration.full_clean()
    stamp(calibration, by=by, reason=reason or _("Incoming certificate recorded"))
    calibration.save()
    rows = list(values)
    if not rows:
        raise ValidationError(_("A calibration certificate must give at least one value."))
    for row in rows:
        value = StandardValue(
            calibration=calibration,
            label=row["label"],
            nominal=Decimal(row["nominal"]),
            value=Decimal(row["value"]),
            expanded_uncertainty=Decimal(row["expanded_uncertainty"]),
            coverage_factor=Decimal(row.get("coverage_factor", 2)),
            unit=row.get("unit") or standard.unit,
        )
        value.full_clean()
        stamp(value, by=by, reason=calibration._change_reason)
        value.save()
    return calibration


@transaction.atomic
def standard_set_status(*, standard: Standard, status: str, by: User, reason: str) -> Standard:
    require(by, "standard.edit")
    if not reason.strip():
        raise ValidationError(_("Give the reason for the change of status."))
    standard.status = status
    standard.full_clean()
    stamp(standard, by=by, reason=reason)
    standard.save(update_fields=["status"])
    return standard
