"""Recording and issuing verifications: the one door, its gates, and nothing saved half-done."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from certificates.models import Counter
from tests.conftest import PASSWORD
from tests.verification.conftest import SCALE_SPEC, record_scale, scale_readings
from verification.cards import VerifierRefused, card_record, card_revoke
from verification.marks import MarkRefused, mark_write_off
from verification.models import (
    Campaign,
    ListStatus,
    Mark,
    MarkState,
    TypeList,
    Verification,
    VerificationState,
)
from verification.services import (
    VerificationRefused,
    add_months,
    verification_issue,
    verification_record,
    verification_update,
    verifications_issue,
)


def record(by, scale_type, **extra):
    fields = {
        "owner": "Trần Văn Minh",
        "province": "Gia Lai",
        "verified_on": timezone.localdate(),
        "kind": "periodic",
        "serial_number": "CB-77",
        "specification": dict(SCALE_SPEC),
        "tests": scale_readings(),
    }
    fields.update(extra)
    return verification_record(by=by, instrument_type=scale_type, **fields)


def test_it_records_a_draft_with_its_results(verifier, scale_type, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    assert verification.state == VerificationState.DRAFT
    assert verification.passed is True
    assert verification.verifier == verifier
    assert verification.results["passed"] is True
    assert verification.results["specification"]["min"] == "0.20"
    assert list(verification.standards.all()) == [weights_m1]
    snapshots = list(verification.history.all())
    assert {s.history_user for s in snapshots} == {verifier}
    assert {s.history_change_reason for s in snapshots} == {"Recorded"}


def test_it_records_a_failed_instrument_as_failed(verifier, scale_type):
    verification = record_scale(verifier, scale_type, passing=False)
    assert verification.passed is False
    assert verification.results["failed"] == ["weighing"]


def test_the_same_client_key_twice_records_one_verification(verifier, scale_type):
    key = uuid.uuid4()
    first, created = record(verifier, scale_type, client_key=key)
    again, created_again = record(verifier, scale_type, client_key=key, owner="Someone else")
    assert created is True and created_again is False
    assert again.pk == first.pk
    assert Verification.objects.count() == 1
    assert Verification.objects.get().owner == "Trần Văn Minh"


def test_a_client_key_as_text_is_the_same_key(verifier, scale_type):
    key = uuid.uuid4()
    record(verifier, scale_type, client_key=key)
    _v, created = record(verifier, scale_type, client_key=str(key))
    assert created is False
    assert Verification.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"verified_on": dt.date(2999, 1, 1)}, "in the future"),
        ({"kind": "yearly"}, "kind of verification"),
        ({"owner": ""}, "owner"),
        ({"tests": {"weighing": [{"load": "5", "indication": "abc"}]}}, "must be a number"),
        (
            {"specification": {"max": "60", "e": "0.002", "class": "III", "unit": "kg"}},
            "30000 is more than the 10000",
        ),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(verifier, scale_type, change, words):
    with pytest.raises(ValidationError) as refusal:
        record(verifier, scale_type, **change)
    assert words in " ".join(refusal.value.messages)
    assert Verification.objects.count() == 0


def test_it_refuses_a_type_of_a_list_no_longer_in_force(verifier, scale_type, type_list):
    TypeList.objects.filter(pk=type_list.pk).update(status=ListStatus.SUPERSEDED)
    scale_type.refresh_from_db()
    with pytest.raises(VerificationRefused, match="not in the list of instrument types in force"):
        record(verifier, scale_type)
    assert Verification.objects.count() == 0


def campaign_at(leader, **extra):
    today = timezone.localdate()
    fields = {
        "name": "Kiểm định lưu động chợ Lớn",
        "site": "Chợ Lớn Quy Nhơn",
        "province": "Gia Lai",
        "starts_on": today - dt.timedelta(days=1),
        "ends_on": today,
        "leader": leader,
    }
    fields.update(extra)
    return Campaign.objects.create(**fields)


def test_a_campaign_gives_its_place_and_standards(verifier, scale_type, rita, weights_m1):
    campaign = campaign_at(rita)
    campaign.standards.add(weights_m1)
    verification, _ = record(verifier, scale_type, campaign=campaign, province="")
    assert verification.province == "Gia Lai"
    assert verification.address == "Chợ Lớn Quy Nhơn"
    assert list(verification.standards.all()) == [weights_m1]


def test_it_refuses_a_closed_campaign(verifier, scale_type, rita):
    campaign = campaign_at(rita, closed_at=timezone.now())
    with pytest.raises(VerificationRefused, match="is closed"):
        record(verifier, scale_type, campaign=campaign)
    assert Verification.objects.count() == 0


def test_it_refuses_a_day_outside_the_campaign(verifier, scale_type, rita):
    campaign = campaign_at(rita)
    with pytest.raises(VerificationRefused, match="runs from"):
        record(
            verifier,
            scale_type,
            campaign=campaign,
            verified_on=timezone.localdate() - dt.timedelta(days=3),
        )


def test_it_requires_the_right_to_record(carol, quinn, scale_type):
    for outsider in (carol, quinn):
        with pytest.raises(PermissionDenied):
            record(outsider, scale_type)
    assert Verification.objects.count() == 0


def test_an_update_needs_a_reason_and_computes_again(verifier, scale_type):
    verification = record_scale(verifier, scale_type)
    with pytest.raises(VerificationRefused, match="reason"):
        verification_update(verification=verification, by=verifier, reason=" ", owner="X")
    changed = verification_update(
        verification=verification,
        by=verifier,
        reason="Số chỉ tại Max ghi nhầm / misread at Max",
        tests=scale_readings(passing=False),
    )
    assert changed.passed is False
    assert changed.history.first().history_change_reason.startswith("Số chỉ tại Max")


def test_an_update_refuses_unknown_fields(verifier, scale_type):
    verification = record_scale(verifier, scale_type)
    with pytest.raises(VerificationRefused, match="number"):
        verification_update(verification=verification, by=verifier, reason="r", number="KD-1")


# --- issuing ------------------------------------------------------------------------------------


def nothing_issued(verification):
    verification.refresh_from_db()
    assert verification.state == VerificationState.DRAFT
    assert verification.number is None and verification.token is None
    assert verification.pdf is None and verification.sha256 == ""
    assert not Counter.objects.filter(last__gt=0).exists()
    assert not Mark.objects.filter(state=MarkState.USED).exists()


def test_issue_passed_gives_a_certificate_number_a_mark_and_the_validity(
    verifier, scale_type, marks, weights_m1
):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    year = timezone.localdate().year
    assert issued.number == f"KD-{year}-00001"
    assert issued.state == VerificationState.ISSUED
    assert issued.valid_until == add_months(issued.verified_on, 12)
    mark = Mark.objects.get(serial="A0000001")
    assert mark.state == MarkState.USED and mark.verification == issued
    assert issued.pdf.startswith(b"%PDF") and len(issued.sha256) == 64
    assert len(issued.token) >= 40


def test_issue_failed_gives_a_notice_and_no_mark(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, passing=False, standards=[weights_m1])
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    assert issued.number == f"TB-{timezone.localdate().year}-00001"
    assert issued.valid_until is None
    assert not Mark.objects.filter(state=MarkState.USED).exists()


def test_issue_uses_the_mark_the_verifier_stuck_on(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    verification_issue(
        verification=verification, by=verifier, password=PASSWORD, mark_serial="a0000042"
    )
    assert Mark.objects.get(serial="A0000042").verification == verification
    assert Mark.objects.filter(state=MarkState.USED).count() == 1


def test_no_validity_when_the_list_gives_no_interval(verifier, scale_type, marks, weights_m1):
    scale_type.interval_months = None
    scale_type.save()
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    assert issued.valid_until is None


def test_calendar_months():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 3, 15), 60) == dt.date(2030, 3, 15)


def test_it_refuses_the_wrong_password(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    with pytest.raises(VerificationRefused, match="password is not right"):
        verification_issue(verification=verification, by=verifier, password="guess")
    nothing_issued(verification)


def card(person, quinn, scale_type, **dates):
    return card_record(
        person=person,
        card_number="KĐV-0999",
        type_code=scale_type.code,
        issued_by="Tổng cục TĐC",
        by=quinn,
        **dates,
    )


def test_it_refuses_a_verifier_without_a_card(bob, scale_type, marks, weights_m1):
    verification = record_scale(bob, scale_type, standards=[weights_m1])
    with pytest.raises(VerifierRefused, match="no verifier card for this type is recorded"):
        verification_issue(verification=verification, by=bob, password=PASSWORD)
    nothing_issued(verification)


def test_it_refuses_an_expired_card(bob, quinn, scale_type, marks, weights_m1):
    card(
        bob,
        quinn,
        scale_type,
        valid_from=dt.date(2015, 1, 1),
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )
    verification = record_scale(bob, scale_type, standards=[weights_m1])
    with pytest.raises(VerifierRefused, match="card KĐV-0999 expired on"):
        verification_issue(verification=verification, by=bob, password=PASSWORD)
    nothing_issued(verification)


def test_it_refuses_a_revoked_card(bob, quinn, scale_type, marks, weights_m1):
    held = card(
        bob, quinn, scale_type, valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2099, 1, 1)
    )
    card_revoke(card=held, on=dt.date(2021, 1, 1), by=quinn, reason="Vi phạm quy trình / breach")
    verification = record_scale(bob, scale_type, standards=[weights_m1])
    with pytest.raises(VerifierRefused, match="was revoked on 01/01/2021"):
        verification_issue(verification=verification, by=bob, password=PASSWORD)
    nothing_issued(verification)


def test_a_card_revoked_after_the_verification_cannot_sign_it(
    bob, quinn, scale_type, marks, weights_m1
):
    held = card(
        bob, quinn, scale_type, valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2099, 1, 1)
    )
    verified = timezone.localdate() - dt.timedelta(days=3)
    verification = record_scale(bob, scale_type, standards=[weights_m1], verified_on=verified)
    card_revoke(
        card=held, on=timezone.localdate() - dt.timedelta(days=1), by=quinn, reason="Misconduct"
    )
    with pytest.raises(VerifierRefused, match=r"was revoked on .* \(Misconduct\)"):
        verification_issue(verification=verification, by=bob, password=PASSWORD)
    nothing_issued(verification)


def test_only_the_verifier_issues(verifier, bob, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    with pytest.raises(PermissionDenied, match="Only the verifier"):
        verification_issue(verification=verification, by=bob, password=PASSWORD)
    nothing_issued(verification)


def test_it_refuses_a_mark_already_used(verifier, scale_type, marks, weights_m1):
    first = record_scale(verifier, scale_type, standards=[weights_m1])
    verification_issue(verification=first, by=verifier, password=PASSWORD, mark_serial="A0000005")
    second = record_scale(verifier, scale_type, serial="CB-0002", standards=[weights_m1])
    with pytest.raises(MarkRefused, match="A0000005 is already on another instrument"):
        verification_issue(
            verification=second, by=verifier, password=PASSWORD, mark_serial="A0000005"
        )
    second.refresh_from_db()
    assert second.state == VerificationState.DRAFT and second.number is None
    assert Counter.objects.get(kind="verification").last == 1  # the number given back


@pytest.mark.parametrize("serial", ["B0000001", "A0000003"])
def test_it_refuses_a_mark_not_in_stock(verifier, quinn, scale_type, marks, weights_m1, serial):
    mark_write_off(serial="A0000003", state=MarkState.SPOILED, by=quinn, reason="Rách / torn")
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    with pytest.raises(MarkRefused, match=serial):
        verification_issue(
            verification=verification, by=verifier, password=PASSWORD, mark_serial=serial
        )
    nothing_issued(verification)


def test_it_refuses_a_mark_for_a_failed_instrument(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, passing=False, standards=[weights_m1])
    with pytest.raises(VerificationRefused, match="gets no mark"):
        verification_issue(
            verification=verification, by=verifier, password=PASSWORD, mark_serial="A0000001"
        )
    nothing_issued(verification)


def test_it_refuses_without_standards(verifier, scale_type, marks):
    verification = record_scale(verifier, scale_type)
    with pytest.raises(VerificationRefused, match="standards used"):
        verification_issue(verification=verification, by=verifier, password=PASSWORD)
    nothing_issued(verification)


def test_it_refuses_results_that_no_longer_match(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    tampered = dict(verification.results, passed=False)
    Verification.objects.filter(pk=verification.pk).update(results=tampered)
    with pytest.raises(VerificationRefused, match="not what the rules give"):
        verification_issue(verification=verification, by=verifier, password=PASSWORD)
    nothing_issued(verification)


def test_it_refuses_to_issue_twice(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    verification_issue(verification=verification, by=verifier, password=PASSWORD)
    with pytest.raises(VerificationRefused, match="already issued"):
        verification_issue(verification=verification, by=verifier, password=PASSWORD)


def test_bulk_issue_goes_on_past_a_refusal(verifier, scale_type, marks, weights_m1):
    good = record_scale(verifier, scale_type, serial="S1", standards=[weights_m1])
    failed = record_scale(verifier, scale_type, serial="S2", passing=False, standards=[weights_m1])
    bad_mark = record_scale(verifier, scale_type, serial="S3", standards=[weights_m1])
    also_good = record_scale(verifier, scale_type, serial="S4", standards=[weights_m1])
    out = verifications_issue(
        verifications=[good, failed, bad_mark, also_good],
        by=verifier,
        password=PASSWORD,
        marks={good.pk: "A0000010", bad_mark.pk: "Z9"},
    )
    errors = {v.serial_number: error for v, error in out}
    assert errors["S1"] is None and errors["S2"] is None and errors["S4"] is None
    assert "Z9 is not in the lab's stock" in errors["S3"]
    numbers = dict(Verification.objects.values_list("serial_number", "number"))
    year = timezone.localdate().year
    assert numbers == {
        "S1": f"KD-{year}-00001",
        "S2": f"TB-{year}-00001",
        "S3": None,
        "S4": f"KD-{year}-00002",
    }
    assert Mark.objects.get(serial="A0000010").verification == good
    assert Mark.objects.get(serial="A0000001").verification == also_good


def test_bulk_issue_with_the_wrong_password_issues_nothing(verifier, scale_type, marks, weights_m1):
    one = record_scale(verifier, scale_type, standards=[weights_m1])
    out = verifications_issue(verifications=[one], by=verifier, password="nope", marks={})
    assert "password" in out[0][1]
    nothing_issued(one)
