"""A lab that ran the release before procedures were versioned upgrades without losing a reading:
its issued points get a range and stay frozen, and work reviewed without a signature goes back to
be signed. The migrations are run back and forth on the test database itself (SQLite and
PostgreSQL alike)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from calibration import workflow as flow
from tests.browser.conftest import _thaw_before_flush  # noqa: F401  (issued rows are frozen)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets) or executor.loader.graph.leaf_nodes())


@pytest.fixture
def reviewed(balance, procedure, weights, alice, rita, today):
    from tests.conftest import open_calibration

    calibration = open_calibration(
        instrument=balance, procedure=procedure, standard=weights, technician=alice, on=today
    )
    flow.calibration_submit(calibration=calibration, by=alice)
    flow.calibration_review(calibration=calibration, by=rita, password=PASSWORD)
    return calibration


def test_an_upgraded_lab_keeps_its_issued_points_frozen_and_resigns_work_in_review(
    issued, reviewed
):
    from calibration.models import Calibration, MeasurementPoint, Transition

    readings = {p.pk: p.readings for p in MeasurementPoint.objects.all()}
    try:
        migrate(("certificates", "0002_initial"))  # the frozen-record triggers first
        migrate(("calibration", "0002_initial"))  # the release before
        migrate(("certificates", "0003_frozen_records"))  # frozen as it was then
        migrate()  # the upgrade
    finally:
        migrate()

    points = MeasurementPoint.objects.select_related("range")
    assert {p.pk: p.readings for p in points} == readings
    assert all(p.range.procedure_code == "QTHC-KL-01" for p in points)
    frozen = MeasurementPoint.objects.filter(calibration=issued.calibration).first()
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        MeasurementPoint.objects.filter(pk=frozen.pk).update(readings=["1", "2"])
    back = Calibration.objects.get(pk=reviewed.pk)
    assert back.state == "submitted"
    moved = Transition.objects.filter(calibration=back).latest("at", "pk")
    assert (moved.from_state, moved.to_state) == ("reviewed", "submitted")
    assert "electronic signature" in moved.reason
