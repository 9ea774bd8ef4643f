"""Every write to a calibration goes through here: creation, points, and the workflow moves.

A calibration moves draft → submitted → reviewed → approved → issued, and back to draft when a
reviewer returns it. Each move checks who may make it, records a Transition row and stamps the
history with the user and the reason. The last move, to issued, belongs to `certificates`.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from calibration.models import (
    Calibration,
    Instrument,
    MeasurementPoint,
    Procedure,
    StandardUse,
    State,
    Transition,
)
from calibration.results import point_result
from lims.access import require
from lims.audit import stamp
from lims.models import Customer, User
from standards.chain import chain_of
from standards.models import Standard, StandardValue
from standards.services import StandardNotUsable, standard_check_usable

MAX_DIGITS, MAX_EXPONENT = 20, 15


class WorkflowError(ValidationError):
    """A move the workflow does not allow from the calibration's present state."""


def parse_reading(text: str) -> Decimal:
    """A reading as typed, with '.' or ',' as the decimal mark, kept with all its digits."""
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if not cleaned or value is None or not value.is_finite():
        raise ValidationError(
            _(
                "“%(text)s” is not a number. Type digits with a point or a comma as the decimal mark, e.g. 100,02."
            )
            % {"text": text},
            code="not_a_number",
        )
    too_long = len(value.as_tuple().digits) > MAX_DIGITS
    if too_long or (not value.is_zero() and abs(value.adjusted()) > MAX_EXPONENT):
        raise ValidationError(
            _(
                "“%(text)s” is outside what an instrument shows: at most %(digits)d digits, between 1E-%(exp)d and 1E+%(exp)d."
            )
            % {"text": text, "digits": MAX_DIGITS, "exp": MAX_EXPONENT},
            code="out_of_range",
        )
    return value


@transaction.atomic
def instrument_register(*, customer: Customer, by: User, reason: str = "", **fields) -> Instrument:
    require(by, "instrument.edit")
    instrument = Instrument(customer=customer, **fields)
    instrument.full_clean()
    stamp(instrument, by=by, reason=reason or _("Received for calibration"))
    instrument.save()
    return instrument


@transaction.atomic
def calibration_create(
    *,
    instrument: Instrument,
    procedure: Procedure,
    by: User,
    received_on: dt.date,
    performed_on: dt.date,
    temperature: Decimal,
    humidity: Decimal,
    standards: Iterable[Standard],
    place: str = "",
    remarks: str = "",
) -> Calibration:
    """Open a draft calibration performed by `by`; every standard must be usable on the day."""
    require(by, "calibration.edit")
    calibration = Calibration(
        instrument=instrument,
        procedure=procedure,
        technician=by,
        received_on=received_on,
        performed_on=performed_on,
        temperature=temperature,
        humidity=humidity,
        remarks=remarks,
    )
    if place:
        calibration.place = place
    calibration.full_clean()
    stamp(calibration, by=by, reason=_("Calibration opened"))
    calibration.save()
    chosen = list(standards)
    if not chosen:
        raise ValidationError(_("Choose at least one standard used in the calibration."))
    errors = []
    for standard in chosen:
        try:
            in_force = standard_check_usable(standard=standard, on=performed_on)
        except StandardNotUsable as refusal:
            errors.extend(refusal.messages)
            continue
        use = StandardUse(calibration=calibration, standard=standard, standard_calibration=in_force)
        stamp(use, by=by, reason=_("Standard chosen"))
        use.save()
    if errors:
        raise StandardNotUsable(errors)
    return calibration


def _check_editable(calibration: Calibration, by: User) -> None:
    require(by, "calibration.edit")
    if calibration.technician_id != by.pk:
        raise PermissionDenied(
            _("Only the technician who performs a calibration may enter its data.")
        )
    if not calibration.is_editable:
        raise WorkflowError(
            _("This calibration is %(state)s; only a draft can be changed.")
            % {"state": calibration.get_state_display().lower()}
        )


def allowed_references(calibration: Calibration):
    """The calibrated values a point may use: those of the certificates in force for its standards."""
    return StandardValue.objects.filter(
        calibration__in=calibration.standard_uses.values("standard_calibration")
    ).select_related("calibration__standard")


@transaction.atomic
def calibration_set_point(
    *,
    calibration: Calibration,
    position: int,
    reference: StandardValue,
    readings: Sequence[str],
    by: User,
) -> MeasurementPoint:
    """Create or replace one point's reference and readings, and recompute its result."""
    calibration = _lock(calibration)
    _check_editable(calibration, by)
    if not allowed_references(calibration).filter(pk=reference.pk).exists():
        raise ValidationError(
            _("The reference value must come from a standard used in this calibration.")
        )
    if reference.unit != calibration.instrument.unit:
        raise ValidationError(
            _("The reference value is in %(ref)s but the instrument reads in %(unit)s.")
            % {"ref": reference.unit, "unit": calibration.instrument.unit}
        )
    values, errors = [], []
    for index, text in enumerate(readings, start=1):
        if str(text).strip() == "":
            continue
        try:
            values.append(parse_reading(text))
        except ValidationError as error:
            errors.append(_("Reading %(n)d: %(error)s") % {"n": index, "error": error.messages[0]})
    if errors:
        raise ValidationError(errors)
    if len(values) < 2:
        raise ValidationError(
            _("Enter at least two readings at each point, for the type A uncertainty.")
        )
    point = calibration.points.filter(position=position).first() or MeasurementPoint(
        calibration=calibration, position=position
    )
    point.reference = reference
    point.readings = [str(v) for v in values]
    point.result = point_result(
        readings=values,
        reference=reference,
        resolution=calibration.instrument.resolution,
    )
    point.full_clean()
    stamp(point, by=by, reason=_("Readings entered"))
    point.save()
    return point


