"""Every write to an instrument or a calibration's data goes through here.

Instruments and their ranges (their own specification, drawn from a procedure), opening a
calibration (the procedure approved and in effect, the technician authorised to perform it, the
environment within its limits, every standard usable on the day), its conditions, and its points:
readings parsed as typed and each point computed by the procedure's method. Only a draft changes,
only by its technician; once a calibration has been submitted, every change needs a reason. The
moves and signatures are `calibration.workflow`.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from calibration.models import (
    Adjustment,
    Calibration,
    EntryDraft,
    Instrument,
    InstrumentRange,
    MeasurementPoint,
    Phase,
    Procedure,
    ScopeEntry,
    StandardUse,
    State,
)
from calibration.procedures import procedure_check_usable
from calibration.results import Method, point_result, scope_line
from competence.services import check_authorised
from lims.access import require
from lims.audit import stamp
from lims.models import Customer, User
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
    exponent = value.as_tuple().exponent
    if value.is_zero() and abs(exponent) > MAX_DIGITS:  # 0E-999999999 would print a billion zeros
        too_long = True
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


RANGE_FIELDS = [
    "name",
    "unit",
    "resolution",
    "points",
    "tolerance_abs",
    "tolerance_rel",
    "tolerance_source",
]


@transaction.atomic
def instrument_range_add(
    *, instrument: Instrument, procedure: Procedure, by: User, reason: str = "", **fields
) -> InstrumentRange:
    """A range or channel of an instrument, its points and tolerance drawn from the procedure
    unless given: the instrument's own specification from then on."""
    require(by, "instrument.edit")
    defaults = {
        "name": instrument.measuring_range or procedure.unit,
        "unit": instrument.unit,
        "resolution": instrument.resolution,
        "points": list(procedure.points),
        "tolerance_abs": procedure.tolerance_abs,
        "tolerance_rel": procedure.tolerance_rel,
        "tolerance_source": procedure.tolerance_source,
    }
    unknown = set(fields) - set(RANGE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    defaults.update(fields)  # a None given clears the procedure's value (no tolerance)
    last = instrument.ranges.order_by("-position").first()
    spec = InstrumentRange(
        instrument=instrument,
        position=(last.position + 1) if last else 1,
        procedure_code=procedure.code,
        **defaults,
    )
    _check_points(spec.points)
    spec.full_clean()
    stamp(
        spec,
        by=by,
        reason=reason or _("Range drawn from procedure %(code)s") % {"code": procedure.code},
    )
    spec.save()
    return spec


@transaction.atomic
def instrument_range_update(*, range: InstrumentRange, by: User, reason: str, **fields):
    """Change an instrument's agreed points or tolerance; the reason is kept in the history."""
    require(by, "instrument.edit")
    if not reason.strip():
        raise ValidationError(_("Say why the instrument's specification changes."))
    unknown = set(fields) - set(RANGE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    spec = InstrumentRange.objects.select_for_update().get(pk=range.pk)
    computed_with = {"unit", "resolution", "tolerance_abs", "tolerance_rel"}
    changing = {name for name in computed_with & set(fields) if getattr(spec, name) != fields[name]}
    in_progress = (
        MeasurementPoint.objects.filter(range=spec)
        .exclude(calibration__state=State.ISSUED)
        .values_list("calibration_id", flat=True)
        .first()
    )
    if changing and in_progress:
        raise ValidationError(
            _(
                "Calibration #%(pk)s in progress has results computed with this range's unit, resolution and tolerance: issue it, or remove its points, before changing them."
            )
            % {"pk": in_progress}
        )
    for name, value in fields.items():
        setattr(spec, name, value)
    _check_points(spec.points)
    spec.full_clean()
    stamp(spec, by=by, reason=reason)
    spec.save()
    return spec


def _check_points(points) -> None:
    if not isinstance(points, list):
        raise ValidationError(_("The measurement points must be a list of values."))
    for text in points:
        parse_reading(text)


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
    adjustment: str = Adjustment.NONE,
) -> Calibration:
    """Open a draft calibration performed by `by`.

    Refused unless the procedure version is approved and in effect on the day, `by` is
    authorised to perform it that day, the environment is within its limits, and every standard
    is usable on the day. An instrument without a range for this procedure gets one drawn from
    the procedure.
    """
    require(by, "calibration.edit")
    if performed_on > timezone.localdate() or received_on > timezone.localdate():
        raise ValidationError(_("The dates of receipt and of calibration cannot be in the future."))
    procedure_check_usable(procedure, performed_on)
    check_authorised(by, procedure.code, "perform", performed_on)
    problems = procedure.environment_problems(temperature, humidity)
    if problems:
        raise ValidationError(problems)
    calibration = Calibration(
        instrument=instrument,
        procedure=procedure,
        technician=by,
        received_on=received_on,
        performed_on=performed_on,
        temperature=temperature,
        humidity=humidity,
        remarks=remarks,
        adjustment=adjustment,
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
    if not instrument.ranges.filter(procedure_code=procedure.code).exists():
        instrument_range_add(instrument=instrument, procedure=procedure, by=by)
    return calibration


def ranges_of(calibration: Calibration):
    """The instrument's ranges or channels calibrated by this calibration's procedure."""
    return calibration.instrument.ranges.filter(procedure_code=calibration.procedure.code)


def _check_reason(calibration: Calibration, reason: str) -> str:
    """After submission any change needs a reason; before, the default reason is used."""
    if calibration.was_submitted and not reason.strip():
        raise ValidationError(
            _(
                "This calibration has been submitted before: say why its data change (the reason is kept in the history)."
            )
        )
    return reason


@transaction.atomic
def calibration_set_conditions(
    *,
    calibration: Calibration,
    by: User,
    reason: str = "",
    temperature: Decimal,
    humidity: Decimal,
    adjustment: str | None = None,
    remarks: str | None = None,
) -> Calibration:
    """Change the environment (checked against the procedure's limits), adjustment or remarks."""
    calibration = lock_calibration(calibration)
    check_editable(calibration, by)
    _check_reason(calibration, reason)
    problems = calibration.procedure.environment_problems(temperature, humidity)
    if problems:
        raise ValidationError(problems)
    calibration.temperature, calibration.humidity = temperature, humidity
    if adjustment is not None:
        if adjustment not in Adjustment.values:
            raise ValidationError(_("Choose whether the instrument was adjusted."))
        if (
            adjustment != Adjustment.ADJUSTED
            and calibration.points.filter(phase=Phase.AS_FOUND).exists()
        ):
            raise ValidationError(
                _("Remove the as-found readings before saying the instrument was not adjusted.")
            )
        calibration.adjustment = adjustment
    if remarks is not None:
        calibration.remarks = remarks
    calibration.full_clean()
    stamp(calibration, by=by, reason=reason or _("Conditions entered"))
    calibration.save()
    return calibration


def check_editable(calibration: Calibration, by: User) -> None:
    """Only the technician performing a draft calibration changes its data."""
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


class Computation(NamedTuple):
    """What computing a point needs beyond its readings, loaded once for a whole calibration."""

    method: Method
    scope: list


def computation_for(calibration: Calibration) -> Computation:
    procedure = calibration.procedure
    return Computation(
        method=Method.of(procedure),
        scope=list(ScopeEntry.objects.filter(procedure_code=procedure.code)),
    )


def compute_point(
    computation: Computation, *, range: InstrumentRange, reference: StandardValue, readings
) -> dict:
    """One point's result by the procedure's method, the range's tolerance and the lab's scope."""
    return point_result(
        readings=readings,
        reference=reference,
        resolution=range.resolution,
        method=computation.method,
        tolerance=range.tolerance_at(reference.nominal),
        scope=scope_line(
            computation.scope,
            procedure_code=range.procedure_code,
            unit=reference.unit,
            value=reference.nominal,
        ),
    )


class Row(NamedTuple):
    """One row of the reading grid: where it belongs, its reference value and readings as typed."""

    range: InstrumentRange | None
    phase: str
    reference: StandardValue | None
    readings: Sequence[str]


def parse_readings(readings: Sequence[str]) -> list[Decimal]:
    """The typed readings of one point, empty cells skipped; errors name the reading."""
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
    return values


class _Grid:
    """What checking and computing rows of one calibration needs, loaded once."""

    def __init__(self, calibration: Calibration):
        self.calibration = calibration
        self.ranges = {r.pk: r for r in ranges_of(calibration)}
        self.references = set(allowed_references(calibration).values_list("pk", flat=True))
        self.computation = computation_for(calibration)

    def point(self, existing, *, range, phase, position, reference, readings) -> MeasurementPoint:
        """The point as these readings make it (not saved); refuses what cannot be."""
        if range is None:
            if not self.ranges:
                raise ValidationError(_("The instrument has no range for this procedure."))
            range = next(iter(self.ranges.values()))
        elif range.pk not in self.ranges:
            raise ValidationError(
                _("This range is not one of the instrument's for this procedure.")
            )
        if phase not in self.calibration.phases:
            raise ValidationError(
                _("As-found readings are entered only when the instrument is adjusted.")
                if phase == Phase.AS_FOUND
                else _("Unknown phase.")
            )
        if reference.pk not in self.references:
            raise ValidationError(
                _("The reference value must come from a standard used in this calibration.")
            )
        if reference.unit != range.unit:
            raise ValidationError(
                _("The reference value is in %(ref)s but the instrument reads in %(unit)s.")
                % {"ref": reference.unit, "unit": range.unit}
            )
        values = parse_readings(readings)
        point = existing or MeasurementPoint(
            calibration=self.calibration, range=range, phase=phase, position=position
        )
        point.reference = reference
        point.readings = [str(v) for v in values]
        point.result = compute_point(
            self.computation, range=range, reference=reference, readings=values
        )
        return point


@transaction.atomic
def calibration_set_point(
    *,
    calibration: Calibration,
    position: int,
    reference: StandardValue,
    readings: Sequence[str],
    by: User,
    range: InstrumentRange | None = None,
    phase: str = Phase.AS_LEFT,
    reason: str = "",
) -> MeasurementPoint:
    """Create or replace one point's reference and readings, and recompute its result.

    `range` defaults to the calibration's first range; `phase` to as left.
    """
    calibration = lock_calibration(calibration)
    check_editable(calibration, by)
    _check_reason(calibration, reason)
    grid = _Grid(calibration)
    if range is None and grid.ranges:
        range = next(iter(grid.ranges.values()))
    existing = calibration.points.filter(range=range, phase=phase, position=position).first()
    point = grid.point(
        existing,
        range=range,
        phase=phase,
        position=position,
        reference=reference,
        readings=readings,
    )
    stamp(point, by=by, reason=reason or _("Readings entered"))
    point.save()
    return point


@transaction.atomic
def calibration_set_points(
    *,
    calibration: Calibration,
    rows: Sequence[Row],
    by: User,
    reason: str = "",
    covered: Iterable[tuple[InstrumentRange, str]] | None = None,
) -> int:
    """Save the whole reading grid at once: every row or none.

    Rows without any reading are skipped; the points of each range and phase are numbered in
    the order of the rows that remain. `covered` names the sections (range, phase) the rows
    stand for in full (the grid's sections as the page showed them): their points beyond the
    rows are removed. Without it, only the sections that have rows are. Points of other
    sections are never touched, so a stale page cannot delete what it did not show. Errors name
    the row as the technician sees it. Only points that change are written (each with its
    history). Returns the number of points in the grid.
    """
    calibration = lock_calibration(calibration)
    check_editable(calibration, by)
    _check_reason(calibration, reason)
    grid = _Grid(calibration)
    saved = {(p.range_id, p.phase, p.position): p for p in calibration.points.all()}
    default_range = next(iter(grid.ranges.values()), None)
    errors, new, changed = [], [], []
    positions: dict[tuple[int, str], int] = {}
    for index, row in enumerate(rows, start=1):
        if not any(str(r).strip() for r in row.readings):
            continue
        range = row.range or default_range
        key = (range.pk if range else 0, row.phase)
        positions[key] = positions.get(key, 0) + 1
        if row.reference is None:
            errors.append(_("Row %(n)d: choose the reference value.") % {"n": index})
            continue
        existing = saved.get((*key, positions[key]))
        before = (existing.reference_id, existing.readings, existing.result) if existing else None
        try:
            point = grid.point(
                existing,
                range=range,
                phase=row.phase,
                position=positions[key],
                reference=row.reference,
                readings=row.readings,
            )
        except ValidationError as error:
            errors.extend(
                _("Row %(n)d: %(error)s") % {"n": index, "error": m} for m in error.messages
            )
            continue
        if existing is None:
            new.append(point)
        elif before != (point.reference_id, point.readings, point.result):
            changed.append(point)
    if errors:
        raise ValidationError(errors)
    history = {"default_user": by, "default_change_reason": reason or _("Readings entered")}
    if new:
        bulk_create_with_history(new, MeasurementPoint, **history)
    if changed:
        bulk_update_with_history(
            changed, MeasurementPoint, ["reference", "readings", "result"], **history
        )
    sections = set(positions) if covered is None else {(spec.pk, phase) for spec, phase in covered}
    for stale in saved.values():
        key = (stale.range_id, stale.phase)
        if key in sections and stale.position > positions.get(key, 0):
            stamp(stale, by=by, reason=reason or _("Point removed"))
            stale.delete()
    EntryDraft.objects.filter(calibration=calibration).delete()
    return sum(positions.values())


@transaction.atomic
def calibration_delete_point(
    *,
    calibration: Calibration,
    position: int,
    by: User,
    range: InstrumentRange | None = None,
    phase: str = Phase.AS_LEFT,
    reason: str = "",
) -> None:
    calibration = lock_calibration(calibration)
    check_editable(calibration, by)
    _check_reason(calibration, reason)
    points = calibration.points.filter(position=position, phase=phase)
    if range is not None:
        points = points.filter(range=range)
    point = points.order_by("range__position").first()
    if point is not None:
        stamp(point, by=by, reason=reason or _("Point removed"))
        point.delete()


def lock_calibration(calibration: Calibration) -> Calibration:
    """The calibration's row, locked until the end of the transaction."""
    return Calibration.objects.select_for_update().get(pk=calibration.pk)
