"""What a customer's user writes through the portal besides a calibration request
(`jobs.services.job_request`): the recall interval of their instruments.

The recall interval is the customer's decision, never the lab's (ISO/IEC 17025 7.8.4.3: the lab
states no interval unless agreed with the customer). So only the customer's own users set it, and
the instrument's history keeps who set it, when, from what to what, and why. Lab staff see it and
its history but do not type it in for the customer: the record then shows whose decision it was.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from calibration.models import RECALL_MONTHS_MAX, Instrument
from lims.access import require
from lims.audit import stamp
from lims.models import User


@transaction.atomic
def instrument_recall_set(
    *, instrument: Instrument, months: int | None, by: User, reason: str
) -> Instrument:
    """Set (or, with `months=None`, clear) the recall interval of one of the user's instruments."""
    require(by, "instrument.recall")
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.customer_id != by.customer_id:
        raise PermissionDenied(_("Your role does not allow this."))
    errors = []
    if months is not None and not 1 <= months <= RECALL_MONTHS_MAX:
        errors.append(
            _("A recall interval is from 1 to %(max)d months.") % {"max": RECALL_MONTHS_MAX}
        )
    if months == instrument.recall_months:
        errors.append(_("The recall interval is already that; nothing to change."))
    if not reason.strip():
        errors.append(_("Say why: the reason is kept with the interval."))
    if errors:
        raise ValidationError(errors)
    instrument.recall_months = months
    instrument.full_clean()
    stamp(instrument, by=by, reason=reason.strip())
    instrument.save(update_fields=["recall_months"])
    return instrument


def recall_history(instrument: Instrument) -> list[dict]:
    """Every change of the instrument's recall interval, newest first: when, who, from, to, why."""
    records = instrument.history.select_related("history_user").order_by("history_date", "pk")
    changes, before = [], None
    for record in records:
        if record.recall_months != before:
            changes.append(
                {
                    "at": record.history_date,
                    "by": record.history_user,
                    "before": before,
                    "after": record.recall_months,
                    "reason": record.history_change_reason,
                }
            )
        before = record.recall_months
    return changes[::-1]
