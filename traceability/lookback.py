"""The look-back (ISO/IEC 17025 clauses 6.4.9 and 7.10): every result a faulty standard touched.

A finding says on which day the standard was found out of tolerance and when it was last known
good. Affected are the calibrations that used it, as a standard of the calibration or as the
reference of a point, performed after the last good day and up to the finding's day: a result of
the last good day itself stands, since the standard was shown good that day. Without a known good
day, every calibration up to the finding is affected.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from calibration.models import Calibration, MeasurementPoint
from standards.models import FindingSource, OutOfTolerance


@dataclass(frozen=True)
class PointEffect:
    point: MeasurementPoint
    shift: Decimal | None  # how far the standard's value was off at this point, if known
    expanded_uncertainty: Decimal | None  # U of the point's result

    @property
    def ratio(self) -> float | None:
        """|shift| / U: above 1, the error alone exceeds the uncertainty stated for the result."""
        if self.shift is None or not self.expanded_uncertainty:
            return None
        return float(abs(self.shift) / self.expanded_uncertainty)


@dataclass(frozen=True)
class Affected:
    calibration: Calibration
    certificate: object | None
    effects: tuple[PointEffect, ...]

    @property
    def worst_ratio(self) -> float | None:
        ratios = [e.ratio for e in self.effects if e.ratio is not None]
        return max(ratios) if ratios else None


def affected_calibrations(finding: OutOfTolerance) -> QuerySet:
    standard = finding.standard
    uses = Q(standard_uses__standard=standard) | Q(
        points__reference__calibration__standard=standard
    )
    window = Q(performed_on__lte=finding.found_on)
    if finding.last_good_on:
        window &= Q(performed_on__gt=finding.last_good_on)
    return (
        Calibration.objects.filter(uses & window)
        .distinct()
        .select_related("instrument__customer", "certificate")
        .order_by("performed_on", "pk")
    )


def _shift(finding: OutOfTolerance, point: MeasurementPoint, found: dict) -> Decimal | None:
    if finding.source == FindingSource.RECALIBRATION and finding.incoming_id:
        value = found.get(point.reference.label)
        return None if value is None else value.value - point.reference.value
    if finding.source == FindingSource.CHECK and finding.check_record_id:
        check = finding.check_record
        if check.centre is not None and check.label == point.reference.label:
            return check.value - check.centre
    return None


def look_back(finding: OutOfTolerance, *, on: dt.date | None = None) -> list[Affected]:
    rows = []
    found = {v.label: v for v in finding.incoming.values.all()} if finding.incoming_id else {}
    for calibration in affected_calibrations(finding).prefetch_related(
        "points__reference__calibration"
    ):
        effects = []
        for point in calibration.points.all():
            if point.reference.calibration.standard_id != finding.standard_id:
                continue
            result = point.result or {}
            U = result.get("reported_U") or result.get("U")
            effects.append(
                PointEffect(
                    point=point,
                    shift=_shift(finding, point, found),
                    expanded_uncertainty=Decimal(str(U)) if U is not None else None,
                )
            )
        rows.append(
            Affected(
                calibration=calibration,
                certificate=getattr(calibration, "certificate", None),
                effects=tuple(effects),
            )
        )
    return rows
