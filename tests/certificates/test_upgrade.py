"""A lab upgrading to embedded DCCs and to corrections keeps its certificates frozen: those issued
before have no stored DCC and write it when asked. The migrations run back and forth on the test
database itself (SQLite and PostgreSQL alike)."""

import pytest
from django.db import IntegrityError, connection, transaction

from certificates.dcc import dcc_of
from certificates.models import Certificate, Replacement, Withdrawal
from dcc.xsd import validate
from tests.browser.conftest import _thaw_before_flush  # noqa: F401  (issued rows are frozen)
from tests.calibration.test_upgrade import migrate

pytestmark = pytest.mark.django_db(transaction=True)


def test_certificates_issued_before_stay_frozen_and_write_their_dcc_when_asked(issued):
    try:
        migrate(("certificates", "0008_token_required"))  # the release before
        migrate()  # the upgrade
    finally:
        migrate()

    before = Certificate.objects.get(pk=issued.pk)
    assert before.dcc is None
    assert bytes(before.pdf) == bytes(issued.pdf)
    assert validate(dcc_of(before)) == []
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        Certificate.objects.filter(pk=issued.pk).update(sha256="0" * 64)
    # The tables of the decisions came back with their triggers.
    assert not Replacement.objects.exists() and not Withdrawal.objects.exists()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'frozen_certificates_%%'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'frozen_certificates_%'"
            )
        assert cursor.fetchone()[0] == (2 if connection.vendor == "postgresql" else 4)
