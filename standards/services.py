"""Writes to the standards register, and the gate every calibration passes through."""

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lims.access import require
from lims.audit import stamp
from lims.models import User
from metrology import stats
from standards.chain import chain_of
from standards.due import add_months
from standards.models import (
    Conformity,
    FindingSource,
    IntermediateCheck,
    NationalStandard,
    OutOfTolerance,
    Provider,
    Standard,
    StandardCalibration,
    StandardDocument,
    StandardPiece,
    StandardStatus,
    StandardValue,
)

REGISTER_FIELDS = [
    "asset_number",
    "name",
    "level",
    "quantity",
    "manufacturer",
    "model",
    "serial_number",
    "grade",
    "measuring_range",
    "unit",
    "resolution",
    "tolerance",
    "location",
    "custodian",
    "calibration_interval_months",
    "check_interval_days",
    "check_standard",
    "acquired_on",
    "acquisition_cost",
    "funding_source",
]

# Limits of an intermediate check are set by its first checks after each recalibration; fixed limits
# show a drift that limits recomputed from every new check would absorb.
CHECK_BASELINE = 5


class StandardNotUsable(ValidationError):
    """A standard cannot be used on a date; the message says which, why and since when."""


def standard_check_usable(*, standard: Standard, on: dt.date) -> StandardCalibration:
    """The incoming calibration that makes `standard` usable on `on`, or StandardNotUsable.

    Usable means its whole chain to the SI holds on that day: in service, a current certificate
    in force, a provider that is an NMI or accredited that day, and a national standard named.
    """
    chain = chain_of(standard, on)
    problems = chain.problems
    if problems:
        raise StandardNotUsable(problems[0].problem, code=problems[0].code)
    return chain.certificate


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def standard_register(*, by: User, reason: str = "", pieces: Iterable[dict] = (), **fields):
    require(by, "standard.edit")
    standard = Standard(**fields)
    standard.full_clean()
    stamp(standard, by=by, reason=reason or _("Registered"))
    standard.save()
    for piece in pieces:
        piece_add(standard=standard, by=by, **piece)
    return standard


