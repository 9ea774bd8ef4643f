from io import StringIO

from django.core.management import call_command

from calibration.models import Calibration, Instrument, State
from certificates.models import Certificate
from lims.models import Customer, Role, User
from standards.models import Standard


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts():
    return [
        m.objects.count() for m in (Customer, User, Standard, Instrument, Calibration, Certificate)
    ]


def test_the_demo_lab_has_every_role_state_and_issued_certificates(db):
    output = run_demo()
    assert "demo-2026" in output
    assert Customer.objects.count() == 3
    assert Instrument.objects.count() == 20
    assert set(Calibration.objects.values_list("state", flat=True)) == set(State.values)
    assert Certificate.objects.count() == 11
    statuses = Certificate.objects.with_status().values_list("status", flat=True)
    assert set(statuses) == {"in_force", "superseded", "withdrawn"}
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert all(u.check_password("demo-2026") for u in User.objects.all())
    assert User.objects.filter(role=Role.CUSTOMER, customer__isnull=True).count() == 0


def test_the_demo_is_idempotent(db):
    run_demo()
    before = counts()
    run_demo()
    assert counts() == before
