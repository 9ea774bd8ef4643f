"""Instruments of `customer` at every stage a measurement-assurance programme cares about."""

import datetime as dt
from decimal import Decimal

import pytest

from calibration import services as cal
from calibration import workflow as flow
from portal.services import instrument_recall_set
from tests.conftest import PASSWORD, open_calibration


def register(customer, by, serial, name="Cân kỹ thuật", **fields):
    return cal.instrument_register(
        customer=customer,
        by=by,
        name=name,
        manufacturer="AND",
        model="GX-600",
        serial_number=serial,
        measuring_range="0 – 220 g",
        resolution=Decimal("0.0001"),
        unit="g",
        **fields,
    )


def calibrated(instrument, *, on, procedure, standard, technician, reviewer, tolerance=None):
    """A calibration of `instrument` performed `on`, taken to its issued certificate.

    `tolerance` (g) gives the instrument's range a ± tolerance, so its points get a verdict: the
    readings of `tests.conftest.open_calibration` are about 0.00015 g off.
    """
    from certificates.services import certificate_issue

    if tolerance is not None and not instrument.ranges.exists():
        cal.instrument_range_add(
            instrument=instrument, procedure=procedure, by=technician, tolerance_abs=tolerance
        )
    calibration = open_calibration(
        instrument=instrument, procedure=procedure, standard=standard, technician=technician, on=on
    )
    flow.calibration_submit(calibration=calibration, by=technician)
    flow.calibration_review(calibration=calibration, by=reviewer, password=PASSWORD)
    flow.calibration_approve(calibration=calibration, by=reviewer, password=PASSWORD)
    return certificate_issue(calibration=calibration, by=reviewer)


def recall(instrument, user, months, reason="Theo kế hoạch đảm bảo đo lường năm 2026"):
    return instrument_recall_set(instrument=instrument, months=months, by=user, reason=reason)


@pytest.fixture
def fleet(customer, carol, alice, rita, procedure, weights, today):
    return build_fleet(customer, carol, alice, rita, procedure, weights, today)


def build_fleet(customer, carol, alice, rita, procedure, weights, today):
    """One instrument of `customer` in each state; the names say which.

    The standard was calibrated 100 days ago, so nothing here is calibrated earlier than that:
    short recall intervals stand in for long ones.
    """
    from certificates.revisions import certificate_withdraw
    from jobs.services import job_receive, job_request

    def issued_on(serial, days_ago, months=None, **extra):
        instrument = register(customer, alice, serial, name=serial)
        calibrated(
            instrument,
            on=today - dt.timedelta(days=days_ago),
            procedure=procedure,
            standard=weights,
            technician=alice,
            reviewer=rita,
            **extra,
        )
        if months:
            recall(instrument, carol, months)
        instrument.refresh_from_db()
        return instrument

    fleet = {
        # 1 month after 45 days ago: about 15 days overdue
        "overdue": issued_on("overdue", 45, months=1, tolerance=Decimal("0.00005")),
        # 2 months after 45 days ago: in about 16 days
        "due_soon": issued_on("due_soon", 45, months=2, tolerance=Decimal("0.001")),
        # 12 months after 10 days ago
        "in_force": issued_on("in_force", 10, months=12),
        "no_interval": issued_on("no_interval", 10),
        "never": register(customer, alice, "never", name="never"),
    }
    fleet["in_lab"] = register(customer, alice, "in_lab", name="in_lab")
    job_receive(
        customer=customer,
        received_on=today,
        due_on=today + dt.timedelta(days=10),
        by=alice,
        items=[{"instrument": fleet["in_lab"], "condition": "Tốt"}],
    )
    fleet["requested"] = register(customer, alice, "requested", name="requested")
    job_request(by=carol, instruments=[fleet["requested"]], request="Gấp / urgent")
    fleet["withdrawn"] = issued_on("withdrawn", 10, months=12)
    certificate_withdraw(
        certificate=fleet["withdrawn"].calibrations.get().certificate,
        by=rita,
        password=PASSWORD,
        reason="Chuẩn sai / wrong standard",
    )
    return fleet
