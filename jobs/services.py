"""Every write to a job goes through here: receiving it (or a customer's request, then its
receipt, or its cancellation), assigning it, starting its items' calibrations and handing the
instruments back.

A job's number is allocated inside the receiving transaction from a counter row locked for the
year, so numbers are consecutive and never reused, even when two people receive at once.
"""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calibration.models import Calibration, Instrument, Procedure, State
from calibration.services import calibration_create
from jobs.models import Job, JobCounter, JobItem, Service
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


def _check_items(
    customer: Customer,
    items: Sequence[dict],
    *,
    received: bool = True,
    job: Job | None = None,
) -> list[Instrument]:
    """The instruments of the items, locked; every refusal at once, naming the row.

    `received`: the instruments are at the counter, so each needs its condition on receipt.
    `job`: the job being received, whose own items do not count as busy elsewhere.
    """
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
        if received and not str(item.get("condition") or "").strip():
            errors.append(_("Row %(n)d: describe the condition on receipt.") % {"n": row})
        instruments.append(instrument)
    busy = (
        JobItem.objects.filter(
            instrument__in=seen, job__returned_on__isnull=True, job__cancelled_on__isnull=True
        )
        .exclude(job=job)
        .select_related("job", "instrument")
        .order_by("job__number")
    )
    for other in busy:
        if other.job.received_on is None:
            message = _("%(instrument)s is already requested in job %(job)s.")
        else:
            message = _("%(instrument)s is still in job %(job)s, not yet returned.")
        errors.append(message % {"instrument": other.instrument, "job": other.job.number})
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


@transaction.atomic
def job_request(
    *,
    by: User,
    instruments: Sequence[Instrument],
    service: str = Service.CALIBRATION,
    wished_on: dt.date | None = None,
    request: str = "",
    customer_reference: str = "",
) -> Job:
    """A customer's user asks for a calibration (or verification) through the portal.

    The job gets its number now, so the customer can quote it when bringing the instruments; it
    stays "requested" (no date received, no receiver, no promised date: the lab has promised
    nothing yet) until `job_request_receive`. Its items are the customer's instruments picked;
    instruments not yet registered with the lab are described in `request`, in the customer's
    words, and added by the lab on receipt. An instrument already in an open job or request
    cannot be asked for twice.
    """
    require(by, "job.request")
    today = timezone.localdate()
    request = request.strip()
    errors = []
    if not instruments and not request:
        errors.append(
            _("Choose at least one of your instruments, or describe the instruments to calibrate.")
        )
    if wished_on is not None and wished_on < today:
        errors.append(_("The date wished for cannot be in the past."))
    if errors:
        raise ValidationError(errors)
    items = [{"instrument": instrument} for instrument in instruments]
    checked = _check_items(by.customer, items, received=False) if items else []
    job = Job(
        customer=by.customer,
        requested_by=by,
        requested_on=today,
        wished_on=wished_on,
        service=service,
        request=request,
        customer_reference=customer_reference.strip(),
    )
    job.full_clean(exclude=["number"])
    job.number = job_number_next(year=today.year)
    stamp(job, by=by, reason=_("Requested through the portal"))
    job.save()
    for instrument in checked:
        record = JobItem(job=job, instrument=instrument)
        record.full_clean()
        stamp(record, by=by, reason=_("Requested through the portal"))
        record.save()
    return job


@transaction.atomic
def job_request_receive(
    *,
    job: Job,
    received_on: dt.date,
    due_on: dt.date,
    by: User,
    items: Sequence[dict],
    technician: User | None = None,
    notes: str = "",
) -> Job:
    """The instruments of a request arrive: their receipt is recorded on the same job and number.

    `items` are those of `job_receive` and are the job's items from now on: an instrument asked
    for but not brought is taken off (the history keeps that it was asked for), one brought but
    not asked for (e.g. described in the request, registered on arrival) is added.
    """
    job = _lock(job)
    require(by, "job.edit")
    _check_open(job)
    if job.received_on is not None:
        raise ValidationError(
            _("Job %(job)s was already received on %(date)s.")
            % {"job": job.number, "date": job.received_on.strftime("%d/%m/%Y")}
        )
    if received_on > timezone.localdate():
        raise ValidationError(_("The date received cannot be in the future."))
    if received_on < job.requested_on:
        raise ValidationError(
            _("The date received cannot be before the request (%(date)s).")
            % {"date": job.requested_on.strftime("%d/%m/%Y")}
        )
    if technician is not None:
        _check_technician(technician)
    instruments = _check_items(job.customer, items, job=job)
    job.received_on, job.due_on, job.received_by = received_on, due_on, by
    job.technician = technician or job.technician
    if notes.strip():
        job.notes = "\n".join(part for part in (job.notes, notes.strip()) if part)
    job.full_clean()
    stamp(job, by=by, reason=_("Received"))
    job.save(update_fields=["received_on", "due_on", "received_by", "technician", "notes"])
    asked = {item.instrument_id: item for item in job.items.all()}
    for item, instrument in zip(items, instruments, strict=True):
        record = asked.pop(instrument.pk, None) or JobItem(job=job, instrument=instrument)
        record.condition = str(item.get("condition") or "").strip()
        record.accessories = str(item.get("accessories") or "").strip()
        record.procedure = item.get("procedure")
        record.full_clean()
        stamp(record, by=by, reason=_("Received"))
        record.save()
    for record in asked.values():
        stamp(record, by=by, reason=_("Asked for, not brought in"))
        record.delete()
    return job


@transaction.atomic
def job_cancel(*, job: Job, by: User, reason: str) -> Job:
    """Cancel a request that was never received, saying why; the job keeps its number.

    The customer's users may cancel their own customer's requests, the lab (job.edit) any; a
    job once received is not cancelled but returned (`job_return`).
    """
    job = _lock(job)
    if by.is_authenticated and by.role == Role.CUSTOMER:
        require(by, "job.request")
        if by.customer_id != job.customer_id:
            raise PermissionDenied(_("Your role does not allow this."))
    else:
        require(by, "job.edit")
    _check_open(job)
    if job.received_on is not None:
        raise ValidationError(
            _("Job %(job)s was received on %(date)s: it is returned, not cancelled.")
            % {"job": job.number, "date": job.received_on.strftime("%d/%m/%Y")}
        )
    if not reason.strip():
        raise ValidationError(_("Say why the request is cancelled."))
    job.cancelled_on = timezone.localdate()
    job.full_clean()
    stamp(job, by=by, reason=reason.strip())
    job.save(update_fields=["cancelled_on"])
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
    if job.cancelled_on is not None:
        raise ValidationError(
            _("Job %(job)s was cancelled on %(date)s; it can no longer change.")
            % {"job": job.number, "date": job.cancelled_on.strftime("%d/%m/%Y")}
        )


def _check_received(job: Job) -> None:
    if job.received_on is None:
        raise ValidationError(
            _("Job %(job)s is a request: record the receipt of its instruments first.")
            % {"job": job.number}
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
    _check_received(item.job)
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
    _check_received(job)
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
