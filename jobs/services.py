"""Every write to a job goes through here: receiving it, assigning it, starting its items'
calibrations and handing the instruments back.

A job's number is allocated inside the receiving transaction from a counter row locked for the
year, so numbers are consecutive and never reused, even when two people receive at once.
"""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calibration.models import Calibration, Instrument, Procedure, State
from calibration.services import calibration_create
from jobs.models import Job, JobCounter, JobItem
from lims.access import require
from lims.audit import stamp
from lims.models import Customer, Role, User

PREFIX = "TN"  # tiếp nhận: received


def job_number_next(*, year: int) -> str:
    """The next job number of `year`; runs inside the transaction that saves the job."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("job_number_next must run inside the receiving transaction")
    try:
        with transaction.atomic():
            JobCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another receiver created the row first; lock it below
    counter = JobCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{PREFIX}-{year}-{counter.last:05d}"


def _check_items(customer: Customer, items: Sequence[dict]) -> list[Instrument]:
    """The instruments of the items, locked; every refusal at once, naming the row."""
    if not items:
        raise ValidationError(_("A job needs at least one instrument."))
    errors, instruments, seen = [], [], set()
    ids = [getattr(item.get("instrument"), "pk", None) for item in items]
    locked = Instrument.objects.select_for_update().in_bulk([pk for pk in ids if pk])
    for row, (item, pk) in enumerate(zip(items, ids, strict=True), start=1):
        instrument = locked.get(pk)
        if instrument is None:
            errors.append(_("Row %(n)d: choose the instrument.") % {"n": row})
            continue
        if instrument.customer_id != customer.pk:
            errors.append(
                _("Row %(n)d: %(instrument)s belongs to %(owner)s, not to %(customer)s.")
                % {
                    "n": row,
                    "instrument": instrument,
                    "owner": instrument.customer,
                    "customer": customer,
                }
            )
        if pk in seen:
            errors.append(
                _("Row %(n)d: %(instrument)s is already in this job.")
                % {"n": row, "instrument": instrument}
            )
        seen.add(pk)
        if not str(item.get("condition") or "").strip():
            errors.append(_("Row %(n)d: describe the condition on receipt.") % {"n": row})
        instruments.append(instrument)
    busy = (
        JobItem.objects.filter(instrument__in=seen, job__returned_on__isnull=True)
        .select_related("job", "instrument")
        .order_by("job__number")
    )
    for other in busy:
        errors.append(
            _("%(instrument)s is still in job %(job)s, not yet returned.")
            % {"instrument": other.instrument, "job": other.job.number}
        )
    if errors:
        raise ValidationError(errors)
    return instruments


@transaction.atomic
def job_receive(
    *,
    customer: Customer,
    received_on: dt.date,
    due_on: dt.date,
    by: User,
    items: Sequence[dict],
    technician: User | None = None,
    customer_reference: str = "",
    notes: str = "",
    requested_by: User | None = None,
) -> Job:
    """Receive a customer's instruments as one job, all or nothing.

    Each item is a dict with `instrument`, `condition`, and optionally `accessories` and
    `procedure`. Every instrument must be the customer's, appear once, and not be in another job
    that is still open.
    """
    require(by, "job.edit")
    if received_on > timezone.localdate():
        raise ValidationError(_("The date received cannot be in the future."))
    if technician is not None:
        _check_technician(technician)
    if requested_by is not None and (
        requested_by.role != Role.CUSTOMER or requested_by.customer_id != customer.pk
    ):
        raise ValidationError(
            _("%(user)s is not a user of %(customer)s.")
            % {"user": requested_by, "customer": customer}
        )
    job = Job(
        customer=customer,
        received_on=received_on,
        due_on=due_on,
        technician=technician,
        received_by=by,
        requested_by=requested_by,
        customer_reference=customer_reference.strip(),
        notes=notes,
    )
    job.full_clean(exclude=["number"])
    instruments = _check_items(customer, items)
    job.number = job_number_next(year=received_on.year)
    stamp(job, by=by, reason=_("Received"))
    job.save()
    for item, instrument in zip(items, instruments, strict=True):
        procedure: Procedure | None = item.get("procedure")
        record = JobItem(
            job=job,
            instrument=instrument,
            condition=str(item.get("condition") or "").strip(),
            accessories=str(item.get("accessories") or "").strip(),
            procedure=procedure,
        )
        record.full_clean()
        stamp(record, by=by, reason=_("Received"))
        record.save()
    return job


def _check_technician(technician: User) -> None:
    if technician.role != Role.TECHNICIAN or not technician.is_active:
        raise ValidationError(
            _("%(user)s is not an active technician; a job is assigned to a technician.")
            % {"user": technician}
        )


def _lock(job: Job) -> Job:
    return Job.objects.select_for_update().get(pk=job.pk)


def _check_open(job: Job) -> None:
    if job.returned_on is not None:
        raise ValidationError(
            _("Job %(job)s was returned on %(date)s; it can no longer change.")
            % {"job": job.number, "date": job.returned_on.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def job_assign(*, job: Job, technician: User, by: User, reason: str = "") -> Job:
    job = _lock(job)
    require(by, "job.edit")
    _check_open(job)
    _check_technician(technician)
    job.technician = technician
    job.full_clean()
    stamp(job, by=by, reason=reason or _("Assigned to %(user)s") % {"user": technician})
    job.save(update_fields=["technician"])
    return job


@transaction.atomic
def job_item_start(*, item: JobItem, by: User, **fields) -> Calibration:
    """Open the item's calibration (a draft performed by `by`) and link it to the item.

    `fields` are those of `calibration.services.calibration_create` but the instrument, which is
    the item's.
    """
    require(by, "job.edit")
    item = JobItem.objects.select_for_update().select_related("job", "instrument").get(pk=item.pk)
    _check_open(item.job)
    if item.calibration_id is not None:
        raise ValidationError(
            _("This item's calibration was already started (#%(pk)d).")
            % {"pk": item.calibration_id}
        )
    fields.pop("instrument", None)
    calibration = calibration_create(instrument=item.instrument, by=by, **fields)
    item.calibration = calibration
    stamp(item, by=by, reason=_("Calibration started"))
    item.save(update_fields=["calibration"])
    return calibration


@transaction.atomic
def job_return(*, job: Job, returned_on: dt.date, by: User, reason: str = "") -> Job:
    """Hand the instruments back. Every item's certificate must be issued, or a reason given
    (e.g. "instrument could not be calibrated: damaged")."""
    job = _lock(job)
    require(by, "job.edit")
    _check_open(job)
    if returned_on > timezone.localdate():
        raise ValidationError(_("The return date cannot be in the future."))
    if returned_on < job.received_on:
        raise ValidationError(
            _("The return date cannot be before the date received (%(date)s).")
            % {"date": job.received_on.strftime("%d/%m/%Y")}
        )
    pending = job_items_pending(job)
    if pending and not reason.strip():
        raise ValidationError(
            _(
                "%(count)d item(s) have no issued certificate (%(items)s): say why the instruments go back without one."
            )
            % {"count": len(pending), "items": "; ".join(str(i.instrument) for i in pending)}
        )
    job.returned_on = returned_on
    job.full_clean()
    stamp(job, by=by, reason=reason.strip() or _("Returned to the customer"))
    job.save(update_fields=["returned_on"])
    return job


def job_items_pending(job: Job) -> list[JobItem]:
    """The items of `job` without an issued certificate."""
    return [
        item
        for item in job.items.select_related("instrument", "calibration")
        if item.calibration is None or item.calibration.state != State.ISSUED
    ]
