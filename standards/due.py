"""Which standards fall due: the due list, the dashboard and the reminders all ask here.

"Due soon" and "overdue" are never stored; they follow from the current incoming calibrations.
"""

import calendar
import datetime as dt

from django.db.models import F, Max, Q, QuerySet

from standards.models import Standard, StandardStatus

WINDOWS = (30, 60, 90)
DUE_SOON_DAYS = WINDOWS[0]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (31/01 + 1 month is 28 or 29/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def with_due_on(standards: QuerySet) -> QuerySet:
    """Annotate `due_on`: the due date of the latest current (not replaced) incoming calibration."""
    return standards.annotate(
        due_on=Max("calibrations__due_on", filter=Q(calibrations__replaced_by__isnull=True))
    )


def due_state(due_on: dt.date | None, today: dt.date) -> str:
    """'overdue', 'due_soon' (within 30 days), 'never' (never calibrated) or '' (in date)."""
    if due_on is None:
        return "never"
    if due_on < today:
        return "overdue"
    if due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return ""


def due_within(days: int, *, today: dt.date) -> QuerySet:
    """Standards in service whose latest calibration is due within `days`, already overdue, or
    that were never calibrated; soonest (and never calibrated) first."""
    return (
        with_due_on(Standard.objects.filter(status=StandardStatus.IN_SERVICE))
        .select_related("custodian")
        .filter(Q(due_on__lte=today + dt.timedelta(days=days)) | Q(due_on__isnull=True))
        .order_by(F("due_on").asc(nulls_first=True), "asset_number")
    )
