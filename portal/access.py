"""Whose portal a request shows.

A customer's user always sees their own customer's, whatever the address says (`?customer=` is
ignored for them, so another customer's id shows nothing of theirs). Lab staff may open any
customer's portal read only, by `?customer=ID`: the reviewer preparing a call to a customer sees
what the customer sees. Staff do not request calibrations or set recall intervals here: those are
the customer's acts (`job.request`, `instrument.recall`).
"""

from django.http import Http404

from lims.access import require
from lims.forms import is_small_number
from lims.models import Customer, Role


def portal_customer(request, action: str = "instrument.view") -> Customer | None:
    """The customer shown, or None for staff who have not chosen one yet (404 for a bad id)."""
    user = request.user
    require(user, action)
    if user.role == Role.CUSTOMER:
        return user.customer
    chosen = request.GET.get("customer", "")
    if not chosen:
        return None
    if not is_small_number(chosen):
        raise Http404
    customer = Customer.objects.filter(pk=int(chosen)).first()
    if customer is None:
        raise Http404
    return customer
