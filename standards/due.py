"""Which standards fall due: the due list, the dashboard and the reminders all ask here."""

import datetime as dt

from django.db.models import F, Max, Q, QuerySet

from standards.models import Standard, StandardStatus

WINDOWS = (30, 60, 90)


def due_within(days: int, *, today: dt.date) -> QuerySet:
    """Standards in service whose latest calibration is due within `days`, already overdue, or
    that were never calibrated; soonest (and never calibrated) first."""
    return (
        Standard.objects.filter(status=StandardStatus.IN_SERVICE)
        .select_related("custodian")
        .annotate(due_on=Max("calibrations__due_on"))
        .filter(Q(due_on__lte=today + dt.timedelta(days=days)) | Q(due_on__isnull=True))
        .order_by(F("due_on").asc(nulls_first=True), "asset_number")
    )