@transaction.atomic
def standard_update(*, standard: Standard, by: User, reason: str, **fields) -> Standard:
    """Change register fields (not the status: that has its own move); the reason is kept."""
    require(by, "standard.edit")
    if not reason.strip():
        raise ValidationError(_("Give the reason for the change."))
    unknown = set(fields) - set(REGISTER_FIELDS)
    if unknown:
        raise ValidationError(
            _("These are not fields of the register: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(standard, name, value)
    standard.full_clean()
    stamp(standard, by=by, reason=reason)
    standard.save(update_fields=list(fields) or None)
    return standard


@transaction.atomic
def piece_add(*, standard: Standard, by: User, reason: str = "", **fields) -> StandardPiece:
    require(by, "standard.edit")
    piece = StandardPiece(standard=standard, **fields)
    piece.full_clean()
    stamp(piece, by=by, reason=reason or _("Piece added to the set"))
    piece.save()
    return piece


@transaction.atomic
def document_add(
    *, standard: Standard, kind: str, title: str, upload, by: User, reason: str = ""
) -> StandardDocument:
    require(by, "standard.edit")
    data = upload.read()
    if not data:
        raise ValidationError(_("The file is empty."))
    document = StandardDocument(standard=standard, kind=kind, title=title, sha256=_sha256(data))
    document.full_clean(exclude=["file"])  # the file is written only once the rest is valid
    document.file.save(upload.name, ContentFile(data), save=False)
    stamp(document, by=by, reason=reason or _("Document added"))
    document.save()
    return document


def _decimal(raw, what: str) -> Decimal:
    if raw is None or str(raw).strip() == "":
        raise ValidationError(_("%(what)s: a number is missing.") % {"what": what})
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(what)s “%(raw)s” is not a number.") % {"what": what, "raw": raw}
        ) from None
    if not value.is_finite():
        raise ValidationError(_("%(what)s “%(raw)s” is not a number.") % {"what": what, "raw": raw})
    return value


def _value_row(standard: Standard, calibration: StandardCalibration, row: dict, index: int):
    label = str(row.get("label", "")).strip()
    where = _("Value %(n)s (%(label)s)") % {"n": index, "label": label or "?"}
    if not label:
        raise ValidationError(_("%(where)s has no label.") % {"where": where})
    nominal = _decimal(row.get("nominal"), where)
    if row.get("value") not in (None, ""):
        value = _decimal(row["value"], where)
    elif row.get("correction") not in (None, ""):
        value = nominal + _decimal(row["correction"], where)
    else:
        raise ValidationError(
            _("%(where)s gives neither a value nor a correction.") % {"where": where}
        )
    unit = (row.get("unit") or standard.unit).strip()
    if unit != standard.unit:
        raise ValidationError(
            _("%(where)s is in %(unit)s, but standard %(standard)s is in %(standard_unit)s.")
            % {"where": where, "unit": unit, "standard": standard, "standard_unit": standard.unit}
        )
    piece = None
    if standard.pieces.exists():
        piece = standard.pieces.filter(label=label).first()
        if piece is None:
            raise ValidationError(
                _("%(where)s: the set %(standard)s has no piece labelled “%(label)s”.")
                % {"where": where, "standard": standard, "label": label}
            )
    tolerance = row.get("tolerance")
    tolerance = (
        _decimal(tolerance, where)
        if tolerance not in (None, "")
        else (piece.tolerance if piece and piece.tolerance is not None else standard.tolerance)
    )
    conformity = row.get("conformity") or Conformity.NOT_STATED
    if conformity == Conformity.NOT_STATED and tolerance is not None:
        # The certificate states no conformity: simple acceptance against the standard's own
        # tolerance, |nominal − value| ≤ tolerance, as the lab's decision rule for its standards.
        conformity = (
            Conformity.CONFORMS
            if abs(nominal - value) <= tolerance
            else Conformity.DOES_NOT_CONFORM
        )
    return StandardValue(
        calibration=calibration,
        label=label,
        piece=piece,
        nominal=nominal,
        value=value,
        expanded_uncertainty=_decimal(row.get("expanded_uncertainty"), where),
        coverage_factor=_decimal(
            2 if row.get("coverage_factor") in (None, "") else row["coverage_factor"], where
        ),
        unit=unit,
        tolerance=tolerance,
        conformity=conformity,
    )


@transaction.atomic
def standard_calibration_record(
    *,
    standard: Standard,
    provider: Provider,
    certificate_number: str,
    calibrated_on: dt.date,
    values: Iterable[dict],
    by: User,
    due_on: dt.date | None = None,
    issued_on: dt.date | None = None,
    conformity: str = Conformity.NOT_STATED,
    provider_standard: str = "",
    national_standard: NationalStandard | None = None,
    certificate_file=None,
    dcc: tuple[str, bytes] | None = None,
    replaces: StandardCalibration | None = None,
    replacement_reason: str = "",
    reason: str = "",
) -> StandardCalibration:
    """Record an incoming certificate and its calibrated values, all or nothing.

    The record is frozen once saved. A correction is a new version that names the one it
    replaces and why; the old one stays, shown as replaced. A certificate that finds the standard
    out of tolerance opens a look-back.
    """
    require(by, "standard.edit")
    version = 1
    if replaces is not None:
        replaces = StandardCalibration.objects.select_for_update().get(pk=replaces.pk)
        if replaces.standard_id != standard.pk:
            raise ValidationError(_("A certificate can only replace one of the same standard."))
        if not replaces.is_current:
            raise ValidationError(
                _("Certificate %(certificate)s has already been replaced.")
                % {"certificate": replaces}
            )
        if not replacement_reason.strip():
            raise ValidationError(_("Give the reason for the replacement."))
        if (replaces.provider_id, replaces.certificate_number) == (provider.pk, certificate_number):
            version = replaces.version + 1
    calibration = StandardCalibration(
        standard=standard,
        provider=provider,
        certificate_number=certificate_number,
        version=version,
        calibrated_on=calibrated_on,
        issued_on=issued_on,
        due_on=due_on or add_months(calibrated_on, standard.calibration_interval_months),
        conformity=conformity,
        provider_standard=provider_standard,
        national_standard=national_standard,
        replaces=replaces,
        replacement_reason=replacement_reason,
    )
    calibration.full_clean()
    rows = list(values)
    if not rows:
        raise ValidationError(_("A calibration certificate must give at least one value."))
    labels, checked = set(), []
    for index, row in enumerate(rows, start=1):
        value = _value_row(standard, calibration, row, index)
        if value.label in labels:
            raise ValidationError(
                _("The label “%(label)s” is given twice.") % {"label": value.label}
            )
        labels.add(value.label)
        value.full_clean(exclude=["calibration"])  # the certificate is saved below
        checked.append(value)
    # The files are written only once all is valid: a refused certificate leaves none behind.
    if certificate_file is not None:
        data = certificate_file.read()
        calibration.certificate_sha256 = _sha256(data)
        calibration.certificate_file.save(certificate_file.name, ContentFile(data), save=False)
    if dcc is not None:
        name, data = dcc
        calibration.dcc_sha256 = _sha256(data)
        calibration.dcc_file.save(name, ContentFile(data), save=False)
    stamp(
        calibration,
        by=by,
        reason=reason
        or (replacement_reason if replaces else "")
        or _("Incoming certificate recorded"),
    )
    calibration.save()
    for value in checked:
        stamp(value, by=by, reason=calibration._change_reason)
        value.save()
    out = (
        calibration.conformity == Conformity.DOES_NOT_CONFORM
        or calibration.values.filter(conformity=Conformity.DOES_NOT_CONFORM).exists()
    )
    if out:
        wrong = ", ".join(
            calibration.values.filter(conformity=Conformity.DOES_NOT_CONFORM).values_list(
                "label", flat=True
            )
        )
        finding_open(
            standard=standard,
            found_on=calibrated_on,
            source=FindingSource.RECALIBRATION,
            incoming=calibration,
            description=_(
                "Certificate %(certificate)s found the standard out of tolerance as received%(points)s."
            )
            % {
                "certificate": calibration.certificate_number,
                "points": f" ({wrong})" if wrong else "",
            },
            by=by,
        )
    return calibration


@transaction.atomic
def standard_set_status(*, standard: Standard, status: str, by: User, reason: str) -> Standard:
    require(by, "standard.edit")
    return _set_status(standard=standard, status=status, by=by, reason=reason)


def _set_status(*, standard: Standard, status: str, by: User, reason: str) -> Standard:
    if not reason.strip():
        raise ValidationError(_("Give the reason for the change of status."))
    if status == StandardStatus.IN_SERVICE:
        pending = standard.findings.filter(assessed_at__isnull=True).order_by("found_on").first()
        if pending is not None:
            raise ValidationError(
                _(
                    "Standard %(standard)s was found out of tolerance on %(day)s and the look-back is not assessed yet: the quality manager assesses it before the standard returns to service."
                )
                % {"standard": standard, "day": date_format(pending.found_on, "d/m/Y")}
            )
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    standard.status = status
    standard.full_clean()
    stamp(standard, by=by, reason=reason)
    standard.save(update_fields=["status"])
    return standard


def last_good_on(standard: Standard, before: dt.date) -> dt.date | None:
    """The last day before `before` the standard was known good: an in-control intermediate check,
    or an incoming calibration that did not find it out of tolerance."""
    check = (
        standard.checks.filter(checked_on__lt=before, in_control=True)
        .order_by("-checked_on")
        .values_list("checked_on", flat=True)
        .first()
    )
    incoming = (
        standard.calibrations.filter(calibrated_on__lt=before, replaced_by__isnull=True)
        .exclude(conformity=Conformity.DOES_NOT_CONFORM)
        .exclude(values__conformity=Conformity.DOES_NOT_CONFORM)
        .order_by("-calibrated_on")
        .values_list("calibrated_on", flat=True)
        .first()
    )
    known = [day for day in (check, incoming) if day]
    return max(known) if known else None


def finding_open(
    *,
    standard: Standard,
    found_on: dt.date,
    source: str,
    description: str,
    by: User,
    incoming: StandardCalibration | None = None,
    check_record: IntermediateCheck | None = None,
) -> OutOfTolerance:
    finding = OutOfTolerance(
        standard=standard,
        found_on=found_on,
        source=source,
        incoming=incoming,
        check_record=check_record,
        last_good_on=last_good_on(standard, found_on),
        description=description,
    )
    finding.full_clean()
    stamp(finding, by=by, reason=description)
    finding.save()
    return finding


@transaction.atomic
def finding_report(
    *, standard: Standard, found_on: dt.date, description: str, by: User
) -> OutOfTolerance:
    """A quality manager records a standard found out of tolerance by other means (damage, a
    proficiency test); the standard goes into quarantine and the look-back opens."""
    require(by, "lookback.assess")
    if not description.strip():
        raise ValidationError(_("Say what was found."))
    if found_on > timezone.localdate():
        raise ValidationError(_("A finding cannot be dated in the future."))
    _set_status(standard=standard, status=StandardStatus.QUARANTINED, by=by, reason=description)
    return finding_open(
        standard=standard,
        found_on=found_on,
        source=FindingSource.OTHER,
        description=description,
        by=by,
    )


@transaction.atomic
def finding_assess(
    *,
    finding: OutOfTolerance,
    assessment: str,
    customers_notified: bool,
    notified_on: dt.date | None,
    by: User,
) -> OutOfTolerance:
    """The quality manager's assessment of the look-back (clause 7.10) and the notification."""
    require(by, "lookback.assess")
    if not assessment.strip():
        raise ValidationError(_("Write the assessment of the affected results."))
    if customers_notified and notified_on is None:
        raise ValidationError(_("Give the date the customers were notified."))
    if customers_notified and notified_on > timezone.localdate():
        raise ValidationError(_("The notification cannot be dated in the future."))
    finding = OutOfTolerance.objects.select_for_update().get(pk=finding.pk)
    finding.assessment = assessment
    finding.customers_notified = customers_notified
    finding.notified_on = notified_on if customers_notified else None
    finding.assessed_by = by
    finding.assessed_at = timezone.now()
    finding.full_clean()
    stamp(finding, by=by, reason=_("Look-back assessed"))
    finding.save()
    return finding


def _shown(limit: Decimal, *, like: Decimal) -> str:
    """A control limit with two more decimals than the value it is compared with."""
    places = max(0, -like.normalize().as_tuple().exponent) + 2
    return f"{limit.quantize(Decimal(1).scaleb(-places)):f}"


def check_limits(standard: Standard, label: str, on: dt.date) -> stats.ControlLimits | None:
    """Control limits for a check of `label` on `on`: from the first CHECK_BASELINE checks since
    the calibration then in force, or None while those are still being collected."""
    checks = standard.checks.filter(label=label, checked_on__lte=on)
    in_force = standard.calibration_on(on)
    if in_force is not None:
        checks = checks.filter(checked_on__gte=in_force.calibrated_on)
    baseline = list(
        checks.order_by("checked_on", "pk").values_list("value", flat=True)[:CHECK_BASELINE]
    )
    if len(baseline) < CHECK_BASELINE:
        return None
    return stats.control_limits(baseline)


@transaction.atomic
def check_record(
    *,
    standard: Standard,
    checked_on: dt.date,
    label: str,
    value,
    by: User,
    check_standard: Standard | None = None,
    remarks: str = "",
) -> IntermediateCheck:
    """Record an intermediate check. Outside the control limits, the standard goes into
    quarantine with the reason, and a look-back opens, pending the quality manager's decision."""
    require(by, "standard.check")
    if checked_on > timezone.localdate():
        raise ValidationError(_("A check cannot be dated in the future."))
    value = _decimal(value, _("The value"))
    label = label.strip()  # the limits are those of the label as stored
    if Standard.objects.get(pk=standard.pk).status == StandardStatus.RETIRED:
        raise ValidationError(
            _("Standard %(standard)s is retired: it is no longer checked.") % {"standard": standard}
        )
    if check_standard is not None and check_standard.pk == standard.pk:
        raise ValidationError(_("A standard cannot be its own check standard."))
    limits = check_limits(standard, label, checked_on)
    check = IntermediateCheck(
        standard=standard,
        check_standard=check_standard or standard.check_standard,
        checked_on=checked_on,
        label=label,
        value=value,
        unit=standard.unit,
        performed_by=by,
        remarks=remarks,
    )
    if limits is not None:
        check.centre = Decimal(repr(limits.center)).quantize(Decimal("1e-9"))
        check.lower_limit = Decimal(repr(limits.lower_action)).quantize(Decimal("1e-9"))
        check.upper_limit = Decimal(repr(limits.upper_action)).quantize(Decimal("1e-9"))
        check.in_control = check.lower_limit <= value <= check.upper_limit
    check.full_clean()
    stamp(check, by=by, reason=remarks or _("Intermediate check recorded"))
    check.save()
    if check.in_control is False:
        reason = _(
            "Intermediate check of %(label)s on %(day)s gave %(value)s %(unit)s, outside the control limits %(lower)s to %(upper)s."
        ) % {
            "label": check.label,
            "day": date_format(checked_on, "d/m/Y"),
            "value": f"{value.normalize():f}",
            "unit": standard.unit,
            "lower": _shown(check.lower_limit, like=value),
            "upper": _shown(check.upper_limit, like=value),
        }
        _set_status(standard=standard, status=StandardStatus.QUARANTINED, by=by, reason=reason)
        finding_open(
            standard=standard,
            found_on=checked_on,
            source=FindingSource.CHECK,
            check_record=check,
            description=reason,
            by=by,
        )
    return check
