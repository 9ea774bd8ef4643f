"""A job (phiếu tiếp nhận): what a customer brought in, or asked for, and what became of each item.

A job's status is derived from its items' calibrations and its return date, never stored, like a
standard's due date: it cannot drift from the calibrations it summarises.

A job starts in one of two ways. The lab receives the instruments at the counter (`job_receive`),
or a customer's user asks through the portal (`job_request`): the job then exists, with its number,
in the stage "requested" (no date received, no receiver, no promised date) until the instruments
arrive and the lab records their receipt on the same job (`job_request_receive`); a request never
received can be cancelled, and is then kept, with its number, as "cancelled".
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from calibration.models import Calibration, Instrument, Procedure, State
from lims.models import Customer


class JobStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = [s for s in JobStatus.values if s not in (JobStatus.RETURNED, JobStatus.CANCELLED)]


class Service(models.TextChoices):
    """What the customer asks for: a calibration, or a legal verification (kiểm định)."""

    CALIBRATION = "calibration", _("Calibration")
    VERIFICATION = "verification", _("Verification")


# How far an item has gone: 0 not started, 1 draft, 2 with the reviewer, 3 approved, 4 issued.
NOT_STARTED, DRAFT, IN_REVIEW, APPROVED, ISSUED = range(5)


def _item_stage():
    return Case(
        When(calibration__isnull=True, then=Value(NOT_STARTED)),
        When(calibration__state=State.ISSUED, then=Value(ISSUED)),
        When(calibration__state=State.APPROVED, then=Value(APPROVED)),
        When(calibration__state__in=[State.SUBMITTED, State.REVIEWED], then=Value(IN_REVIEW)),
        default=Value(DRAFT),
        output_field=IntegerField(),
    )


def _over_items(aggregate):
    """One value per job from its items, as a correlated subquery (no GROUP BY on the jobs)."""
    items = (
        JobItem.objects.filter(job=OuterRef("pk"))
        .order_by()
        .values("job")
        .annotate(value=aggregate)
        .values("value")[:1]
    )
    return Coalesce(Subquery(items, output_field=IntegerField()), Value(0))


class JobQuerySet(models.QuerySet):
    def with_status(self, today: dt.date | None = None):
        """Annotate `status`, `items_count`, `turnaround` (a timedelta) and `overdue`.

        The status follows the least advanced item (every item issued → issued, every item
        approved or issued → approved, every item at least submitted → awaiting review), unless
        the job was returned; any item started makes it in progress. A job asked for through the
        portal is "requested" until its receipt is recorded, or "cancelled" if it never came.
        """
        today = today or timezone.localdate()
        return self.annotate(
            items_count=_over_items(models.Count("pk")),
            least_stage=_over_items(models.Min(_item_stage())),
            most_stage=_over_items(models.Max(_item_stage())),
        ).annotate(
            status=Case(
                When(cancelled_on__isnull=False, then=Value(JobStatus.CANCELLED)),
                When(received_on__isnull=True, then=Value(JobStatus.REQUESTED)),
                When(returned_on__isnull=False, then=Value(JobStatus.RETURNED)),
                When(items_count=0, then=Value(JobStatus.RECEIVED)),
                When(least_stage__gte=ISSUED, then=Value(JobStatus.ISSUED)),
                When(least_stage__gte=APPROVED, then=Value(JobStatus.APPROVED)),
                When(least_stage__gte=IN_REVIEW, then=Value(JobStatus.AWAITING_REVIEW)),
                When(most_stage__gte=DRAFT, then=Value(JobStatus.IN_PROGRESS)),
                default=Value(JobStatus.RECEIVED),
                output_field=models.CharField(max_length=20, choices=JobStatus.choices),
            ),
            turnaround=Coalesce("returned_on", Value(today, output_field=models.DateField()))
            - F("received_on"),
            overdue=Case(
                When(Q(returned_on__isnull=True) & Q(due_on__lt=today), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def open(self):
        """Jobs not yet over: requested, or received and not returned."""
        return self.filter(returned_on__isnull=True, cancelled_on__isnull=True)


class Job(models.Model):
    """A customer's request: the instruments received together, with the dates promised."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="jobs"
    )
    received_on = models.DateField(_("date received"), null=True, blank=True)
    due_on = models.DateField(
        pgettext_lazy("job", "due date"),
        null=True,
        blank=True,
        help_text=_("The date promised to the customer."),
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs_assigned",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs_received",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs_requested",
        help_text=_("The customer's user who asked through the portal, if any."),
    )
    requested_on = models.DateField(_("date requested"), null=True, blank=True)
    wished_on = models.DateField(
        _("date wished for"),
        null=True,
        blank=True,
        help_text=_("When the customer would like the work done; the lab promises its due date."),
    )
    service = models.CharField(
        _("service"), max_length=20, choices=Service.choices, default=Service.CALIBRATION
    )
    request = models.TextField(
        _("customer's request"),
        blank=True,
        help_text=_(
            "The customer's own words: instruments not yet registered, wishes. Shown to the customer."
        ),
    )
    cancelled_on = models.DateField(_("date cancelled"), null=True, blank=True)
    customer_reference = models.CharField(
        _("customer's reference"),
        max_length=80,
        blank=True,
        help_text=_("The customer's order or purchase order number."),
    )
    notes = models.TextField(_("internal notes"), blank=True)
    returned_on = models.DateField(_("date returned"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-number"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")),
                name="job_due_after_receipt",
                violation_error_message=_("The due date cannot be before the date received."),
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("received_on")),
                name="job_returned_after_receipt",
                violation_error_message=_("The return date cannot be before the date received."),
            ),
            models.CheckConstraint(
                condition=Q(
                    received_on__isnull=False, received_by__isnull=False, due_on__isnull=False
                )
                | Q(
                    received_on__isnull=True,
                    received_by__isnull=True,
                    due_on__isnull=True,
                    returned_on__isnull=True,
                    requested_on__isnull=False,
                ),
                name="job_received_or_requested",
                violation_error_message=_(
                    "A job is either received, with its date, due date and receiver, or requested and not yet received."
                ),
            ),
            models.CheckConstraint(
                condition=Q(cancelled_on__isnull=True) | Q(received_on__isnull=True),
                name="job_cancelled_only_before_receipt",
                violation_error_message=_("Only a request not yet received can be cancelled."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.returned_on is None and self.cancelled_on is None

    @property
    def is_requested(self) -> bool:
        """Asked for through the portal, not yet received, not cancelled."""
        return self.received_on is None and self.cancelled_on is None

    @property
    def status_label(self) -> str:
        """The derived status's label; the job must come from `Job.objects.with_status()`."""
        return JobStatus(self.status).label


class JobItem(models.Model):
    """One instrument of a job: its condition on receipt, and the calibration made of it."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="job_items"
    )
    # Blank only while the job is requested: `job_receive` and `job_request_receive` require it.
    condition = models.TextField(
        _("condition on receipt"), blank=True, help_text=_("e.g. Good, seals intact")
    )
    accessories = models.TextField(_("accessories"), blank=True)
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("service requested"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_items",
    )
    calibration = models.OneToOneField(
        Calibration,
        verbose_name=_("calibration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_item",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["job", "pk"]
        verbose_name = _("job item")
        verbose_name_plural = _("job items")
        constraints = [
            models.UniqueConstraint(
                fields=["job", "instrument"],
                name="job_item_instrument_once",
                violation_error_message=_("This instrument is already in this job."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job.number}: {self.instrument}"


class JobCounter(models.Model):
    """The last job number used in a year: numbers never repeat or skip."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
