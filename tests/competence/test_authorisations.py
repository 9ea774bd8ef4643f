"""Granting, revoking and asking for an authorisation (ISO/IEC 17025, 6.2.5–6.2.6)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from competence.models import Activity, Authorisation, Evidence
from competence.services import (
    NotAuthorised,
    authorisation_for,
    authorisation_grant,
    authorisation_revoke,
    authorised_people,
    check_authorised,
)

pytestmark = pytest.mark.django_db

CODE = "QTHC-KL-01"
JAN_1 = dt.date(2026, 1, 1)
JUN_30 = dt.date(2026, 6, 30)


def grant(person, by, **overrides):
    fields = {
        "person": person,
        "procedure_code": CODE,
        "activity": Activity.APPROVE,
        "valid_from": JAN_1,
        "valid_until": JUN_30,
        "evidence_kind": Evidence.TRAINING,
        "evidence": "Training course ĐLVN 2025, 12 supervised calibrations",
        "by": by,
        **overrides,
    }
    return authorisation_grant(**fields)


def refusal(error) -> str:
    return " ".join(error.value.messages)


def test_it_grants_with_the_quality_manager_and_reason_in_the_history(bob, quinn):
    authorisation = grant(bob, quinn, reason="Passed the witnessed assessment")

    assert authorisation.granted_by == quinn
    assert authorisation.granted_at is not None
    snapshot = authorisation.history.get()
    assert snapshot.history_user == quinn
    assert snapshot.history_change_reason == "Passed the witnessed assessment"


def test_a_grant_without_a_reason_is_still_explained_in_the_history(bob, quinn):
    authorisation = grant(bob, quinn)

    assert authorisation.history.get().history_change_reason == "Authorisation granted"


def test_it_revokes_with_the_quality_manager_and_reason_in_the_history(bob, quinn):
    authorisation = grant(bob, quinn)

    authorisation_revoke(
        authorisation=authorisation, on=dt.date(2026, 3, 1), reason="Left the lab", by=quinn
    )

    authorisation.refresh_from_db()
    assert authorisation.revoked_on == dt.date(2026, 3, 1)
    assert authorisation.revoked_reason == "Left the lab"
    latest = authorisation.history.latest()
    assert latest.history_user == quinn
    assert latest.history_change_reason == "Left the lab"
    assert authorisation.history.count() == 2


def test_the_person_holds_it_on_its_first_and_last_days(bob, quinn):
    authorisation = grant(bob, quinn)

    for day in (JAN_1, dt.date(2026, 3, 15), JUN_30):
        assert check_authorised(bob, CODE, Activity.APPROVE, day) == authorisation
        assert authorisation.in_force_on(day)
        assert authorisation_for(bob, CODE, Activity.APPROVE, day) == authorisation
    assert not authorisation.in_force_on(JAN_1 - dt.timedelta(days=1))
    assert not authorisation.in_force_on(JUN_30 + dt.timedelta(days=1))


def test_an_open_ended_authorisation_holds_years_later(bob, quinn):
    grant(bob, quinn, valid_until=None)

    assert check_authorised(bob, CODE, Activity.APPROVE, dt.date(2036, 1, 1))


def test_it_refuses_when_no_authorisation_is_recorded(bob):
    with pytest.raises(NotAuthorised) as error:
        check_authorised(bob, CODE, Activity.APPROVE, dt.date(2026, 11, 21))

    assert refusal(error) == (
        "Trần Bob is not authorised to approve QTHC-KL-01 on 21/11/2026: "
        "no authorisation is recorded."
    )
    assert authorisation_for(bob, CODE, Activity.APPROVE, dt.date(2026, 11, 21)) is None


def test_it_refuses_an_authorisation_for_another_activity_or_procedure(bob, quinn):
    grant(bob, quinn, activity=Activity.PERFORM)

    with pytest.raises(NotAuthorised, match="to review QTHC-KL-01 on 01/02/2026: no author"):
        check_authorised(bob, CODE, Activity.REVIEW, dt.date(2026, 2, 1))
    with pytest.raises(NotAuthorised, match="to perform QTHC-AS-02 on 01/02/2026: no author"):
        check_authorised(bob, "QTHC-AS-02", Activity.PERFORM, dt.date(2026, 2, 1))


def test_it_refuses_the_day_after_the_authorisation_ended(bob, quinn):
    grant(bob, quinn)

    with pytest.raises(NotAuthorised) as error:
        check_authorised(bob, CODE, Activity.APPROVE, dt.date(2026, 7, 1))

    assert refusal(error) == (
        "Trần Bob is not authorised to approve QTHC-KL-01 on 01/07/2026: "
        "the authorisation ended on 30/06/2026."
    )


def test_it_refuses_the_day_before_the_authorisation_starts(bob, quinn):
    grant(bob, quinn, valid_from=dt.date(2026, 12, 1), valid_until=None)

    with pytest.raises(NotAuthorised) as error:
        check_authorised(bob, CODE, Activity.APPROVE, dt.date(2026, 11, 30))

    assert refusal(error) == (
        "Trần Bob is not authorised to approve QTHC-KL-01 on 30/11/2026: "
        "the authorisation starts on 01/12/2026."
    )


def test_it_refuses_from_the_day_of_the_revocation(bob, quinn):
    authorisation = grant(bob, quinn, valid_until=None)
    authorisation_revoke(
        authorisation=authorisation, on=dt.date(2026, 10, 1), reason="Failed the PT", by=quinn
    )

    assert check_authorised(bob, CODE, Activity.APPROVE, dt.date(2026, 9, 30))
    with pytest.raises(NotAuthorised) as error:
        check_authorised(bob, CODE, Activity.APPROVE, dt.date(2026, 10, 1))

    assert refusal(error) == (
        "Trần Bob is not authorised to approve QTHC-KL-01 on 01/10/2026: "
        "the authorisation was revoked on 01/10/2026 (Failed the PT)."
    )


def test_a_refusal_is_a_validation_error_with_its_code(bob):
    with pytest.raises(ValidationError) as error:
        check_authorised(bob, CODE, Activity.PERFORM, JAN_1)

    assert error.value.code == "not_authorised"


def test_a_later_authorisation_takes_over_after_the_first_ended(bob, quinn):
    grant(bob, quinn)
    second = grant(bob, quinn, valid_from=dt.date(2026, 7, 1), valid_until=None)

    assert check_authorised(bob, CODE, Activity.APPROVE, dt.date(2026, 7, 1)) == second


def test_it_lists_the_people_authorised_on_a_day(alice, bob, rita, quinn):
    grant(alice, quinn)
    grant(bob, quinn, valid_from=dt.date(2026, 3, 1))
    grant(rita, quinn, activity=Activity.REVIEW)

    on_feb = authorised_people(CODE, Activity.APPROVE, dt.date(2026, 2, 1))
    on_mar = authorised_people(CODE, Activity.APPROVE, dt.date(2026, 3, 1))

    assert list(on_feb) == [alice]
    assert set(on_mar) == {alice, bob}
    assert not authorised_people(CODE, Activity.APPROVE, dt.date(2026, 7, 1)).exists()


def test_a_revoked_person_is_no_longer_listed(bob, quinn):
    authorisation = grant(bob, quinn)
    authorisation_revoke(authorisation=authorisation, on=dt.date(2026, 2, 1), reason="x", by=quinn)

    assert list(authorised_people(CODE, Activity.APPROVE, dt.date(2026, 1, 31))) == [bob]
    assert not authorised_people(CODE, Activity.APPROVE, dt.date(2026, 2, 1)).exists()


# --- Refusals of a grant ---------------------------------------------------------------------


@pytest.mark.parametrize("granter", ["alice", "rita", "adam", "carol"])
def test_only_the_quality_manager_may_grant(request, bob, granter):
    with pytest.raises(PermissionDenied):
        grant(bob, request.getfixturevalue(granter))

    assert not Authorisation.objects.exists()


@pytest.mark.parametrize("revoker", ["alice", "bob", "rita", "adam", "carol"])
def test_only_the_quality_manager_may_revoke(request, bob, quinn, revoker):
    authorisation = grant(bob, quinn)

    with pytest.raises(PermissionDenied):
        authorisation_revoke(
            authorisation=authorisation,
            on=JAN_1,
            reason="x",
            by=request.getfixturevalue(revoker),
        )

    authorisation.refresh_from_db()
    assert authorisation.revoked_on is None


def test_a_customer_user_cannot_be_authorised(carol, quinn):
    with pytest.raises(ValidationError, match="customer user: only lab staff"):
        grant(carol, quinn)

    assert not Authorisation.objects.exists()


def test_a_person_who_left_cannot_be_authorised(bob, quinn):
    bob.is_active = False
    bob.save()

    with pytest.raises(ValidationError, match="no longer active"):
        grant(bob, quinn)


def test_the_quality_manager_cannot_authorise_themselves(quinn):
    with pytest.raises(ValidationError, match="cannot grant an authorisation to yourself"):
        grant(quinn, quinn)

    assert not Authorisation.objects.exists()


def test_a_quality_manager_may_hold_an_authorisation_granted_by_another(quinn):
    from lims.models import Role
    from tests.conftest import make_user

    other = make_user("quentin", Role.QUALITY_MANAGER, first="Quentin")

    assert grant(quinn, other).person == quinn


@pytest.mark.parametrize("evidence", ["", "   \n "])
def test_it_refuses_a_grant_without_evidence(bob, quinn, evidence):
    with pytest.raises(ValidationError, match="Describe the evidence"):
        grant(bob, quinn, evidence=evidence)

    assert not Authorisation.objects.exists()


def test_it_refuses_an_end_before_the_start(bob, quinn):
    with pytest.raises(ValidationError, match="end of validity cannot be before its start"):
        grant(bob, quinn, valid_until=JAN_1 - dt.timedelta(days=1))


def test_it_refuses_an_unknown_activity(bob, quinn):
    with pytest.raises(ValidationError):
        grant(bob, quinn, activity="sign-blindly")

    assert not Authorisation.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 6, 30), None),  # starts on the last day of the one held
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1)),  # ends on its first day
        (dt.date(2026, 2, 1), dt.date(2026, 3, 1)),  # inside it
        (dt.date(2025, 1, 1), None),  # around it
    ],
)
def test_it_refuses_an_overlapping_authorisation_and_names_the_one_held(bob, quinn, start, end):
    grant(bob, quinn)

    with pytest.raises(ValidationError) as error:
        grant(bob, quinn, valid_from=start, valid_until=end)

    assert refusal(error) == (
        "Trần Bob already holds an authorisation to approve QTHC-KL-01 "
        "(01/01/2026 – 30/06/2026, granted by Phạm Quinn) that overlaps these days."
    )
    assert Authorisation.objects.count() == 1


def test_an_authorisation_may_follow_one_that_ended_or_was_revoked(bob, quinn):
    first = grant(bob, quinn, valid_until=None)
    authorisation_revoke(authorisation=first, on=dt.date(2026, 3, 1), reason="PT failed", by=quinn)

    second = grant(bob, quinn, valid_from=dt.date(2026, 3, 1), valid_until=None)

    assert check_authorised(bob, CODE, Activity.APPROVE, dt.date(2026, 3, 1)) == second


def test_an_overlap_with_a_revoked_authorisation_is_named_with_its_revocation(bob, quinn):
    first = grant(bob, quinn, valid_until=None)
    authorisation_revoke(authorisation=first, on=dt.date(2026, 3, 1), reason="PT failed", by=quinn)

    with pytest.raises(ValidationError, match=r"from 01/01/2026; revoked on 01/03/2026"):
        grant(bob, quinn, valid_from=dt.date(2026, 2, 28))


def test_the_same_days_for_another_activity_or_person_are_not_an_overlap(alice, bob, quinn):
    grant(bob, quinn)
    grant(bob, quinn, activity=Activity.PERFORM)
    grant(alice, quinn)

    assert Authorisation.objects.count() == 3


# --- Refusals of a revocation ----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_revocation_needs_a_reason(bob, quinn, reason):
    authorisation = grant(bob, quinn)

    with pytest.raises(ValidationError, match="Give the reason"):
        authorisation_revoke(authorisation=authorisation, on=JAN_1, reason=reason, by=quinn)


def test_it_cannot_be_revoked_before_it_starts(bob, quinn):
    authorisation = grant(bob, quinn)

    with pytest.raises(ValidationError, match="starts on 01/01/2026: it cannot be revoked before"):
        authorisation_revoke(
            authorisation=authorisation, on=dt.date(2025, 12, 31), reason="x", by=quinn
        )


def test_it_cannot_be_revoked_after_it_ended_or_twice(bob, quinn):
    authorisation = grant(bob, quinn)

    with pytest.raises(ValidationError, match="already ended on 30/06/2026"):
        authorisation_revoke(
            authorisation=authorisation, on=dt.date(2026, 7, 1), reason="x", by=quinn
        )
    authorisation_revoke(authorisation=authorisation, on=JUN_30, reason="x", by=quinn)
    with pytest.raises(ValidationError, match="already revoked on 30/06/2026"):
        authorisation_revoke(authorisation=authorisation, on=JUN_30, reason="y", by=quinn)

    authorisation.refresh_from_db()
    assert authorisation.revoked_reason == "x"
