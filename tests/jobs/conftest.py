"""A job of `customer` holding its balance, and helpers to take an item through the workflow."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from calibration import services as cal
from calibration import workflow as flow
from jobs import services as jobs
from tests.conftest import PASSWORD


def receive(*, customer, by, instruments, received_on, due_days=10, **extra):
    return jobs.job_receive(
        customer=customer,
        received_on=received_on,
        due_on=received_on + dt.timedelta(days=due_days),
        by=by,
        items=[
            {"instrument": instrument, "condition": "Tốt, tem niêm phong nguyên vẹn"}
            for instrument in instruments
        ],
        **extra,
    )


def make_instrument(customer, by, serial):
    return cal.instrument_register(
        customer=customer,
        by=by,
        name="Cân kỹ thuật",
        manufacturer="AND",
        model="GX-600",
        serial_number=serial,
        resolution="0.01",
        unit="g",
    )


def start(item, *, technician, procedure, standard, on):
    """Open the item's calibration and enter two points, as `tests.conftest.open_calibration`."""
    calibration = jobs.job_item_start(
        item=item,
        by=technician,
        procedure=procedure,
        received_on=on,
        performed_on=on,
        temperature=Decimal("23.0"),
        humidity=Decimal("55"),
        standards=[standard],
    )
    refs = {v.label: v for v in cal.allowed_references(calibration)}
    for position, (label, readings) in enumerate(
        [
            ("100 g", ["100.0002", "100.0001", "100.0002"]),
            ("200 g", ["199.9998", "199.9999", "199.9998"]),
        ],
        start=1,
    ):
        cal.calibration_set_point(
            calibration=calibration,
            position=position,
            reference=refs[label],
            readings=readings,
            by=technician,
        )
    return calibration


def advance(calibration, *, to, technician, reviewer):
    """Move a calibration on through the workflow up to `to` (submitted, reviewed, approved or issued)."""
    from certificates.services import certificate_issue

    steps = [
        ("submitted", lambda: flow.calibration_submit(calibration=calibration, by=technician)),
        (
            "reviewed",
            lambda: flow.calibration_review(
                calibration=calibration, by=reviewer, password=PASSWORD
            ),
        ),
        (
            "approved",
            lambda: flow.calibration_approve(
                calibration=calibration, by=reviewer, password=PASSWORD
            ),
        ),
        ("issued", lambda: certificate_issue(calibration=calibration, by=reviewer)),
    ]
    calibration.refresh_from_db()
    order = ["draft"] + [state for state, _ in steps]
    for state, move in steps:
        if order.index(state) > order.index(calibration.state):
            move()
        if state == to:
            calibration.refresh_from_db()
            return calibration
    raise ValueError(to)


def board_status(client, number) -> str:
    """The status column the board shows the job in."""
    page = client.get("/jobs/").content.decode()
    for status, section in re.findall(r'data-status="(\w+)">(.*?)</section>', page, re.S):
        if f'data-job="{number}"' in section:
            return status
    raise AssertionError(f"{number} is not on the board")


@pytest.fixture
def job(customer, balance, alice, today):
    return receive(
        customer=customer,
        by=alice,
        instruments=[balance],
        received_on=today,
        notes="Khách hàng gấp",
        customer_reference="PO-2026-117",
    )