@transaction.atomic
def calibration_set_points(
    *,
    calibration: Calibration,
    rows: Sequence[tuple[StandardValue | None, Sequence[str]]],
    by: User,
) -> None:
    """Save the whole reading grid at once: every row or none.

    Rows without any reading are skipped; the points are numbered in the order of the rows that
    remain, and points beyond them are removed. Errors name the row as the technician sees it.
    """
    errors = []
    position = 0
    for index, (reference, readings) in enumerate(rows, start=1):
        if not any(str(r).strip() for r in readings):
            continue
        position += 1
        if reference is None:
            errors.append(_("Row %(n)d: choose the reference value.") % {"n": index})
            continue
        try:
            calibration_set_point(
                calibration=calibration,
                position=position,
                reference=reference,
                readings=readings,
                by=by,
            )
        except ValidationError as error:
            errors.extend(
                _("Row %(n)d: %(error)s") % {"n": index, "error": m} for m in error.messages
            )
    if errors:
        raise ValidationError(errors)
    for stale in calibration.points.filter(position__gt=position):
        calibration_delete_point(calibration=calibration, position=stale.position, by=by)


@transaction.atomic
def calibration_delete_point(*, calibration: Calibration, position: int, by: User) -> None:
    calibration = _lock(calibration)
    _check_editable(calibration, by)
    point = calibration.points.filter(position=position).first()
    if point is not None:
        stamp(point, by=by, reason=_("Point removed"))
        point.delete()


def _move(calibration: Calibration, *, to: str, by: User, reason: str) -> Calibration:
    origin = calibration.state
    calibration.state = to
    stamp(calibration, by=by, reason=reason or calibration.get_state_display())
    calibration.save(update_fields=["state"])
    Transition.objects.create(
        calibration=calibration, from_state=origin, to_state=to, by=by, reason=reason
    )
    return calibration


def _expect(calibration: Calibration, state: str) -> None:
    if calibration.state != state:
        raise WorkflowError(
            _("This calibration is %(state)s; this step needs it %(needed)s.")
            % {
                "state": calibration.get_state_display().lower(),
                "needed": State(state).label.lower(),
            }
        )


def _check_second_person(calibration: Calibration, by: User) -> None:
    if calibration.technician_id == by.pk:
        raise PermissionDenied(
            _(
                "A second person must review and approve: not the technician who performed the calibration."
            )
        )


def _lock(calibration: Calibration) -> Calibration:
    return Calibration.objects.select_for_update().get(pk=calibration.pk)


@transaction.atomic
def calibration_submit(*, calibration: Calibration, by: User, reason: str = "") -> Calibration:
    calibration = _lock(calibration)
    require(by, "calibration.submit")
    if calibration.technician_id != by.pk:
        raise PermissionDenied(
            _("Only the technician who performed the calibration may submit it.")
        )
    _expect(calibration, State.DRAFT)
    if not calibration.points.exclude(result=None).exists():
        raise WorkflowError(_("Enter at least one measurement point before submitting."))
    return _move(calibration, to=State.SUBMITTED, by=by, reason=reason)


@transaction.atomic
def calibration_return(*, calibration: Calibration, by: User, reason: str) -> Calibration:
    """A reviewer sends a submitted or reviewed calibration back to the technician."""
    calibration = _lock(calibration)
    require(by, "calibration.review")
    _check_second_person(calibration, by)
    if calibration.state not in (State.SUBMITTED, State.REVIEWED):
        _expect(calibration, State.SUBMITTED)
    if not reason.strip():
        raise ValidationError(_("Say why the calibration goes back to the technician."))
    return _move(calibration, to=State.DRAFT, by=by, reason=reason)


@transaction.atomic
def calibration_review(*, calibration: Calibration, by: User, reason: str = "") -> Calibration:
    calibration = _lock(calibration)
    require(by, "calibration.review")
    _check_second_person(calibration, by)
    _expect(calibration, State.SUBMITTED)
    return _move(calibration, to=State.REVIEWED, by=by, reason=reason)


@transaction.atomic
def calibration_approve(*, calibration: Calibration, by: User, reason: str = "") -> Calibration:
    """Approve a reviewed calibration; refused if any standard it used was not valid that day."""
    calibration = _lock(calibration)
    require(by, "calibration.approve")
    _check_second_person(calibration, by)
    _expect(calibration, State.REVIEWED)
    errors = chain_refusals(calibration)
    if errors:
        raise StandardNotUsable(errors)
    return _move(calibration, to=State.APPROVED, by=by, reason=reason)


def chain_refusals(calibration: Calibration) -> list[str]:
    """Why the standards a calibration used (each through the certificate it recorded, for the
    calibration and for each point) were not valid on its date; empty when every chain holds."""
    used = {
        (use.standard, use.standard_calibration)
        for use in calibration.standard_uses.select_related("standard", "standard_calibration")
    }
    used |= {
        (point.reference.calibration.standard, point.reference.calibration)
        for point in calibration.points.select_related("reference__calibration__standard")
    }
    errors = []
    for standard, certificate in sorted(used, key=lambda pair: (pair[0].asset_number, pair[1].pk)):
        for link in chain_of(standard, calibration.performed_on, certificate).problems:
            if link.problem not in errors:
                errors.append(link.problem)
    return errors


def calibration_mark_issued(*, calibration: Calibration, by: User, reason: str) -> Calibration:
    """The last move, made by `certificates.services.certificate_issue` inside its transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("calibration_mark_issued must run inside the issuing transaction")
    require(by, "certificate.issue")
    _expect(calibration, State.APPROVED)
    return _move(calibration, to=State.ISSUED, by=by, reason=reason)
