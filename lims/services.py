from django.db import transaction
from django.utils.translation import gettext as _

from lims.access import require
from lims.audit import stamp
from lims.models import Customer, User


@transaction.atomic
def customer_register(*, by: User, reason: str = "", **fields) -> Customer:
    require(by, "customer.edit")
    customer = Customer(**fields)
    customer.full_clean()
    stamp(customer, by=by, reason=reason or _("Registered"))
    customer.save()
    return customer
