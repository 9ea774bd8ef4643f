"""Starting a batch of certificates, and issuing one of its items (what the worker runs).

Each item is issued in its own transaction through `certificates.services.certificate_issue`,
with every gate it has: one refusal neither stops the other items nor undoes those issued.
"""

import datetime as dt
import time
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from batches.models import Batch, BatchItem
from calibration.models import Calibration, State
from certificates.services import certificate_issue
from lims.access import require
from lims.models import User

MAX_ITEMS = 1000
ATTEMPTS = 3  # of an item, when the database is busy


@transaction.atomic
def batch_start(
    *, calibrations: Sequence[Calibration], by: User, reason: str, language: str
) -> Batch:
    """Record the batch and its items and queue one task per item, all or nothing.

    The tasks are rows of the same database, written in this transaction: a worker sees them
    only once the batch is committed, and a refused batch leaves no task behind.
    """
    from batches.tasks import issue_batch_item  # tasks.py imports this module

    require(by, "certificate.issue")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why these certificates are issued together."))
    if not calibrations:
        raise ValidationError(_("Choose at least one approved calibration."))
    if len(calibrations) > MAX_ITEMS:
        raise ValidationError(
            _("A batch holds at most %(max)d calibrations; split this one.") % {"max": MAX_ITEMS}
        )
    pks = sorted({calibration.pk for calibration in calibrations})
    chosen = list(
        Calibration.objects.select_for_update()
        .filter(pk__in=pks)
        .select_related("instrument")
        .order_by("pk")
    )
    problems = [
        _(
            "Calibration #%(pk)s (%(instrument)s) is %(state)s: only an approved calibration can be issued."
        )
        % {"pk": c.pk, "instrument": c.instrument, "state": c.get_state_display().lower()}
        for c in chosen
        if c.state != State.APPROVED
    ]
    missing = sorted(set(pks) - {c.pk for c in chosen})
    problems += [_("Calibration #%(pk)s does not exist.") % {"pk": pk} for pk in missing]
    pending = BatchItem.objects.filter(calibration__in=pks, finished_at__isnull=True)
    problems += [
        _("Calibration #%(pk)s is already in batch #%(batch)s, which is not finished.")
        % {"pk": item.calibration_id, "batch": item.batch_id}
        for item in pending.order_by("calibration_id")
    ]
    if problems:
        raise ValidationError(problems)
    batch = Batch.objects.create(requested_by=by, reason=reason, language=language)
    try:
        with transaction.atomic():
            items = BatchItem.objects.bulk_create(
                [BatchItem(batch=batch, calibration=c) for c in chosen]
            )
    except IntegrityError:  # another batch took one of them since the check above
        raise ValidationError(
            _("One of these calibrations was just put in another batch: choose again.")
        ) from None
    for item in items:
        issue_batch_item.enqueue(item.pk)
    return batch


def refusal_text(error: Exception) -> str:
    text = "\n".join(getattr(error, "messages", None) or [str(error)]).strip()
    return text or _("Refused.")


def with_retries(write, attempts: int = ATTEMPTS):
    """Run `write` again when the database was busy (SQLite's "database is locked" after its
    timeout, PostgreSQL's deadlock): each attempt is a transaction of its own, all or nothing."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except OperationalError:
            if attempt == attempts:
                raise
            time.sleep(0.5 * attempt)


def batch_item_issue(*, item_id: int) -> str:
    """Issue one item's certificate as the person who asked for the batch, and record the outcome.

    Returns the certificate's number, or "refused". A refusal by a gate is recorded with its
    message, in the language of the person who asked. Every item gets an outcome, so that the
    batch finishes and the calibration is free for another batch: an unexpected error, a database
    still busy after a few attempts, or the worker stopped in the middle is recorded as a refusal
    too, and raised again for the task's traceback.
    """
    item = BatchItem.objects.select_related("batch__requested_by", "calibration").get(pk=item_id)
    if item.finished_at is not None:  # a task run twice does its work once
        return item.certificate.number if item.certificate_id else "refused"
    batch = item.batch

    def issue():
        BatchItem.objects.filter(pk=item.pk).update(started_at=timezone.now())  # "issuing…"
        with transaction.atomic():
            certificate = certificate_issue(
                calibration=item.calibration,
                by=batch.requested_by,
                reason=_("Batch #%(batch)s: %(reason)s")
                % {"batch": batch.pk, "reason": batch.reason},
            )
            BatchItem.objects.filter(pk=item.pk).update(
                certificate=certificate, finished_at=timezone.now()
            )
        return certificate.number

    failure = None
    with translation.override(batch.language):
        try:
            return with_retries(issue)
        except (ValidationError, PermissionDenied) as error:
            refusal = refusal_text(error)
        except BaseException as error:
            failure = error
            if isinstance(error, SystemExit | KeyboardInterrupt):
                refusal = _("Not issued: the worker was stopped while issuing it.")
            else:
                refusal = _("Not issued: an unexpected error (%(error)s).") % {
                    "error": error.__class__.__name__
                }
    now = timezone.now()
    with_retries(
        lambda: BatchItem.objects.filter(pk=item.pk).update(
            refusal=refusal, started_at=Coalesce("started_at", Value(now)), finished_at=now
        )
    )
    if failure is not None:
        raise failure
    return "refused"


STALE_AFTER = dt.timedelta(minutes=15)


@transaction.atomic
def batch_items_abandon_stale(*, by: User, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Record as refused the items whose worker died while issuing them (killed, out of memory,
    power lost): started longer ago than `older_than` and still without an outcome. An issue
    takes seconds; such an item would keep its batch running and its calibration out of any
    other batch for ever. Their certificates were not issued (the issue is one transaction, rolled
    back with the worker), so the calibrations stay approved and can be put in a new batch."""
    require(by, "certificate.issue")
    now = timezone.now()
    return BatchItem.objects.filter(
        finished_at__isnull=True,
        certificate__isnull=True,
        started_at__lt=now - older_than,
    ).update(
        refusal=_(
            "Not issued: the worker stopped while issuing it (recorded on %(day)s by %(person)s); "
            "put the calibration in a new batch."
        )
        % {"day": timezone.localtime(now).strftime("%d/%m/%Y %H:%M"), "person": by},
        finished_at=now,
    )
