"""A customer's instruments as their measurement-assurance programme sees them.

For each instrument: the last calibration made here and its certificate, the verdict it gave, the
customer's own recall interval, the next due date, and one state. Decisions:

- The **last calibration** is the latest *issued* one, by date of calibration: work in progress says
  nothing yet, and a customer sees results only once the certificate is issued.
- The **next due date** is that calibration's date plus the customer's recall interval, in calendar
  months (31 January + 1 month = 28 or 29 February). The lab never sets the interval
  (ISO/IEC 17025 7.8.4.3): with none set there is no due date, and the state says so.
- The **verdict** reads the points' stored decisions: a point failing as left (as returned to the
  customer) makes the instrument out of tolerance; a point failing only as found, the instrument
  then adjusted and passing, is flagged apart, since the customer must judge what was measured
  with it before; no decision on any point (no tolerance, or no statement asked) is no verdict.
- A certificate superseded by a correction gives way to the one that replaces it; one withdrawn
  leaves the instrument without a valid certificate, and the state says so.
- One **state**, the first that applies: requested (asked for through the portal, not yet
  received), in the lab (an open job, or a calibration not yet issued), never calibrated here,
  last certificate withdrawn, no interval set, overdue, due within 30 days, in force. An instrument in the lab is dealt with,
  whatever its due date.
- The state depends on today and on month arithmetic, which SQLite and PostgreSQL do differently,
  so it is computed here, in Python, from three queries whatever the number of instruments (a
  customer has hundreds, not millions): one definition for the page, the home page and the Excel
  export.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from calibration.models import Calibration, Instrument, MeasurementPoint, Phase, State
from certificates.models import Withdrawal
from jobs.models import Job, JobItem
from lims.models import Customer
from standards.due import add_months  # calendar months, as a standard's due date

DUE_SOON_DAYS = 30


class InstrumentState(models.TextChoices):
    """In the order the dashboard lists them: what needs the customer's attention first."""

    WITHDRAWN = "withdrawn", _("Last certificate withdrawn")
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "due_soon", _("Due within 30 days")
    REQUESTED = "requested", _("Calibration requested")
    IN_LAB = "in_lab", _("In the lab now")
    IN_FORCE = "in_force", _("In force")
    NO_INTERVAL = "no_interval", _("No recall interval set")
    NEVER = "never", _("Never calibrated here")


class Verdict(models.TextChoices):
    IN_TOLERANCE = "in_tolerance", _("In tolerance")
    ADJUSTED = "adjusted", _("Found out of tolerance, adjusted")
    OUT_OF_TOLERANCE = "out_of_tolerance", _("Out of tolerance")


def verdict_flags(calibration: str = "pk") -> dict:
    """Annotations of a calibration's points' decisions (`calibration` leads to its pk)."""
    points = MeasurementPoint.objects.filter(calibration=OuterRef(calibration))
    return {
        "left_failed": Exists(points.filter(phase=Phase.AS_LEFT, result__passed=False)),
        "found_failed": Exists(points.filter(phase=Phase.AS_FOUND, result__passed=False)),
        "decided": Exists(points.filter(result__passed__isnull=False)),
    }


def verdict_of(row) -> str | None:
    """The verdict of a row annotated with `verdict_flags`, or None when nothing was decided."""
    if row.left_failed:
        return Verdict.OUT_OF_TOLERANCE
    if row.found_failed:
        return Verdict.ADJUSTED
    return Verdict.IN_TOLERANCE if row.decided else None


@dataclass(frozen=True)
class InstrumentRow:
    instrument: Instrument
    calibration: Calibration | None  # the last issued, with its certificate
    verdict: str | None
    due_on: dt.date | None
    state: str
    job: Job | None  # the open job or request it is in
    days_left: int | None  # to the due date; negative when overdue

    @property
    def certificate(self):
        return getattr(self.calibration, "certificate", None) if self.calibration else None

    @property
    def days_overdue(self) -> int | None:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else None

    @property
    def state_label(self) -> str:
        return InstrumentState(self.state).label

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label if self.verdict else ""


