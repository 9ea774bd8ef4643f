"""What each role sees first when it logs in."""

from django.db.models import Count
from django.utils import timezone

from calibration.access import calibrations_for, instruments_for
from calibration.models import State
from certificates.access import certificates_for
from lims.models import Role
from standards.due import due_within

DUE_SOON_DAYS = 30


def dashboard_for(user) -> dict:
    today = timezone.localdate()
    calibrations = calibrations_for(user)
    context: dict = {"today": today}
    if user.role == Role.CUSTOMER:
        context["certificates"] = certificates_for(user)[:20]
        context["instruments"] = instruments_for(user)
        context["in_progress"] = calibrations.exclude(state=State.ISSUED)
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
