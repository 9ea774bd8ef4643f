"""Personas for every role, an outsider who must be refused, and a small lab to work in.

alice   technician                     bob     a second technician
rita    reviewer (technical manager)   quinn   quality manager
adam    administrator
carol   customer user of Sông Đà Water  oscar   customer user of another customer (outsider)
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Procedure, ScopeEntry
from lims.models import Customer, Role, Sector, User
from standards.models import NationalStandard, Provider
from standards.services import standard_calibration_record, standard_register

PASSWORD = "s3cret-pass-for-tests"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "en"
    # Collected static files (if any) are not scanned for every test client.
    settings.WHITENOISE_AUTOREFRESH = True


def make_user(username, role, customer=None, first="", last=""):
    user = User(username=username, role=role, customer=customer, first_name=first, last_name=last)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def customer(db):
    return Customer.objects.create(
        name="Công ty Cổ phần Cấp nước Sông Đà",
        short_name="Sông Đà Water",
        tax_code="5400101234",
        address="Hòa Bình",
        sector=Sector.WATER,
    )


@pytest.fixture
def other_customer(db):
    return Customer.objects.create(
        name="Công ty Phân bón Miền Nam",
        short_name="Phân bón MN",
        tax_code="0300123456",
        address="TP. Hồ Chí Minh",
        sector=Sector.CHEMICALS,
    )


@pytest.fixture
def alice(db):
    return make_user("alice", Role.TECHNICIAN, first="Alice", last="Nguyễn")


@pytest.fixture
def bob(db):
    return make_user("bob", Role.TECHNICIAN, first="Bob", last="Trần")


@pytest.fixture
def rita(db):
    return make_user("rita", Role.REVIEWER, first="Rita", last="Lê")


@pytest.fixture
def quinn(db):
    return make_user("quinn", Role.QUALITY_MANAGER, first="Quinn", last="Phạm")


@pytest.fixture
def adam(db):
    return make_user("adam", Role.ADMINISTRATOR, first="Adam", last="Võ")


@pytest.fixture
def carol(customer):
    return make_user("carol", Role.CUSTOMER, customer=customer, first="Carol", last="Đỗ")


@pytest.fixture
def oscar(other_customer):
    return make_user("oscar", Role.CUSTOMER, customer=other_customer, first="Oscar", last="Bùi")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def vmi(db):
    return Provider.objects.create(
        name="Viện Đo lường Việt Nam",
        short_name="VMI",
        is_nmi=True,
        accreditation_body="BoA",
        accreditation_number="VILAS 002",
    )


@pytest.fixture
def national_mass(db):
    return NationalStandard.objects.create(
        institute="VMI",
        name="Chuẩn quốc gia về khối lượng",
        quantity="mass",
        cmc="1 kg: 0,05 mg (k = 2)",
        si_unit="kilogram (kg)",
    )


@pytest.fixture
def weights(quinn, vmi, national_mass, today):
    """An E2 weight set calibrated by VMI 100 days ago, due in 265 days."""
    standard = standard_register(
        by=quinn, asset_number="E2-01", name="Bộ quả cân E2", quantity="mass", unit="g", grade="E2"
    )
    standard_calibration_record(
        standard=standard,
        provider=vmi,
        national_standard=national_mass,
        certificate_number="V01.26.0001",
        calibrated_on=today - dt.timedelta(days=100),
        due_on=today + dt.timedelta(days=265),
        by=quinn,
        values=[
            {
                "label": "100 g",
                "nominal": "100",
                "value": "100.000021",
                "expanded_uncertainty": "0.000050",
                "coverage_factor": "2",
            },
            {
                "label": "200 g",
                "nominal": "200",
                "value": "199.999965",
                "expanded_uncertainty": "0.000100",
                "coverage_factor": "2",
            },
        ],
    )
    return standard


def authorise(person, code, *activities, by, since=dt.date(2000, 1, 1)):
    """Record that `person` may do `activities` by procedure `code` (granted by `by`)."""
    from competence.services import authorisation_grant

    for activity in activities:
        authorisation_grant(
            person=person,
            procedure_code=code,
            activity=activity,
            valid_from=since,
            evidence_kind="training",
            evidence="Khoá đào tạo / training course",
            by=by,
        )


@pytest.fixture
def procedure(db, alice, bob, rita, quinn):
    """An approved procedure that alice and bob may perform and rita may review and approve."""
    procedure = Procedure.objects.create(
        code="QTHC-KL-01",
        title_vi="Cân phân tích",
        title_en="Analytical balances",
        quantity="mass",
        unit="g",
        status="approved",
        effective_on=dt.date(2000, 1, 1),
    )
    ScopeEntry.objects.create(
        procedure_code=procedure.code,
        quantity="mass",
        unit="g",
        minimum=Decimal("0"),
        maximum=Decimal("220"),
        cmc_abs=Decimal("0.00005"),
    )
    authorise(alice, procedure.code, "perform", by=quinn)
    authorise(bob, procedure.code, "perform", by=quinn)
    authorise(rita, procedure.code, "review", "approve", by=quinn)
    return procedure


@pytest.fixture
def balance(customer, alice):
    return cal.instrument_register(
        customer=customer,
        by=alice,
        name="Cân phân tích",
        manufacturer="Sartorius",
        model="Quintix224",
        serial_number="0034512877",
        measuring_range="0 – 220 g",
        resolution=Decimal("0.0001"),
        unit="g",
    )


@pytest.fixture
def other_balance(other_customer, alice):
    return cal.instrument_register(
        customer=other_customer,
        by=alice,
        name="Cân kỹ thuật",
        manufacturer="AND",
        model="GX-6100",
        serial_number="6A-1",
        measuring_range="0 – 6100 g",
        resolution=Decimal("0.01"),
        unit="g",
    )


def open_calibration(*, instrument, procedure, standard, technician, on):
    calibration = cal.calibration_create(
        instrument=instrument,
        procedure=procedure,
        by=technician,
        received_on=on,
        performed_on=on,
        temperature=Decimal("23.0"),
        humidity=Decimal("55"),
        standards=[standard],
    )
    refs = {v.label: v for v in cal.allowed_references(calibration)}
    cal.calibration_set_point(
        calibration=calibration,
        position=1,
        reference=refs["100 g"],
        readings=["100.0002", "100.0001", "100.0002"],
        by=technician,
    )
    cal.calibration_set_point(
        calibration=calibration,
        position=2,
        reference=refs["200 g"],
        readings=["199.9998", "199.9999", "199.9998"],
        by=technician,
    )
    return calibration


@pytest.fixture
def draft(balance, procedure, weights, alice, today):
    return open_calibration(
        instrument=balance, procedure=procedure, standard=weights, technician=alice, on=today
    )


@pytest.fixture
def issued(draft, alice, rita):
    """A calibration taken through the whole workflow, with its certificate."""
    from certificates.services import certificate_issue

    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD)
    flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    return certificate_issue(calibration=draft, by=rita)


@pytest.fixture
def other_issued(other_balance, procedure, weights, alice, rita, today):
    from certificates.services import certificate_issue

    calibration = open_calibration(
        instrument=other_balance, procedure=procedure, standard=weights, technician=alice, on=today
    )
    flow.calibration_submit(calibration=calibration, by=alice)
    flow.calibration_review(calibration=calibration, by=rita, password=PASSWORD)
    flow.calibration_approve(calibration=calibration, by=rita, password=PASSWORD)
    return certificate_issue(calibration=calibration, by=rita)


def login(client, user):
    client.force_login(user)
    return client
