"""What each role sees first when it logs in."""

from django.db.models import Count
from django.utils import timezone

from calibration.access import calibrations_for
from calibration.models import State
from certificates.access import certificates_for
from jobs.access import jobs_for
from lims.models import Role
from portal import due
from standards.due import due_within

DUE_SOON_DAYS = 30


def dashboard_for(user) -> dict:
    today = timezone.localdate()
    calibrations = calibrations_for(user)
    context: dict = {"today": today}
    if user.role == Role.CUSTOMER:
        # The customer's home is the portal in short: the counts per state lead to the
        # dashboard's filtered lists, the instruments needing attention are listed here.
        rows = due.instrument_rows(user.customer, today=today)
        attention = {due.InstrumentState.OVERDUE, due.InstrumentState.DUE_SOON}
        context["counts"] = due.counts(rows)
        context["attention"] = [row for row in due.by_due_date(rows) if row.state in attention][:10]
        context["certificates"] = certificates_for(user)[:10]
        context["open_jobs"] = jobs_for(user, today).open().order_by("-number")[:10]
        return context
    if user.role == Role.TECHNICIAN:
        context["mine"] = calibrations.filter(technician=user).exclude(state=State.ISSUED)
    if user.role == Role.REVIEWER:
        context["to_review"] = calibrations.filter(
            state__in=[State.SUBMITTED, State.REVIEWED, State.APPROVED]
        ).exclude(technician=user)
    counts = {
        row["state"]: row["n"] for row in calibrations.values("state").annotate(n=Count("pk"))
    }
    context["state_counts"] = [
        (value, label, counts.get(value, 0)) for value, label in State.choices
    ]
    context["standards_due"] = due_within(DUE_SOON_DAYS, today=today)
    return context
