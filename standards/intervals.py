"""Interval review of a standard from its history: the methods propose, the quality manager decides.

The staircase method (OIML D 10:2007 / ILAC-G24 clause 3, Method 1) reads the findings of the
standard's past recalibrations; the drift method fits the calibrated values of each point (or piece
of a set) and predicts when one reaches its tolerance. The review proposes the shorter of the two;
both computations are kept with the review, and so is the quality manager's decision.
"""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.access import require
from lims.audit import stamp
from lims.models import User
from metrology import intervals
from metrology.errors import InputError
from standards.models import Conformity, IntervalReview, Standard

DAYS_PER_MONTH = 365.25 / 12
MAXIMUM_MONTHS = 120  # the longest interval the quality manager may decide


def _months(days: int) -> int:
    """Whole months on the shorter side, within what can be decided (a slow drift can predict
    centuries; its computation keeps the days)."""
    return min(MAXIMUM_MONTHS, max(1, int(days // DAYS_PER_MONTH)))


def findings(standard: Standard) -> list[tuple[dt.date, bool]]:
    """(date, found in tolerance) of each current incoming calibration that says so, oldest first."""
    result = []
    for incoming in (
        standard.calibrations.filter(replaced_by__isnull=True)
        .order_by("calibrated_on")
        .prefetch_related("values")
    ):
        stated = [incoming.conformity] + [v.conformity for v in incoming.values.all()]
        if Conformity.DOES_NOT_CONFORM in stated:
            result.append((incoming.calibrated_on, False))
        elif Conformity.CONFORMS in stated:
            result.append((incoming.calibrated_on, True))
    return result


def series(standard: Standard) -> dict[str, list]:
    """The calibrated values of each point (or piece) across the current certificates, oldest first."""
    by_label = defaultdict(list)
    values = (
        standard.calibrations.filter(replaced_by__isnull=True)
        .order_by("calibrated_on")
        .prefetch_related("values__piece")
    )
    for incoming in values:
        for value in incoming.values.all():
            by_label[value.label].append((incoming.calibrated_on, value))
    return dict(by_label)


def tolerance_of(standard: Standard, value) -> object:
    if value.tolerance is not None:
        return value.tolerance
    if value.piece is not None and value.piece.tolerance is not None:
        return value.piece.tolerance
    return standard.tolerance


def drift_of(standard: Standard, label: str, points: list) -> intervals.DriftPrediction | None:
    """The drift prediction of one point, or None without two calibrations and a tolerance."""
    if len(points) < 2:
        return None
    latest = points[-1][1]
    tolerance = tolerance_of(standard, latest)
    if tolerance is None:
        return None
    nominal = float(latest.nominal)
    try:
        return intervals.drift(
            [day for day, _value in points],
            [float(value.value) for _day, value in points],
            [float(value.expanded_uncertainty) for _day, value in points],
            [float(value.coverage_factor) for _day, value in points],
            lower=nominal - float(tolerance),
            upper=nominal + float(tolerance),
        )
    except InputError:
        return None


@transaction.atomic
def interval_propose(*, standard: Standard, by: User) -> IntervalReview:
    require(by, "standard.edit")
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.interval_reviews.filter(decided_at__isnull=True).exists():
        # One pending review at a time: else the older one, decided after the newer, would undo
        # the newer decision.
        raise ValidationError(_("Awaiting the quality manager's decision."))
    current_days = round(standard.calibration_interval_months * DAYS_PER_MONTH)
    proposals = []
    staircase = None
    history = [found for _day, found in findings(standard)]
    if history:
        staircase = intervals.staircase(current_days, history)
        proposals.append(_months(staircase.proposed_interval_days))
    drift = None
    drift_label = ""
    for label, points in series(standard).items():
        prediction = drift_of(standard, label, points)
        if prediction is None:
            continue
        if drift is None or (
            prediction.proposed_interval_days is not None
            and (
                drift.proposed_interval_days is None
                or prediction.proposed_interval_days < drift.proposed_interval_days
            )
        ):
            drift, drift_label = prediction, label
    if drift is not None and drift.proposed_interval_days is not None:
        proposals.append(_months(drift.proposed_interval_days))
    if staircase is None and drift is None:
        raise ValidationError(
            _(
                "Standard %(standard)s has no recalibration that states whether it was found in tolerance, and no point calibrated twice with a known tolerance: there is no history to review its interval from."
            )
            % {"standard": standard}
        )
    review = IntervalReview(
        standard=standard,
        current_months=standard.calibration_interval_months,
        proposed_months=min(proposals) if proposals else standard.calibration_interval_months,
        staircase=staircase.as_dict() if staircase else None,
        drift={"label": drift_label, **drift.as_dict()} if drift else None,
    )
    review.full_clean()
    stamp(review, by=by, reason=_("Interval review proposed"))
    review.save()
    return review


@transaction.atomic
def interval_decide(
    *, review: IntervalReview, months: int, reason: str, by: User
) -> IntervalReview:
    """The quality manager's decision: the interval in force from now on, and why."""
    require(by, "interval.decide")
    review = IntervalReview.objects.select_for_update().get(pk=review.pk)
    if review.is_decided:
        raise ValidationError(_("This review has already been decided."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the decision."))
    if not 1 <= months <= MAXIMUM_MONTHS:
        raise ValidationError(_("The interval must be between 1 and 120 months."))
    review.decided_months = months
    review.decided_by = by
    review.decided_at = timezone.now()
    review.decision_reason = reason
    stamp(review, by=by, reason=reason)
    review.save()
    standard = Standard.objects.select_for_update().get(pk=review.standard_id)
    standard.calibration_interval_months = months
    stamp(standard, by=by, reason=_("Interval decided: %(reason)s") % {"reason": reason})
    standard.save(update_fields=["calibration_interval_months"])
    return review
