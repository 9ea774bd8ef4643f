import pytest


@pytest.fixture
def worker_db(transactional_db):
    """A database the worker commits to, as it does in production; emptied afterwards. Issued
    rows are frozen by triggers (certificates.freezing, standards.freezing): lift them, remove
    those rows, and put the triggers back (as tests/browser/conftest.py does)."""
    yield
    from django.db import connection

    from batches.models import Batch
    from calibration.models import Calibration
    from certificates import freezing
    from certificates.models import Certificate
    from standards import freezing as incoming_freezing
    from standards.models import OutOfTolerance, StandardCalibration

    Batch.objects.all().delete()  # its items protect the certificates and calibrations
    freezing.uninstall(connection)
    incoming_freezing.uninstall(connection)
    try:
        Certificate.objects.all().delete()
        Calibration.objects.all().delete()
        OutOfTolerance.objects.all().delete()
        for incoming in StandardCalibration.objects.order_by("-pk"):
            incoming.delete()  # a newer version protects the one it replaces
    finally:
        freezing.install(connection)
        incoming_freezing.install(connection)