def _state(*, calibration, due_on, job, busy, today) -> str:
    if job is not None and job.received_on is None:
        return InstrumentState.REQUESTED
    if job is not None or busy:
        return InstrumentState.IN_LAB
    if calibration is None:
        return InstrumentState.NEVER
    if calibration.withdrawn:
        return InstrumentState.WITHDRAWN
    if due_on is None:
        return InstrumentState.NO_INTERVAL
    if due_on < today:
        return InstrumentState.OVERDUE
    if due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return InstrumentState.DUE_SOON
    return InstrumentState.IN_FORCE


def instrument_rows(customer: Customer, *, today: dt.date) -> list[InstrumentRow]:
    """Every instrument of `customer`, in the register's order, with its state on `today`."""
    issued = (
        Calibration.objects.filter(instrument=OuterRef("pk"), state=State.ISSUED)
        .exclude(certificate__replacement__calibration__state=State.ISSUED)  # superseded
        .order_by("-performed_on", "-pk")
    )
    in_progress = (
        Calibration.objects.filter(instrument=OuterRef("pk"))
        .exclude(state=State.ISSUED)
        .exclude(job_item__job__returned_on__isnull=False)  # handed back without a certificate
        .exclude(replacing__isnull=False)  # correcting a certificate: the instrument is not here
    )
    instruments = list(
        Instrument.objects.filter(customer=customer)
        .annotate(last_calibration_id=Subquery(issued.values("pk")[:1]), busy=Exists(in_progress))
        .order_by("name", "serial_number", "pk")
    )
    ids = [i.last_calibration_id for i in instruments if i.last_calibration_id]
    calibrations = (
        Calibration.objects.filter(pk__in=ids)
        .select_related("certificate")
        .defer("certificate__pdf")
        .annotate(
            **verdict_flags(),
            withdrawn=Exists(Withdrawal.objects.filter(certificate__calibration=OuterRef("pk"))),
        )
        .in_bulk()
        if ids
        else {}
    )
    jobs = {
        item.instrument_id: item.job
        for item in JobItem.objects.filter(
            instrument__customer=customer,
            job__returned_on__isnull=True,
            job__cancelled_on__isnull=True,
        )
        .select_related("job")
        .order_by("job_id")
    }
    rows = []
    for instrument in instruments:
        calibration = calibrations.get(instrument.last_calibration_id)
        due_on = None
        if calibration is not None and instrument.recall_months and not calibration.withdrawn:
            due_on = add_months(calibration.performed_on, instrument.recall_months)
        job = jobs.get(instrument.pk)
        rows.append(
            InstrumentRow(
                instrument=instrument,
                calibration=calibration,
                verdict=verdict_of(calibration) if calibration else None,
                due_on=due_on,
                state=_state(
                    calibration=calibration,
                    due_on=due_on,
                    job=job,
                    busy=instrument.busy,
                    today=today,
                ),
                job=job,
                days_left=None if due_on is None else (due_on - today).days,
            )
        )
    return rows


def by_due_date(rows: list[InstrumentRow]) -> list[InstrumentRow]:
    """Soonest due first; those without a due date after them, by name."""
    return sorted(rows, key=lambda r: (r.due_on is None, r.due_on or dt.date.min))


def counts(rows: list[InstrumentRow]) -> list[tuple[str, str, int]]:
    """(state, label, number of instruments) for every state, in the dashboard's order."""
    tally = dict.fromkeys(InstrumentState.values, 0)
    for row in rows:
        tally[row.state] += 1
    return [(value, label, tally[value]) for value, label in InstrumentState.choices]


def matching(rows: list[InstrumentRow], text: str) -> list[InstrumentRow]:
    """The rows whose name, maker, model, serial number, customer's ID or location contain `text`."""
    needle = text.strip().casefold()
    if not needle:
        return rows

    def haystack(i: Instrument) -> str:
        fields = (i.name, i.manufacturer, i.model, i.serial_number, i.customer_asset_id, i.location)
        return " ".join(fields).casefold()

    return [row for row in rows if needle in haystack(row.instrument)]
