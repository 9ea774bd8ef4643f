"""The database itself refuses to change an issued verification, its standards, or a used mark.

Raw SQL, as a console would send it: run on SQLite and on PostgreSQL
(DATABASE_URL=postgres://… pytest tests/verification/test_frozen.py).
"""

import pytest
from django.db import DatabaseError, connection, transaction

from tests.conftest import PASSWORD
from tests.verification.conftest import record_scale
from verification import freezing
from verification.marks import mark_write_off
from verification.models import Mark, MarkState, Verification
from verification.services import verification_issue


def refused(sql: str, params: list) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        assert "frozen" in str(error)
        return True
    return False


@pytest.fixture
def issued(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    return verification_issue(
        verification=verification, by=verifier, password=PASSWORD, mark_serial="A0000007"
    )


@pytest.fixture
def draft(verifier, scale_type, weights_m1):
    return record_scale(verifier, scale_type, serial="DRAFT-1", standards=[weights_m1])


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE verification_verification SET pdf = %s WHERE id = %s", [b"forged"]),
        ("UPDATE verification_verification SET passed = %s WHERE id = %s", [False]),
        ("UPDATE verification_verification SET state = 'draft' WHERE id = %s", []),
        ("DELETE FROM verification_verification WHERE id = %s", []),
        ("DELETE FROM verification_verification_standards WHERE verification_id = %s", []),
        (
            "UPDATE verification_verification_standards SET standard_id = standard_id "
            "WHERE verification_id = %s",
            [],
        ),
    ],
    ids=["pdf", "verdict", "back-to-draft", "delete", "standards-delete", "standards-update"],
)
def test_an_issued_verification_cannot_change(issued, sql, params):
    assert refused(sql, [*params, issued.pk])
    issued.refresh_from_db()
    assert issued.pdf.startswith(b"%PDF") and issued.passed is True


def test_no_standard_can_be_added_to_an_issued_verification(issued, bob, quinn):
    from standards.services import standard_register

    other = standard_register(
        by=quinn, asset_number="M1-02", name="Quả cân M1", quantity="mass", unit="kg"
    )
    assert refused(
        "INSERT INTO verification_verification_standards (verification_id, standard_id) "
        "VALUES (%s, %s)",
        [issued.pk, other.pk],
    )


def test_a_draft_stays_editable(draft):
    assert not refused(
        "UPDATE verification_verification SET owner = 'Chủ mới' WHERE id = %s", [draft.pk]
    )
    assert not refused(
        "DELETE FROM verification_verification_standards WHERE verification_id = %s", [draft.pk]
    )


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE verification_mark SET serial = 'A9999999' WHERE serial = %s", []),
        (
            "UPDATE verification_mark SET verification_id = NULL, state = 'available' WHERE serial = %s",
            [],
        ),
        ("UPDATE verification_mark SET state = 'spoiled', reason = 'x' WHERE serial = %s", []),
        ("UPDATE verification_mark SET state = 'lost', reason = '' WHERE serial = %s", []),
        ("DELETE FROM verification_mark WHERE serial = %s", []),
    ],
    ids=["serial", "back-to-stock", "spoiled", "lost-without-reason", "delete"],
)
def test_a_used_mark_cannot_change(issued, sql, params):
    assert refused(sql, [*params, "A0000007"])
    mark = Mark.objects.get(serial="A0000007")
    assert mark.state == MarkState.USED and mark.verification_id == issued.pk


def test_a_used_mark_cannot_move_to_another_verification(issued, draft):
    assert refused(
        "UPDATE verification_mark SET verification_id = %s WHERE serial = %s",
        [draft.pk, "A0000007"],
    )


def test_a_used_mark_may_be_recorded_lost_with_its_reason(issued, quinn):
    mark = mark_write_off(
        serial="A0000007", state=MarkState.LOST, by=quinn, reason="Tem bị bóc / peeled off"
    )
    assert mark.state == MarkState.LOST and mark.verification_id == issued.pk
    # then it stays as it is
    assert refused("UPDATE verification_mark SET state = 'used' WHERE serial = %s", ["A0000007"])


def test_marks_in_stock_stay_free(issued):
    assert not refused(
        "UPDATE verification_mark SET state = 'spoiled', reason = 'rách' WHERE serial = %s",
        ["A0000008"],
    )


def test_the_triggers_can_be_lifted_and_put_back(issued):
    freezing.uninstall(connection)
    try:
        assert not refused(
            "UPDATE verification_verification SET owner = 'X' WHERE id = %s", [issued.pk]
        )
    finally:
        freezing.install(connection)
    assert refused("UPDATE verification_verification SET owner = 'Y' WHERE id = %s", [issued.pk])
    assert Verification.objects.get(pk=issued.pk).owner == "X"
