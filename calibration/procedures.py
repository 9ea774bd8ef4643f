"""Procedures under document control (ISO/IEC 17025 clauses 7.2 and 8.3).

A procedure is a list of versions of one code. A version is written as a draft, approved by the
quality manager with the date it takes effect, and from then on never changes: a change is a
new draft version, and approving it withdraws the version before. Only the approved version in
effect on a calibration's date can be used; a calibration keeps the version it used.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calibration.budget import check_budget
from calibration.models import Procedure, ProcedureStatus
from lims.access import require
from lims.audit import stamp
from lims.models import User

CONTENT_FIELDS = [
    "title_vi",
    "title_en",
    "quantity",
    "unit",
    "change_note",
    "model",
    "budget",
    "monte_carlo",
    "points",
    "readings_per_point",
    "tolerance_abs",
    "tolerance_rel",
    "tolerance_source",
    "decision_rule",
    "temperature_min",
    "temperature_max",
    "humidity_min",
    "humidity_max",
]


class ProcedureNotUsable(ValidationError):
    """A procedure version that is not approved and in effect on the day."""


def _check(procedure: Procedure) -> None:
    check_budget(procedure.model, procedure.budget)
    if not isinstance(procedure.points, list):
        raise ValidationError(_("The measurement points must be a list of values."))
    for low, high, what in (
        (procedure.temperature_min, procedure.temperature_max, _("temperature")),
        (procedure.humidity_min, procedure.humidity_max, _("relative humidity")),
    ):
        if low is not None and high is not None and low > high:
            raise ValidationError(
                _("The lowest %(what)s cannot be above the highest.") % {"what": what}
            )
    procedure.full_clean()


@transaction.atomic
def procedure_create(*, by: User, code: str, reason: str = "", **fields) -> Procedure:
    """Write version 1 of a new procedure, as a draft."""
    require(by, "procedure.edit")
    if Procedure.objects.filter(code=code).exists():
        raise ValidationError(
            _("Procedure %(code)s exists already: write a new version of it instead.")
            % {"code": code}
        )
    procedure = Procedure(code=code, version=1, status=ProcedureStatus.DRAFT, **fields)
    _check(procedure)
    stamp(procedure, by=by, reason=reason or _("Procedure drafted"))
    procedure.save()
    return procedure


@transaction.atomic
def procedure_update(*, procedure: Procedure, by: User, reason: str, **fields) -> Procedure:
    """Change a draft version; an approved or withdrawn version never changes."""
    require(by, "procedure.edit")
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.status != ProcedureStatus.DRAFT:
        raise ValidationError(
            _(
                "Version %(version)d of %(code)s is %(status)s and cannot change: write a new version."
            )
            % {
                "version": procedure.version,
                "code": procedure.code,
                "status": procedure.get_status_display().lower(),
            }
        )
    if not reason.strip():
        raise ValidationError(_("Say why the procedure changes."))
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(procedure, name, value)
    _check(procedure)
    stamp(procedure, by=by, reason=reason)
    procedure.save()
    return procedure


@transaction.atomic
def procedure_new_version(*, procedure: Procedure, by: User, change_note: str) -> Procedure:
    """A new draft version, a copy of the latest one, to be changed and approved."""
    require(by, "procedure.edit")
    latest = Procedure.objects.filter(code=procedure.code).order_by("-version").first()
    if latest.status == ProcedureStatus.DRAFT:
        raise ValidationError(
            _("Version %(version)d of %(code)s is still a draft: change that one.")
            % {"version": latest.version, "code": latest.code}
        )
    if not change_note.strip():
        raise ValidationError(_("Say what the new version changes."))
    draft = Procedure(
        code=latest.code,
        version=latest.version + 1,
        status=ProcedureStatus.DRAFT,
        **{name: getattr(latest, name) for name in CONTENT_FIELDS if name != "change_note"},
        change_note=change_note,
    )
    _check(draft)
    stamp(draft, by=by, reason=change_note)
    draft.save()
    return draft


@transaction.atomic
def procedure_approve(
    *, procedure: Procedure, by: User, effective_on: dt.date, reason: str = ""
) -> Procedure:
    """Approve a draft; the version approved before it is withdrawn on the same day."""
    require(by, "procedure.approve")
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.status != ProcedureStatus.DRAFT:
        raise ValidationError(_("Only a draft version can be approved."))
    if effective_on > timezone.localdate():
        # approving withdraws the version in use: a future date would leave none in effect
        raise ValidationError(
            _(
                "A version takes effect when it is approved: approve it on the day it takes effect, not before."
            )
        )
    _check(procedure)
    previous = (
        Procedure.objects.filter(code=procedure.code, effective_on__isnull=False)
        .exclude(pk=procedure.pk)
        .order_by("-effective_on")
        .first()
    )
    if previous is not None and effective_on < previous.effective_on:
        raise ValidationError(
            _(
                "Version %(version)d took effect on %(date)s: a later version cannot take effect before it."
            )
            % {"version": previous.version, "date": previous.effective_on.strftime("%d/%m/%Y")}
        )
    for older in Procedure.objects.select_for_update().filter(
        code=procedure.code, status=ProcedureStatus.APPROVED
    ):
        older.status = ProcedureStatus.WITHDRAWN
        older.withdrawn_on = effective_on
        stamp(
            older,
            by=by,
            reason=_("Replaced by version %(version)d") % {"version": procedure.version},
        )
        older.save(update_fields=["status", "withdrawn_on"])
    procedure.status = ProcedureStatus.APPROVED
    procedure.effective_on = effective_on
    procedure.approved_by = by
    procedure.approved_at = timezone.now()
    stamp(procedure, by=by, reason=reason or _("Approved"))
    procedure.save()
    return procedure


@transaction.atomic
def procedure_withdraw(*, procedure: Procedure, by: User, reason: str) -> Procedure:
    require(by, "procedure.approve")
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.status != ProcedureStatus.APPROVED:
        raise ValidationError(_("Only an approved version can be withdrawn."))
    if not reason.strip():
        raise ValidationError(_("Say why the procedure is withdrawn."))
    procedure.status = ProcedureStatus.WITHDRAWN
    procedure.withdrawn_on = timezone.localdate()
    stamp(procedure, by=by, reason=reason)
    procedure.save(update_fields=["status", "withdrawn_on"])
    return procedure


def procedure_check_usable(procedure: Procedure, on: dt.date) -> None:
    """Refuse a version that was not in effect on `on`: a draft, one not yet in effect, or one
    replaced or withdrawn by then (work dated before its withdrawal was done under it)."""
    name = f"{procedure.code} v{procedure.version}"
    if procedure.status == ProcedureStatus.WITHDRAWN and procedure.withdrawn_on:
        if on >= procedure.withdrawn_on:
            raise ProcedureNotUsable(
                _("Procedure %(name)s was no longer in effect on that day (since %(date)s).")
                % {"name": name, "date": procedure.withdrawn_on.strftime("%d/%m/%Y")}
            )
    elif procedure.status != ProcedureStatus.APPROVED:
        raise ProcedureNotUsable(
            _("Procedure %(name)s is %(status)s: only an approved version can be used.")
            % {"name": name, "status": procedure.get_status_display().lower()}
        )
    if procedure.effective_on and procedure.effective_on > on:
        raise ProcedureNotUsable(
            _("Procedure %(name)s takes effect on %(date)s, after the calibration date.")
            % {"name": name, "date": procedure.effective_on.strftime("%d/%m/%Y")}
        )


def procedures_in_use():
    """The approved versions, one per code: what a calibration can be opened with."""
    return Procedure.objects.filter(status=ProcedureStatus.APPROVED).order_by("code")
