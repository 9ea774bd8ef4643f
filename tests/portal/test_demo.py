"""The demo lab gives the customers' portals something to show."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from lims.models import User
from portal.due import InstrumentState, instrument_rows


def test_the_demo_customer_sees_every_state_and_running_it_again_changes_nothing(db):
    call_command("demo", stdout=StringIO())
    customer = User.objects.get(username="xangdau").customer
    today = timezone.localdate()
    first = [(r.instrument.pk, r.state, r.due_on) for r in instrument_rows(customer, today=today)]
    assert {state for _pk, state, _due in first} == set(InstrumentState.values)
    call_command("demo", stdout=StringIO())
    again = [(r.instrument.pk, r.state, r.due_on) for r in instrument_rows(customer, today=today)]
    assert again == first
